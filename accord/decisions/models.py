"""Decisions (DACI roles, options, outcome), action items and issues escalated up the tree.

Links to what a decision concerns, and the source of an action item, are generic
("app.model", id) pairs so this app imports no other pillar's models.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone

from accord.core.days import org_today
from accord.org.models import Organization, OrgScoped, Person, Team


class DecisionStatus(models.TextChoices):
    OPEN = "open", "Open"
    PROPOSED = "proposed", "Proposed"
    DECIDED = "decided", "Decided"
    SUPERSEDED = "superseded", "Superseded"
    REVERSED = "reversed", "Reversed"


UNDECIDED = (DecisionStatus.OPEN, DecisionStatus.PROPOSED)


class Decision(OrgScoped):
    question = models.CharField(max_length=300)
    context = models.TextField(blank=True)
    outcome = models.TextField(blank=True)
    rationale = models.TextField(blank=True)
    status = models.CharField(
        max_length=12, choices=DecisionStatus.choices, default=DecisionStatus.OPEN
    )
    driver = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions_driven"
    )
    approver = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="decisions_to_approve"
    )
    contributors = models.ManyToManyField(Person, blank=True, related_name="decisions_contributed")
    informed = models.ManyToManyField(Person, blank=True, related_name="decisions_informed")
    teams = models.ManyToManyField(
        Team, blank=True, related_name="decisions", help_text="Teams the decision affects."
    )
    decide_by = models.DateField(null=True, blank=True)
    revisit_on = models.DateField(null=True, blank=True)
    revisit_trigger = models.CharField(max_length=300, blank=True)
    opened_at = models.DateTimeField(default=timezone.now)
    proposed_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was superseded or reversed."
    )
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="supersedes"
    )
    supersede_reason = models.TextField(blank=True)
    reversal_reason = models.TextField(blank=True)
    # The option considered that was proposed or decided, when it was one of them.
    chosen_option = models.ForeignKey(
        "DecisionOption", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    overdue_flagged_at = models.DateTimeField(
        null=True, blank=True, help_text="When its passing the decide-by date was announced."
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["org", "status"]),
            models.Index(fields=["org", "decide_by"]),
            # Undecided decisions in agenda order: dated ones off this, then the undated
            # (SQLite reads no `NULLS LAST` off an index).
            models.Index(
                fields=["org", "decide_by", "opened_at", "id"], name="decisions_decide_by_order"
            ),
            models.Index(fields=["org", "approver", "status"]),
            models.Index(fields=["org", "-opened_at"]),
            # Overdue decisions (undecided, decide-by past): counted off the index alone.
            models.Index(fields=["org", "status", "decide_by"], name="decisions_status_decide_by"),
            # Latency reads the decisions decided in a period (a month of a year's, say).
            models.Index(fields=["org", "decided_at"], name="decisions_decided_at"),
            # What superseded a page of decisions, off the few decisions superseded: the
            # foreign key's own index is nearly all empty entries, so SQLite's statistics
            # took each value for a thousand rows and read every decision of the database
            # to find a page's (14 ms for the API's list at 50,000 decisions).
            models.Index(
                fields=["superseded_by"],
                condition=models.Q(superseded_by__isnull=False),
                name="decisions_superseded_by",
            ),
        ]

    def __str__(self) -> str:
        return self.question

    @property
    def is_undecided(self) -> bool:
        return self.status in UNDECIDED

    @property
    def latency(self) -> dt.timedelta | None:
        if self.decided_at is None:
            return None
        return self.decided_at - self.opened_at

    @property
    def overdue_since(self) -> dt.date | None:
        """The day it is overdue from (if undecided by then): the day after `decide_by`."""
        return overdue_since(self.decide_by)

    def is_overdue(self, today: dt.date | None = None) -> bool:
        today = today or org_today()  # the organization's day: as the figures beside it
        return self.is_undecided and self.decide_by is not None and self.decide_by < today


def overdue_since(decide_by: dt.date | None) -> dt.date | None:
    """The day a decision to take by `decide_by` is overdue from, if undecided by then: the
    day after it. Every page says "overdue since" this day (its page, Insights' signal,
    agendas, briefings)."""
    return decide_by + dt.timedelta(days=1) if decide_by else None


class DecisionOption(OrgScoped):
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="options")
    title = models.CharField(max_length=200)
    pros = models.TextField(blank=True)
    cons = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


# What a decision may concern ("app.model"): each has an `org` and a page or a place.
LINKABLE = {
    "alignment.objective",
    "alignment.keyresult",
    "alignment.initiative",
    "coordination.dependency",
    "rhythm.meeting",
    "rhythm.checkin",
    "decisions.issue",
    "decisions.decision",
}


class DecisionLink(OrgScoped):
    """What a decision concerns: an objective, initiative, dependency, issue, meeting…"""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="links")
    target_type = models.CharField(max_length=60, help_text="app.model, e.g. rhythm.meeting")
    target_id = models.PositiveBigIntegerField()
    label = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["target_type", "target_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "target_type", "target_id"], name="decision_link_once"
            )
        ]
        indexes = [models.Index(fields=["org", "target_type", "target_id"])]

    def __str__(self) -> str:
        return self.label or f"{self.target_type} {self.target_id}"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


class ActionSource(models.TextChoices):
    NONE = "", "None"
    MEETING = "rhythm.meeting", "Meeting"
    DECISION = "decisions.decision", "Decision"
    CHECKIN = "rhythm.checkin", "Check-in blocker"
    ISSUE = "decisions.issue", "Issue"


class ActionItem(OrgScoped):
    title = models.CharField(max_length=300)
    owner = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="action_items")
    # PROTECT: a team with action items is history worth keeping (retire it, not delete).
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="action_items"
    )
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    done_at = models.DateTimeField(null=True, blank=True)
    dropped_at = models.DateTimeField(null=True, blank=True)
    # Set by re-dating an overdue item (`services.update_action_item`): the due date it had
    # already passed, the first time. It slipped: follow-through never counts it on time.
    slipped_from = models.DateField(
        null=True, blank=True, help_text="The due date it had passed when it was re-dated."
    )
    source_type = models.CharField(
        max_length=40, choices=ActionSource.choices, blank=True, default=""
    )
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = [models.F("due_on").asc(nulls_last=True), "id"]
        # A person's or a team's items are listed soonest first: their indexes end in that
        # order, or SQLite walks every open item of the organization by due date instead.
        # (Without the planner's statistics SQLite prefers the organization's (org, due_on,
        # id) to the owner's, team's or source's index for reads ordered by due date; the
        # worker refreshes them hourly and `accord generate` after writing.)
        indexes = [
            models.Index(
                fields=["org", "owner", "status", "due_on"], name="decisions_action_owner_due"
            ),
            models.Index(
                fields=["org", "team", "status", "due_on"], name="decisions_action_team_due"
            ),
            models.Index(fields=["org", "status", "due_on"]),
            # Who owes a team's open items: every open item grouped by owner, read off this
            # alone (its team tested in it), without a row of the table. Its status first:
            # led by the organization, it held every column of a read of one owner's items of
            # some teams, and SQLite without its statistics walked the organization's whole
            # index for them rather than the owner's.
            models.Index(
                fields=["status", "org", "owner", "due_on", "team"],
                name="decisions_action_open_owner",
            ),
            # What a person handed out to others (their own action items page).
            models.Index(
                fields=["org", "created_by", "status", "due_on"], name="decisions_action_giver_due"
            ),
            models.Index(fields=["org", "source_type", "source_id"]),
            # The organization's list pages dated items off this, then the undated ones.
            models.Index(fields=["org", "due_on", "id"], name="decisions_action_due_order"),
            # Closed items, latest closed first, for the lists of teams near the top.
            models.Index(
                models.F("org"),
                Coalesce("done_at", "dropped_at").desc(),
                models.F("id").desc(),
                name="decisions_action_closed_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today: dt.date | None = None) -> bool:
        today = today or org_today()  # the organization's day: as the figures beside it
        return self.status == ActionStatus.OPEN and self.due_on is not None and self.due_on < today

    @property
    def done_on_time(self) -> bool | None:
        """Done by its due date (None: not done, or undated and never late). An item that
        slipped (re-dated once overdue) was not, whatever its new date."""
        if self.status != ActionStatus.DONE or self.done_at is None:
            return None
        if self.slipped_from is not None:
            return False
        if self.due_on is None:
            return None
        from accord.decisions.followthrough import done_in_time

        return done_in_time(self.done_at, self.due_on)  # as follow-through counts it


class Severity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


SEVERITY_RANK = {Severity.LOW: 0, Severity.MEDIUM: 1, Severity.HIGH: 2, Severity.CRITICAL: 3}


class IssueStatus(models.TextChoices):
    OPEN = "open", "Open"
    SOLVED = "solved", "Solved"
    DROPPED = "dropped", "Dropped"


def stale_after_days(org: Organization | int) -> int:
    """An open issue that stays this long at one level of the tree is flagged.

    The organization's `issues.stuck` threshold (Insights settings), so the marks on the
    issue pages, the API's `stale` and the worker's flags agree with the signal; the server's
    ACCORD_ISSUE_STALE_DAYS is its default. One query.
    """
    from accord.intelligence.config import for_org  # intelligence reads decisions, not back

    days = for_org(org).detectors.get("issues.stuck", {}).get("days")
    return int(days if days is not None else settings.ACCORD_ISSUE_STALE_DAYS)


class Issue(OrgScoped):
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.MEDIUM)
    # SEVERITY_RANK (critical 3 … low 0), computed by the database on every write, so the
    # issues list (most severe first, `queries.issue_list`) reads its first rows off
    # `decisions_issue_triage` instead of sorting every open issue of the organization.
    severity_rank = models.GeneratedField(
        expression=models.Case(
            *(models.When(severity=s, then=models.Value(r)) for s, r in SEVERITY_RANK.items()),
            default=models.Value(0),
        ),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
    )
    raised_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="issues_raised"
    )
    # PROTECT: deleting a team never takes its issues with it (`org.services.delete_team`).
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="issues", help_text="Where it sits now."
    )
    raised_in = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Where it was first raised.",
    )
    status = models.CharField(max_length=10, choices=IssueStatus.choices, default=IssueStatus.OPEN)
    resolution = models.TextField(blank=True)
    decision = models.ForeignKey(
        Decision, null=True, blank=True, on_delete=models.SET_NULL, related_name="issues"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    level_since = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    flagged_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was flagged as stuck at its current level."
    )
    owner = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="issues_owned",
        help_text="Who brings it to the meeting and sees it through.",
    )
    rank = models.PositiveIntegerField(
        null=True, blank=True, help_text="Its place in the team's issues list; 1 comes first."
    )
    kept_count = models.PositiveIntegerField(
        default=0,
        db_default=0,  # bulk writers (the generator, imports) may leave it out
        help_text="How many meetings kept it for next time.",
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["org", "team", "status"]),
            models.Index(fields=["org", "status", "level_since"]),
            # The API's list, newest first: a page read off it, not every issue sorted.
            models.Index(fields=["org", "-opened_at", "-id"], name="decisions_issue_newest"),
            # The issues list's order (most severe first, then longest at its level), and
            # its counts and filter by severity: read off the index, not sorted.
            models.Index(
                fields=["org", "status", "-severity_rank", "level_since", "id"],
                name="decisions_issue_triage",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def days_at_level(self, now: dt.datetime | None = None) -> int:
        return ((now or timezone.now()) - self.level_since).days

    def is_stale(self, now: dt.datetime | None = None, days: int | None = None) -> bool:
        """Open at one level for the organization's threshold or longer. A list passes the
        threshold it read once (or annotates `stale_days`) rather than one query a row."""
        if self.status != IssueStatus.OPEN:
            return False
        if days is None:
            days = getattr(self, "stale_days", None)
        if days is None:
            days = stale_after_days(self.org_id)
        return self.days_at_level(now) >= days


class IssueEscalation(OrgScoped):
    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="escalations")
    from_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    to_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    days_at_level = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.issue} → {self.to_team}"


class IssueVote(OrgScoped):
    """One person's vote on an issue (+1 up, -1 down); changeable, one per person."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="votes")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    value = models.SmallIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issue", "person"], name="decisions_issue_vote_once"),
            models.CheckConstraint(
                condition=models.Q(value__in=(-1, 1)), name="decisions_issue_vote_up_or_down"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.value:+d} on {self.issue}"


