"""Periods, objectives, key results, initiatives and the teams' priority stacks.

Progress is never stored by hand for key results and objectives: it is derived from the
numbers (see `progress.py`) and rolled up the alignment graph; the services keep each
objective's rolled-up figures stored on write (see `rollups.py`).
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower

from accord.org.models import OrgScoped, Person, Team


class PeriodKind(models.TextChoices):
    QUARTER = "quarter", "Quarter"
    HALF = "half", "Half year"
    YEAR = "year", "Year"
    RELEASE = "release", "Release cycle"
    CUSTOM = "custom", "Custom"


class PeriodState(models.TextChoices):
    PLANNING = "planning", "Planning"
    ACTIVE = "active", "Active"
    CLOSED = "closed", "Closed"


class Period(OrgScoped):
    """A named cycle (a quarter, a half, a year or custom dates); one per org is current."""

    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=PeriodKind.choices, default=PeriodKind.QUARTER)
    start = models.DateField()
    end = models.DateField()
    state = models.CharField(
        max_length=10, choices=PeriodState.choices, default=PeriodState.PLANNING
    )
    is_current = models.BooleanField(default=False)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-start", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["org"], condition=Q(is_current=True), name="period_one_current_per_org"
            ),
            models.UniqueConstraint(fields=["org", "name"], name="period_name_unique_in_org"),
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="period_ends"),
        ]
        indexes = [models.Index(fields=["org", "start"])]

    def __str__(self) -> str:
        return self.name

    def encloses(self, other: Period) -> bool:
        """True when `other` lies within this period (a period encloses itself)."""
        return self.start <= other.start and self.end >= other.end

    @property
    def is_closed(self) -> bool:
        return self.state == PeriodState.CLOSED


class ObjectiveLevel(models.TextChoices):
    ORG = "org", "Organization"
    TEAM = "team", "Team"


class ObjectiveStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    ACHIEVED = "achieved", "Achieved"
    MISSED = "missed", "Missed"
    DROPPED = "dropped", "Dropped"


OPEN_OBJECTIVE_STATUSES = (ObjectiveStatus.DRAFT, ObjectiveStatus.ACTIVE)
# An objective's result: what one of a closed period can still be given (scored).
FINAL_OBJECTIVE_STATUSES = (
    ObjectiveStatus.ACHIEVED,
    ObjectiveStatus.MISSED,
    ObjectiveStatus.DROPPED,
)


class Objective(OrgScoped):
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="objectives"
    )
    level = models.CharField(
        max_length=10, choices=ObjectiveLevel.choices, default=ObjectiveLevel.TEAM
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="objectives"
    )
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="objectives")
    status = models.CharField(
        max_length=10, choices=ObjectiveStatus.choices, default=ObjectiveStatus.ACTIVE
    )
    confidence = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="How likely it is to be achieved, from 1 to 10."
    )
    confidence_updated_at = models.DateTimeField(null=True, blank=True)
    carried_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="carried_to"
    )
    # Stored roll-up, kept by the services on every write that changes it (rollups.py).
    rollup_progress = models.FloatField(null=True, blank=True, editable=False)
    covered = models.BooleanField(
        default=False,
        db_default=False,
        editable=False,
        help_text="Proposed or active work serves it or something below it.",
    )
    orphaned = models.BooleanField(
        default=False,
        db_default=False,
        editable=False,
        help_text="Active, not covered (no proposed or active work), of an open period.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(confidence__isnull=True) | Q(confidence__gte=1, confidence__lte=10),
                name="objective_confidence_1_to_10",
            ),
            models.CheckConstraint(
                condition=Q(level="org") | Q(team__isnull=False),
                name="objective_team_level_has_team",
            ),
        ]
        indexes = [
            models.Index(fields=["org", "period", "status"]),
            models.Index(fields=["org", "team"]),
            models.Index(fields=["org", "period", "orphaned"]),
            # The organization-wide agenda reviews objectives (and their key results) by title.
            models.Index(fields=["org", "title", "id"], name="alignment_objective_title"),
            # The alignment tree's first screen: a period's objectives in the tree's order
            # (queries.TREE_ORDER), read until a page of top ones is found.
            models.Index(
                F("org"),
                F("period"),
                F("level"),
                Lower("title"),
                F("id"),
                name="alignment_objective_tree",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ObjectiveLink(OrgScoped):
    """`child` contributes to `parent` (possibly another team's) with a weight."""

    child = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="parent_links")
    parent = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="child_links")
    weight = models.FloatField(default=1.0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["child", "parent"], name="objectivelink_once"),
            models.CheckConstraint(
                condition=~Q(child=models.F("parent")), name="objectivelink_not_self"
            ),
            models.CheckConstraint(condition=Q(weight__gt=0), name="objectivelink_weight_pos"),
        ]

    def __str__(self) -> str:
        return f"{self.child_id} → {self.parent_id}"


