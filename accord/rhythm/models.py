"""Cadences, their exceptions, check-ins, meetings, scorecards, muted cadences and feeds.

Occurrences are not stored: they are computed from a cadence's rule (recurrence.py).
What *is* stored is keyed by an occurrence's original start (UTC): a check-in, a meeting,
an exception. That key never changes, even when the occurrence is moved.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import models

from accord.org.models import OrgScoped, Person, Team
from accord.rhythm import recurrence
from accord.web.templatetags.dates import day


def local_day(instant: dt.datetime, cadence: Cadence) -> str:
    """The day of an occurrence as the cadence's own zone has it, as pages write days
    ("9 Nov 2026"): how a check-in's or a meeting's name says when it was."""
    return day(instant.astimezone(recurrence.zone(cadence.timezone)).date())


class CadenceKind(models.TextChoices):
    CHECKIN = "checkin", "Check-in"
    SYNC = "sync", "Team sync"
    REVIEW = "review", "Operating review"
    PLANNING = "planning", "Planning"
    RETRO = "retro", "Retrospective"
    CUSTOM = "custom", "Custom"


class Scope(models.TextChoices):
    TEAM = "team", "One team"
    SUBTREE = "subtree", "A team and its sub-teams"
    TEAMS = "teams", "A set of teams"
    ORG = "org", "The whole organization"


class OwedBy(models.TextChoices):
    EVERYONE = "everyone", "Everyone in scope"
    LEADS = "leads", "Team leads only"


class Participation(models.TextChoices):
    """Who of a cadence's teams takes part in its meetings: everyone in them, or only their
    leads (`LEADING_ROLES`): a programme's sync across seven teams asks seven leads, not
    the sixty people in those teams. Leads only is for a cadence of several teams (a set
    of teams, a team and its sub-teams, the whole organization) that meets; a check-in
    cadence says who owes it with `checkin_owed_by`."""

    EVERYONE = "everyone", "Everyone in its teams"
    LEADS = "leads", "The teams' leads only"


class Cadence(OrgScoped):
    """A recurring rhythm: a meeting at a time of day, or an all-day date.

    Most cadences are meetings: they start at `time` in `timezone` and last
    `duration_minutes`. An all-day cadence (`all_day`) is a date the organization works to
    (a release every six weeks, a monthly planning day): it has no time of day and no
    length, so both are None rather than a made-up 00:00 or 24 hours, and a check
    constraint keeps the flag and the two fields in step. An explicit flag is clearer than
    reading "all day" from a missing time: every surface (form, API, file, feed) says it in
    one word, and a cadence cannot lose its time by accident. Its occurrences are dates,
    not meetings: nothing counts whether they were "held"."""

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=CadenceKind.choices, default=CadenceKind.SYNC)
    template = models.CharField(max_length=40, blank=True)
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.TEAM)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.CASCADE, related_name="cadences"
    )
    teams = models.ManyToManyField(Team, blank=True, related_name="+")
    extra_participants = models.ManyToManyField(Person, blank=True, related_name="+")
    participation = models.CharField(
        max_length=10,
        choices=Participation.choices,
        default=Participation.EVERYONE,
        db_default=Participation.EVERYONE,  # rows written in bulk (the generator): everyone
        help_text="Who of its teams takes part: everyone in them, or their leads only.",
    )
    # The initiatives it is the sync of (a programme's weekly sync): its agenda reviews
    # their requests, decisions and action items (`agenda._initiative_work`), and each
    # initiative's page names it.
    initiatives = models.ManyToManyField(
        "alignment.Initiative", blank=True, related_name="cadences"
    )
    owner = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_cadences"
    )
    rrule = models.CharField(max_length=300, help_text="RFC 5545, e.g. FREQ=WEEKLY;BYDAY=MO")
    start_date = models.DateField()
    all_day = models.BooleanField(
        default=False,
        db_default=False,  # rows written in bulk without the column (the generator) are meetings
        help_text="Occurrences are whole dates, with no time of day or length.",
    )
    time = models.TimeField(null=True, blank=True, help_text="None for an all-day cadence.")
    duration_minutes = models.PositiveIntegerField(
        default=60, null=True, blank=True, help_text="None for an all-day cadence."
    )
    timezone = models.CharField(max_length=64, default="UTC")
    agenda = models.JSONField(default=list, blank=True)
    checkin_owed_by = models.CharField(
        max_length=10, choices=OwedBy.choices, default=OwedBy.EVERYONE
    )
    window_opens_hours = models.PositiveIntegerField(
        default=48, help_text="The check-in window opens this many hours before it is due."
    )
    late_after_hours = models.PositiveIntegerField(
        default=24, help_text="A check-in after this many hours past due is missed."
    )
    is_active = models.BooleanField(default=True)
    # The schedules it kept before its rule, start, time or zone changed, oldest first, each
    # with the instant it gave way and its moves and cancellations before then:
    # [{"until", "rrule", "start_date", "all_day", "time", "timezone", "duration_minutes",
    #   "exceptions": [{"occurrence", "new_start", "cancelled"}]}]. The occurrences before a
    # change stay those of the schedule of the time (`queries.eras`): the meetings held
    # and the check-ins given then keep their place; only later ones follow the new one.
    past_schedules = models.JSONField(default=list, blank=True, db_default=[])
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["org", "is_active"]),
            models.Index(fields=["org", "name"], name="rhythm_cadence_org_name"),
            models.Index(fields=["org", "scope"], name="rhythm_cadence_org_scope"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(all_day=True, time__isnull=True, duration_minutes__isnull=True)
                    | models.Q(all_day=False, time__isnull=False, duration_minutes__isnull=False)
                ),
                name="rhythm_cadence_all_day_has_no_time",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def schedule(self) -> recurrence.Schedule:
        return recurrence.Schedule(
            rrule=self.rrule,
            start_date=self.start_date,
            time=self.time,
            timezone=self.timezone,
            duration_minutes=self.duration_minutes,
            all_day=self.all_day,
        )

    @property
    def schedule_problem(self) -> str | None:
        """Why this cadence's stored schedule cannot be expanded, or None (pages show it)."""
        return recurrence.schedule_problem(self.schedule)

    @property
    def team_retired(self) -> bool:
        """Whether the cadence belongs to a retired team: it then stops, as if paused,
        until the team is reactivated (see `queries.cadences`)."""
        return self.team_id is not None and self.team.is_retired

    @property
    def is_running(self) -> bool:
        return self.is_active and not self.team_retired

    @property
    def is_checkin(self) -> bool:
        return self.kind == CadenceKind.CHECKIN

    def window(self, occurrence: recurrence.Occurrence) -> tuple[dt.datetime, dt.datetime]:
        """(opens, late_until) around the occurrence's start, which is when it is due."""
        return (
            occurrence.start - dt.timedelta(hours=self.window_opens_hours),
            occurrence.start + dt.timedelta(hours=self.late_after_hours),
        )


