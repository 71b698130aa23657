"""Signals, their episodes, coordination-health scores and the organization's settings.

A *signal* is one thing going wrong, found by a detector (see `detectors.py`) in an
organization's state as of a date. Its identity is (org, kind, subject): recomputing
updates the same row, never adds a second. Each stretch of time during which the
condition held is a `SignalEpisode`, so "the signals as of a past date" is a lookup of the
episodes that covered that moment and equals what an evaluation on that date stored.

A `HealthScore` is one team's coordination health on one day, in five dimensions and
overall, for the team itself and rolled up over its subtree (weighted by people).
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q

from accord.org.models import OrgScoped, Person, Team


def evaluated_day(moment: dt.datetime | None) -> dt.date | dt.datetime | None:
    """A moment as a list item dates it: the end of a day (UTC), the moment an evaluation
    of that day reads (`snapshot.as_moment`: a backfilled or past day's), is that day,
    the organization's (`accord.core.days`), not the next one as a reader east of UTC would
    read the moment; any other moment is itself, read in the reader's zone."""
    if moment is None or not isinstance(moment, dt.datetime) or moment.tzinfo is None:
        return moment
    utc = moment.astimezone(dt.UTC)
    return utc.date() if utc.time() == dt.time(23, 59, 59, 999999) else moment


class SignalSeverity(models.TextChoices):
    INFO = "info", "Info"
    WARNING = "warning", "Warning"
    CRITICAL = "critical", "Critical"


SEVERITY_RANK = {SignalSeverity.INFO: 0, SignalSeverity.WARNING: 1, SignalSeverity.CRITICAL: 2}


CLOSED_TEAM_RETIRED = "team_retired"  # Signal.closed_reason
# Signal.closed_reason of a signal that ended because a more serious one about the same
# subject took over (a dependency predicted late that is now overdue): not fixed either.
CLOSED_TAKEN_OVER = "taken_over"


class SignalState(models.TextChoices):
    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    SNOOZED = "snoozed", "Snoozed"
    DISMISSED = "dismissed", "Dismissed"
    RESOLVED = "resolved", "Resolved"


# States in which the condition still holds (what pages call "open" in the broad sense).
LIVE_STATES = (
    SignalState.OPEN,
    SignalState.ACKNOWLEDGED,
    SignalState.SNOOZED,
    SignalState.DISMISSED,
)
# Live states but dismissed: what a leader reads as "open", what needs attention (the
# health's `open_*` counts, the Insights list by default). A dismissed signal's cause
# holds, but someone said why it does not matter here.
OPEN_STATES = (SignalState.OPEN, SignalState.ACKNOWLEDGED, SignalState.SNOOZED)


class Signal(OrgScoped):
    """One detected problem, identified by (kind, subject). See the module docstring."""

    kind = models.CharField(max_length=60, help_text="The detector's name, e.g. checkins.missed")
    severity = models.CharField(max_length=10, choices=SignalSeverity.choices)
    subject_type = models.CharField(max_length=60, help_text="app.model, e.g. org.team")
    subject_id = models.CharField(max_length=64)
    subject_label = models.CharField(max_length=300, blank=True)
    teams = models.ManyToManyField(Team, through="SignalTeam", related_name="+", blank=True)
    owner = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who is told: the person best placed to act on it.",
    )
    title = models.CharField(max_length=300, help_text="One line: what is wrong.")
    explanation = models.TextField(help_text="Plain language, with the numbers and names.")
    next_step = models.TextField(blank=True, help_text="The suggested next step.")
    # [{"label": str, "value": str|number, "target_type": "app.model"|"", "target_id": str}]
    evidence = models.JSONField(default=list, blank=True)
    numbers = models.JSONField(default=dict, blank=True, help_text="The measures behind it.")
    reach_teams = models.PositiveIntegerField(default=0)
    reach_people = models.PositiveIntegerField(default=0)
    # SEVERITY_RANK (critical 2, warning 1, info 0), computed by the database on every
    # write, so lists ranked by severity (`queries.ranked`) read their first rows off
    # `signal_ranked` instead of sorting every stored signal of the organization.
    severity_rank = models.GeneratedField(
        expression=models.Case(
            *(models.When(severity=s, then=models.Value(r)) for s, r in SEVERITY_RANK.items()),
            default=models.Value(0),
        ),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
    )
    first_seen = models.DateTimeField(help_text="When the current episode began.")
    last_seen = models.DateTimeField()
    state = models.CharField(max_length=14, choices=SignalState.choices, default=SignalState.OPEN)
    snoozed_until = models.DateField(null=True, blank=True)
    dismissed_reason = models.TextField(blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    # Why a resolved signal stopped being found, when it was not fixed: "team_retired" when
    # the teams it concerned were retired (retiring a team is not fixing it), "taken_over"
    # when a more serious signal about the same subject replaced it (`Detector.takes_over`).
    # Empty for a signal whose condition went away, and for every live one.
    closed_reason = models.CharField(max_length=20, blank=True, default="")
    state_changed_at = models.DateTimeField(null=True, blank=True)
    state_changed_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["org", "kind", "subject_type", "subject_id"], name="signal_identity"
            ),
            models.CheckConstraint(
                condition=~Q(state="snoozed") | Q(snoozed_until__isnull=False),
                name="signal_snoozed_has_until",
            ),
        ]
        indexes = [
            models.Index(fields=["org", "state", "severity"]),
            models.Index(fields=["org", "kind"]),
            models.Index(fields=["org", "owner", "state"]),
            models.Index(fields=["org", "first_seen"]),
            models.Index(fields=["org", "resolved_at"]),
            models.Index(
                fields=["org", "severity_rank", "reach_people", "reach_teams", "last_seen", "id"],
                name="signal_ranked",
            ),
        ]

    def __str__(self) -> str:  # as people read it, in the activity feed and histories
        return self.title or self.subject_label or self.subject_id

    @property
    def is_live(self) -> bool:
        return self.state != SignalState.RESOLVED

    @property
    def held_since(self) -> dt.date | dt.datetime:
        """Since when its condition holds: the day its detector dates it by the subject's
        own dates (`numbers["since"]`: the day after a dependency's or a decision's date, the
        day an issue got stuck), whenever an evaluation first found it; else `first_seen`
        (the day, when an evaluation of a day found it: `evaluated_day`)."""
        since = (self.numbers or {}).get("since")
        if isinstance(since, str):
            try:
                return dt.date.fromisoformat(since)
            except ValueError:
                pass
        return evaluated_day(self.first_seen)

    @property
    def first_seen_on(self) -> dt.date | dt.datetime | None:
        """When an evaluation first found it, as a list item dates it (`evaluated_day`)."""
        return evaluated_day(self.first_seen)

    @property
    def last_seen_on(self) -> dt.date | dt.datetime | None:
        """When an evaluation last found it, as a list item dates it (`evaluated_day`)."""
        return evaluated_day(self.last_seen)

    @property
    def resolved_on(self) -> dt.date | dt.datetime | None:
        """When it resolved, as a list item dates it (`evaluated_day`)."""
        return evaluated_day(self.resolved_at)

    @property
    def since_words(self) -> str:
        """How its list item says since when it holds: "late since", "overdue since"..."""
        return SINCE_WORDS.get(self.kind, "since")