class Direction(models.TextChoices):
    INCREASE = "increase", "Increase to"
    DECREASE = "decrease", "Decrease to"
    ABOVE = "above", "Keep above"
    BELOW = "below", "Keep below"
    RANGE = "range", "Keep within range"


class KeyResult(OrgScoped):
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="key_results")
    name = models.CharField(max_length=300)
    unit = models.CharField(max_length=30, blank=True)
    direction = models.CharField(
        max_length=10, choices=Direction.choices, default=Direction.INCREASE
    )
    start = models.FloatField(default=0)
    target = models.FloatField(default=0)
    current = models.FloatField(default=0)
    range_low = models.FloatField(null=True, blank=True)
    range_high = models.FloatField(null=True, blank=True)
    baseline_date = models.DateField(null=True, blank=True)
    is_milestone = models.BooleanField(default=False)
    done = models.BooleanField(default=False)
    weight = models.FloatField(default=1.0)
    owner = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="key_results"
    )
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(weight__gt=0), name="keyresult_weight_pos"),
        ]
        indexes = [
            models.Index(fields=["org", "owner"]),
            # The API's list in its order, objective by objective: a page read off it, where
            # sorting the organization's 90,000 key results took 40 ms at 10,000 teams.
            models.Index(
                fields=["org", "objective", "position", "id"], name="alignment_kr_in_order"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def progress(self) -> float:
        from accord.alignment.progress import kr_progress

        return kr_progress(self)


class KeyResultValue(OrgScoped):
    """One recorded value of a key result: the history behind its trend line."""

    key_result = models.ForeignKey(KeyResult, on_delete=models.CASCADE, related_name="values")
    value = models.FloatField()
    recorded_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(db_index=True)
    note = models.CharField(max_length=500, blank=True)
    # Where the value came from: empty when a person recorded it, "source" when Accord
    # pulled it from the key result's source (accord.sources).
    source = models.CharField(max_length=20, blank=True, default="", db_default="")

    class Meta:
        ordering = ["recorded_at", "id"]
        indexes = [models.Index(fields=["key_result", "recorded_at"])]

    def __str__(self) -> str:
        return f"{self.key_result_id}={self.value}"


class FrozenKeyResult(OrgScoped):
    """The read-only record of a key result when its period was closed."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="frozen")
    key_result = models.OneToOneField(KeyResult, on_delete=models.CASCADE, related_name="frozen")
    value = models.FloatField()
    done = models.BooleanField(default=False)
    progress = models.FloatField()
    frozen_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]


class ConfidenceUpdate(OrgScoped):
    objective = models.ForeignKey(
        Objective, on_delete=models.CASCADE, related_name="confidence_updates"
    )
    confidence = models.PositiveSmallIntegerField()
    by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(db_index=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["objective", "at"])]


class InitiativeStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


OPEN_INITIATIVE_STATUSES = (
    InitiativeStatus.PROPOSED,
    InitiativeStatus.ACTIVE,
    InitiativeStatus.PAUSED,
)
# The initiatives that serve an objective, the one definition behind `covered` and
# `orphaned` (rollups.py), the pages and the objectives.orphaned signal: work planned or
# under way. An objective no such initiative serves (directly, through a key result, or
# through an objective contributing to it) is orphaned while active in an open period.
SERVING_INITIATIVE_STATUSES = ("proposed", "active")


class Initiative(OrgScoped):
    """The work a team does; active ones are ranked in the team's priority stack."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="initiatives")
    owner = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="initiatives"
    )
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, choices=InitiativeStatus.choices, default=InitiativeStatus.PROPOSED
    )
    start_date = models.DateField(null=True, blank=True)
    target_date = models.DateField(null=True, blank=True, help_text="Empty for ongoing work.")
    baseline_target_date = models.DateField(
        null=True, blank=True, help_text="The first committed target date; never moves."
    )
    replan_count = models.PositiveIntegerField(default=0)
    effort_weeks = models.FloatField(null=True, blank=True, help_text="Person-weeks.")
    progress = models.PositiveSmallIntegerField(default=0)
    stage = models.CharField(
        max_length=40, blank=True, help_text="Maturity stage, free text (e.g. alpha, beta, stable)."
    )
    rank = models.PositiveIntegerField(
        null=True, blank=True, help_text="Position in the team's priority stack (1 = top)."
    )
    # Proposed work is ranked apart from the stack, in the team's "Next up" list: the order
    # the team means to take it up in (1 = first). Kept dense by the services; None unless
    # proposed.
    next_rank = models.PositiveIntegerField(
        null=True, blank=True, help_text="Position in the team's Next up list (1 = first)."
    )
    # Stored: serves at least one key result or objective (kept by the services, rollups.py).
    aligned = models.BooleanField(default=False, db_default=False, editable=False)
    # Stored: the first day its dependencies make it blocked, None if they cannot (kept by
    # the coordination services, blocked.py); blocked on a day = open and blocked_from <= day.
    blocked_from = models.DateField(null=True, blank=True, editable=False)
    key_results = models.ManyToManyField(
        KeyResult, through="InitiativeKeyResult", related_name="initiatives", blank=True
    )
    objectives = models.ManyToManyField(
        Objective, through="InitiativeObjective", related_name="initiatives", blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        # Each team's priority stack, ranked work first (#1 at the top), then what has no
        # rank by title; nulls placed explicitly (SQLite sorts them first, PostgreSQL last),
        # as the initiatives list orders them (`queries.BY_TEAM_AND_PRIORITY`).
        ordering = ["team_id", F("rank").asc(nulls_last=True), "title", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="initiative_progress_max"),
            models.CheckConstraint(
                condition=Q(effort_weeks__isnull=True) | Q(effort_weeks__gte=0),
                name="initiative_effort_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["org", "team", "status"]),
            models.Index(fields=["team", "rank"]),
            models.Index(fields=["org", "aligned", "status"]),
            # The organization-wide agenda reads late initiatives, longest overdue first, off it.
            models.Index(fields=["org", "target_date", "id"], name="alignment_init_target"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def slip_days(self) -> int | None:
        """Days the target has moved against the first committed one (positive = later)."""
        if self.baseline_target_date is None or self.target_date is None:
            return None
        return (self.target_date - self.baseline_target_date).days


class InitiativeKeyResult(OrgScoped):
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="kr_links")
    key_result = models.ForeignKey(
        KeyResult, on_delete=models.CASCADE, related_name="initiative_links"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["initiative", "key_result"], name="initiative_kr_once")
        ]


class InitiativeObjective(OrgScoped):
    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="objective_links"
    )
    objective = models.ForeignKey(
        Objective, on_delete=models.CASCADE, related_name="initiative_links"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "objective"], name="initiative_objective_once"
            )
        ]