class OccurrenceException(OrgScoped):
    cadence = models.ForeignKey(Cadence, on_delete=models.CASCADE, related_name="exceptions")
    original_start = models.DateTimeField()
    new_start = models.DateTimeField(null=True, blank=True)
    cancelled = models.BooleanField(default=False)
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cadence", "original_start"], name="rhythm_exception_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.cadence} {self.original_start:%Y-%m-%d %H:%M}"

    @property
    def spec(self) -> recurrence.ExceptionSpec:
        return recurrence.ExceptionSpec(self.original_start, self.new_start, self.cancelled)


class Away(OrgScoped):
    """Time off: a person owes no check-in and gets no reminder on these dates."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="away_periods")
    starts_on = models.DateField()
    ends_on = models.DateField()
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_on"]
        indexes = [models.Index(fields=["org", "person", "ends_on"])]

    def __str__(self) -> str:
        return f"{self.person} away {day(self.starts_on)} to {day(self.ends_on)}"


class CheckInStatus(models.TextChoices):
    ON_TIME = "on_time", "On time"
    LATE = "late", "Late"
    MISSED = "missed", "Missed"


class CheckIn(OrgScoped):
    cadence = models.ForeignKey(Cadence, on_delete=models.CASCADE, related_name="checkins")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="checkins")
    occurrence_start = models.DateTimeField(help_text="The occurrence's original start (UTC).")
    due_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=CheckInStatus.choices)
    highlights = models.TextField(blank=True)
    blockers = models.TextField(blank=True)
    blocker_team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What was submitted, as entered: {"key_results": {id: value}, "objectives": {id: conf},
    # "initiatives": {id: status}, "measurables": {id: value}}
    updates = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "check-in"
        ordering = ["-occurrence_start", "person__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["cadence", "person", "occurrence_start"], name="rhythm_checkin_once"
            )
        ]
        indexes = [
            models.Index(fields=["org", "cadence", "occurrence_start"]),
            models.Index(fields=["org", "person", "occurrence_start"]),
            # The API's list, newest first: a page read off it, where sorting every
            # check-in of the organization took 64 ms at 300,000 of them.
            models.Index(fields=["org", "-occurrence_start", "id"], name="rhythm_checkin_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.cadence} · {local_day(self.occurrence_start, self.cadence)}"


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    RUNNING = "running", "Running"
    FINISHED = "finished", "Finished"


class Meeting(OrgScoped):
    cadence = models.ForeignKey(Cadence, on_delete=models.CASCADE, related_name="meetings")
    occurrence_start = models.DateTimeField(help_text="The occurrence's original start (UTC).")
    scheduled_start = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    started_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who started it: the facilitator, who may reopen it until it ends.",
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    # The agenda frozen when the meeting started: [{key, title, source, items: [...]}]
    agenda_snapshot = models.JSONField(default=list, blank=True)
    notes = models.JSONField(default=dict, blank=True)  # section key -> text
    done_items = models.JSONField(default=list, blank=True)  # "section:item-ref" handled
    carried_in = models.JSONField(default=list, blank=True)  # items left by the previous one
    summary = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-occurrence_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["cadence", "occurrence_start"], name="rhythm_meeting_once"
            )
        ]
        indexes = [
            models.Index(fields=["org", "status", "scheduled_start"]),
            # The API's list, newest first: read a page off it, never sort them all.
            models.Index(fields=["org", "-occurrence_start", "id"], name="rhythm_meeting_newest"),
        ]

    def __str__(self) -> str:
        """Its cadence and its occurrence's scheduled day: which meeting it is."""
        return f"{self.cadence} · {local_day(self.scheduled_start, self.cadence)}"

    @property
    def held_at(self) -> dt.datetime:
        """When it was held: when it was started (early, or late: another day than its
        own), else when it is scheduled."""
        return self.started_at or self.scheduled_start

    @property
    def held_name(self) -> str:
        """Its cadence and the day it was held: how what it agreed says where it came from
        ("Weekly team sync · 8 Dec 2026", started on the 8th for the 14th)."""
        return f"{self.cadence} · {local_day(self.held_at, self.cadence)}"

    @property
    def key(self) -> str:
        return self.occurrence_start.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