# The kinds whose list items name what their condition is with `Signal.held_since`.
SINCE_WORDS = {
    "dependencies.overdue": "late since",
    "decisions.overdue": "overdue since",
    "issues.stuck": "stuck since",
}


class SignalTeam(OrgScoped):
    """A team a signal concerns (filter a subtree by joining on `team_id`)."""

    signal = models.ForeignKey(Signal, on_delete=models.CASCADE, related_name="team_links")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["signal", "team"], name="signal_team_once")]
        indexes = [models.Index(fields=["org", "team"])]


class SignalEpisode(OrgScoped):
    """A stretch of time during which a signal's condition held with the same facts.

    `ended_at` is empty while it holds. When the facts (`severity`, `explanation`,
    `evidence`, `numbers`) change, the stretch ends and the next begins at that moment, so
    the rows covering a past moment hold what that moment's evaluation stored. A signal's
    current episode in the everyday sense began at `Signal.first_seen`.
    """

    signal = models.ForeignKey(Signal, on_delete=models.CASCADE, related_name="episodes")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    severity = models.CharField(max_length=10, choices=SignalSeverity.choices)
    explanation = models.TextField(blank=True)
    evidence = models.JSONField(default=list, blank=True)
    numbers = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["started_at", "id"]
        indexes = [
            models.Index(fields=["org", "started_at"]),
            models.Index(fields=["signal", "started_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.signal_id} {self.started_at:%Y-%m-%d}-{self.ended_at or ''}"


DIMENSIONS = ("alignment", "execution", "dependencies", "rhythm", "decisions")


class HealthScore(OrgScoped):
    """A team's coordination health on one day, 0-100 (100 = nothing wrong).

    The plain fields are the team's own score; the `rollup_` fields aggregate its whole
    subtree (itself included), weighted by each team's people (its memberships);
    `rollup_people` counts the subtree's distinct people, once each. `explanation` says what
    cost points: {"alignment": [{"reason": str, "points": float, "signal_id": int|None}],
    ...}; `open_*` count the live signals not dismissed (`OPEN_STATES`) concerning the
    team itself, `rollup_open_*` those concerning any team of its subtree.

    A score is empty (None) where there was nothing to judge: a dimension without inputs
    or signals, overall when no dimension has a score, a roll-up when no team of the
    subtree has one (`health.py`; `health.why_unscored` says why).
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="health_scores")
    date = models.DateField()
    people = models.PositiveIntegerField(default=0)
    alignment = models.FloatField(null=True, blank=True)
    execution = models.FloatField(null=True, blank=True)
    dependencies = models.FloatField(null=True, blank=True)
    rhythm = models.FloatField(null=True, blank=True)
    decisions = models.FloatField(null=True, blank=True)
    overall = models.FloatField(null=True, blank=True)
    rollup_people = models.PositiveIntegerField(default=0)
    rollup_alignment = models.FloatField(null=True, blank=True)
    rollup_execution = models.FloatField(null=True, blank=True)
    rollup_dependencies = models.FloatField(null=True, blank=True)
    rollup_rhythm = models.FloatField(null=True, blank=True)
    rollup_decisions = models.FloatField(null=True, blank=True)
    rollup_overall = models.FloatField(null=True, blank=True)
    explanation = models.JSONField(default=dict, blank=True)
    open_info = models.PositiveIntegerField(default=0)
    open_warning = models.PositiveIntegerField(default=0)
    open_critical = models.PositiveIntegerField(default=0)
    rollup_open_info = models.PositiveIntegerField(default=0)
    rollup_open_warning = models.PositiveIntegerField(default=0)
    rollup_open_critical = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["team_id", "-date"]
        constraints = [
            models.UniqueConstraint(fields=["org", "team", "date"], name="healthscore_once"),
        ]
        indexes = [models.Index(fields=["org", "date"])]

    def __str__(self) -> str:
        score = "not scored" if self.overall is None else f"{self.overall:.0f}"
        return f"{self.team_id} {self.date}: {score}"


class IntelligenceSettings(OrgScoped):
    """An organization's changes to the detectors' and the health score's defaults.

    `detectors` maps a detector kind to {"enabled": bool, <threshold>: value, ...};
    `health` holds {"weights": {dimension: w}, "penalty": {severity: points}}. Anything
    absent takes the documented default (`config.py` in this app, and the README).
    """

    detectors = models.JSONField(default=dict, blank=True)
    health = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org"], name="intelligencesettings_once")]


class Evaluation(OrgScoped):
    """One run of the catalogue over an organization: when, as of when, what it found."""

    as_of = models.DateTimeField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    found = models.PositiveIntegerField(default=0)
    opened = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    backfill = models.BooleanField(default=False)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["org", "-started_at"])]

    @classmethod
    def first_stored(cls, org) -> dt.datetime | None:
        """As of when the organization's first evaluation that stored its signals ran (not
        a backfill): where its signal history begins. None: never evaluated."""
        return (
            cls.objects.filter(org=org, backfill=False)
            .order_by("as_of")
            .values_list("as_of", flat=True)
            .first()
        )


class DuplicateVerdict(models.TextChoices):
    NOT_DUPLICATE = "not_duplicate", "Not a duplicate"
    RELATED = "related", "Related"
    REPLACES = "replaces", "One replaces the other"


class DuplicateJudgement(OrgScoped):
    """What a person said of a pair of likely duplicate work (see `duplicates.py`).

    One row per pair (`a_id` < `b_id`, both of `object_type`). "Not a duplicate" keeps each
    text's fingerprint as it was, so the pair comes back once either text changes
    substantially; "related" is the link between the two; "replaces" notes that the
    alignment replaces-link was made (that link is the source of truth).
    """

    object_type = models.CharField(max_length=20, help_text="initiative or objective")
    a_id = models.PositiveBigIntegerField()
    b_id = models.PositiveBigIntegerField()
    verdict = models.CharField(max_length=20, choices=DuplicateVerdict.choices)
    a_fingerprint = models.JSONField(default=list, blank=True)
    b_fingerprint = models.JSONField(default=list, blank=True)
    score = models.FloatField(default=0, help_text="The pair's score when judged.")
    decided_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["org", "object_type", "a_id", "b_id"], name="duplicatejudgement_once"
            ),
            models.CheckConstraint(condition=Q(a_id__lt=models.F("b_id")), name="duplicate_a_lt_b"),
        ]

    def __str__(self) -> str:
        return f"{self.object_type} {self.a_id} and {self.b_id}: {self.get_verdict_display()}"