class InitiativeLinkKind(models.TextChoices):
    REPLACES = "replaces", "Replaces"


INITIATIVE_LINK_INVERSE = {InitiativeLinkKind.REPLACES: "Replaced by"}


class InitiativeLink(OrgScoped):
    """A relation between two initiatives, stored once: `from_initiative` replaces
    `to_initiative`; "replaced by" is the same row read from the other end."""

    from_initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="links_out"
    )
    to_initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(
        max_length=20, choices=InitiativeLinkKind.choices, default=InitiativeLinkKind.REPLACES
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["from_initiative", "to_initiative", "kind"], name="initiative_link_once"
            ),
            models.CheckConstraint(
                condition=~Q(from_initiative=models.F("to_initiative")),
                name="initiative_link_not_self",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_initiative} {self.get_kind_display().lower()} {self.to_initiative}"


class Replan(OrgScoped):
    """One change of an initiative's target date, with the reason given."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="replans")
    old_target_date = models.DateField(null=True, blank=True)
    new_target_date = models.DateField(null=True, blank=True)
    reason = models.TextField()
    by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["at", "id"]


class RankChange(OrgScoped):
    """One re-ranking in a team's priority stack: the data behind priority churn."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="rank_changes")
    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="rank_changes"
    )
    old_rank = models.PositiveIntegerField(null=True, blank=True)
    new_rank = models.PositiveIntegerField(null=True, blank=True)
    by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["org", "team", "at"])]