class Attendance(OrgScoped):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    present = models.BooleanField(default=True)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["person__name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="rhythm_attendance_once"),
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=10),
                name="rhythm_rating_1_10",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} at {self.meeting}"


class Headline(OrgScoped):
    """Good or important news from a meeting; cascaded to other teams' next meetings."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="headlines")
    author = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.CharField(max_length=500)
    cascade_to = models.ManyToManyField(Team, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class GoalRule(models.TextChoices):
    AT_LEAST = "at_least", "At least"
    AT_MOST = "at_most", "At most"
    BETWEEN = "between", "Within a range"


class Measurable(OrgScoped):
    """A weekly leading indicator on a team's scorecard."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="measurables")
    name = models.CharField(max_length=200)
    owner = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    unit = models.CharField(max_length=30, blank=True)
    goal_rule = models.CharField(max_length=10, choices=GoalRule.choices)
    goal_low = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    goal_high = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    amber_margin = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=10,
        help_text="Within this percentage of the goal a miss is amber, not red.",
    )
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["team__name", "position", "name"]

    def __str__(self) -> str:
        return self.name


class MeasurableValue(OrgScoped):
    measurable = models.ForeignKey(Measurable, on_delete=models.CASCADE, related_name="values")
    week_start = models.DateField(help_text="The Monday of the week.")
    value = models.DecimalField(max_digits=14, decimal_places=2)
    entered_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=20, default="web")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-week_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["measurable", "week_start"], name="rhythm_measurable_week_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.measurable} {self.week_start}: {self.value}"


class CadenceMute(OrgScoped):
    """A person muted a cadence: it reminds them of nothing (its check-ins, its agendas)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="cadence_mutes")
    cadence = models.ForeignKey(Cadence, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "cadence"], name="rhythm_mute_once")
        ]

    def __str__(self) -> str:
        return f"{self.cadence} muted by {self.person}"


def new_token() -> str:
    """The secret in a new feed's address; shown once, never stored."""
    return secrets.token_urlsafe(32)


def feed_digest(raw: str) -> str:
    """What is stored of a feed's secret: its SHA-256, as for API tokens."""
    return hashlib.sha256(raw.encode()).hexdigest()


class CalendarFeed(OrgScoped):
    """A secret, revocable iCalendar URL for a person's or a team's rhythm.

    Only a hash of the secret is stored: the address is shown once, when it is created
    (or regenerated), and looked up by hash when a calendar app fetches it."""

    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    prefix = models.CharField(
        max_length=12, blank=True, help_text="The first characters of the secret, to recognise it."
    )
    digest = models.CharField(
        max_length=64, unique=True, help_text="SHA-256 of the secret in the feed's address."
    )
    created_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Calendar of {self.person or self.team}"