class FollowTally(OrgScoped):
    """One day of follow-through counts of one subject (see `followthrough.py`): the
    organization, an owner, a team alone or a team with every team below it."""

    kind = models.CharField(max_length=5)  # org, owner, team, tree
    subject = models.PositiveBigIntegerField()  # the organization's, person's or team's id
    day = models.DateField()  # due day; done day of undated items; 0001-01-01: undated open
    due = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)
    late = models.IntegerField(default=0)
    undated_done = models.IntegerField(default=0)
    undated_open = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["org", "kind", "subject", "day"], name="decisions_follow_tally_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject} {self.day}"


class LatencyFigure(OrgScoped):
    """Decision latency over the last `period` days, as computed at `computed_at` (see
    `latency.py`): of the organization (`kind` "org", `subject` 0), of a team's decisions
    ("team") or of an approver's ("approver"). Days are rounded to a tenth, as shown."""

    period = models.PositiveSmallIntegerField()  # days: one of latency.PERIODS
    kind = models.CharField(max_length=8)  # org, team, approver
    subject = models.PositiveBigIntegerField()  # the team's or person's id; 0 for the org
    count = models.PositiveIntegerField()
    median = models.FloatField(null=True)
    mean = models.FloatField(null=True)
    longest = models.FloatField(null=True)
    # Fewer than latency.MIN_DECISIONS decisions: ranked after the others.
    few = models.BooleanField(default=False)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["org", "period", "kind", "subject"], name="decisions_latency_figure"
            )
        ]
        # The slowest first (those of few decisions last): a page shows a screen of the
        # thousands a large organization has.
        indexes = [
            models.Index(
                fields=["org", "period", "kind", "few", "-median"],
                name="decisions_latency_ranked",
            )
        ]

    def __str__(self) -> str:
        return f"{self.period}d {self.kind} {self.subject}: {self.median}"