class TeamAlignmentSettings(OrgScoped):
    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="alignment_settings")
    wip_limit = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Most active initiatives the team means to run at once."
    )
    version = models.PositiveIntegerField(default=1)


class AlignmentSettings(OrgScoped):
    """What this organization calls the concepts (goals, outcomes, rocks, projects …)."""

    objective_label = models.CharField(max_length=40, default="Objective")
    key_result_label = models.CharField(max_length=40, default="Key result")
    initiative_label = models.CharField(max_length=40, default="Initiative")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org"], name="alignmentsettings_once")]


class MilestoneKind(models.TextChoices):
    FEATURE_FREEZE = "feature_freeze", "Feature freeze"
    CODE_FREEZE = "code_freeze", "Code freeze"
    RELEASE_CANDIDATE = "release_candidate", "Release candidate"
    RELEASE = "release", "Release"
    PLANNING = "planning", "Planning day"
    OTHER = "other", "Other"


class Milestone(OrgScoped):
    """A dated synchronization point for the whole organization or a set of teams.

    A relative milestone has an `anchor` and an `offset_days` ("R-5 weeks" is -35 days
    from the release): its `date` is stored, kept equal to the anchor's date plus the
    offset by the services on every move (see `milestones.py`).
    """

    name = models.CharField(max_length=200)
    kind = models.CharField(
        max_length=20, choices=MilestoneKind.choices, default=MilestoneKind.OTHER
    )
    date = models.DateField()
    period = models.ForeignKey(
        Period, null=True, blank=True, on_delete=models.PROTECT, related_name="milestones"
    )
    teams = models.ManyToManyField(
        Team, blank=True, related_name="+", help_text="None: the whole organization."
    )
    anchor = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="dependants"
    )
    offset_days = models.IntegerField(default=0)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["date", "name"]
        constraints = [
            models.UniqueConstraint(fields=["org", "name"], name="milestone_name_unique_in_org"),
        ]
        indexes = [models.Index(fields=["org", "date"])]

    def __str__(self) -> str:
        return self.name

    @property
    def offset_label(self) -> str:
        """How a relative milestone's offset reads: "-4 weeks", "+3 days", "same day"."""
        if self.anchor_id is None:
            return ""
        n = self.offset_days
        sign = "-" if n < 0 else "+"
        n = abs(n)
        if n % 7 == 0 and n:
            amount = f"{n // 7} week{'s' if n != 7 else ''}"
        else:
            amount = f"{n} day{'s' if n != 1 else ''}"
        return f"{sign}{amount}" if n else "same day"
