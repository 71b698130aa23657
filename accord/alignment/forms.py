"""Forms for the alignment pages. Choices are always scoped to the organization."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse

from accord.alignment import confidence as bands
from accord.alignment import queries, services
from accord.alignment.models import (
    FINAL_OBJECTIVE_STATUSES,
    Direction,
    Initiative,
    InitiativeStatus,
    KeyResult,
    Milestone,
    MilestoneKind,
    Objective,
    ObjectiveLevel,
    ObjectiveStatus,
    Period,
    PeriodKind,
    PeriodState,
)
from accord.core import dates
from accord.core.days import org_today
from accord.core.services import LONG_TEXT_MAX
from accord.org.models import Person, Role, Team
from accord.org.queries import current_teams
from accord.web import pickers
from accord.web.helpers import NumberField, slug_or_none
from accord.web.twice import again_field, refuse_twin

DATE = forms.DateInput(attrs={"type": "date"})


def _people(org):
    return Person.objects.for_org(org).filter(is_active=True).order_by("name")


def _teams(org):
    return current_teams(org)


def _no_team(form: forms.Form, person: Person | None) -> str:
    """Why a new objective or initiative may be set for no team, "" when some team is
    offered: "none" (the organization has no team yet) or "member" (in no team, leading
    none; a viewer never reaches the form). The page says it in place of the form rather
    than offer an empty team picker."""
    if form.fields["team"].queryset.exists():
        return ""
    return "none" if person is None or person.has_role(Role.LEADER) else "member"


def _said_narrowed(field: forms.Field, person: Person | None, what: str) -> None:
    """Say, under a team picker that offers only the teams whose `what` ("objectives") the
    person may set (`services.teams_acted_for`), that it does: a team they type and do not
    find is not missing. A leader or an admin, offered every team, is told nothing."""
    if person is not None and not person.has_role(Role.LEADER):
        field.help_text = f"The teams whose {what} you may set."


class PeriodForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="For example Q3 2026 or H2 2026.")
    kind = forms.ChoiceField(choices=PeriodKind.choices)
    start = dates.DateField(widget=DATE)
    end = dates.DateField(widget=DATE)
    state = forms.ChoiceField(
        choices=[(PeriodState.PLANNING, "Planning"), (PeriodState.ACTIVE, "Active")]
    )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", "Must be on or after the start date.")
        return data


class CarryOverForm(forms.Form):
    to_period = forms.ModelChoiceField(
        queryset=Period.objects.none(), label="Carry into", empty_label="— choose a period —"
    )

    def __init__(self, *args, org, period: Period, periods: list[Period] | None = None, **kwargs):
        """`periods`, the organization's periods already read (the periods page): the
        choices are taken from them, by the same rule, with no query."""
        super().__init__(*args, **kwargs)
        field = self.fields["to_period"]
        field.queryset = (
            Period.objects.for_org(org)
            .exclude(state=PeriodState.CLOSED)
            .exclude(pk=period.pk)
            .filter(start__gte=period.start)
            .order_by("start")
        )
        self.targets = None
        if periods is not None:
            self.targets = sorted(
                (
                    p
                    for p in periods
                    if not p.is_closed and p.pk != period.pk and p.start >= period.start
                ),
                key=lambda p: (p.start, p.pk),
            )
            field.widget.choices = [("", field.empty_label)] + [
                (p.pk, field.label_from_instance(p)) for p in self.targets
            ]


class PeriodCloseForm(forms.Form):
    """The confirmation of closing a period: before its end it asks for `early`, ticked
    (closing stops judging its open objectives); `then_current` marks another open period
    current as part of closing (empty: the dates decide, `queries.current_period`)."""

    early = forms.BooleanField(required=False)
    then_current = forms.ModelChoiceField(
        queryset=Period.objects.none(), required=False, label="Current period after closing"
    )

    def __init__(self, *args, org, period: Period, closing: dict, labels: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.closing = closing
        field = self.fields["then_current"]
        field.queryset = (  # the open periods not yet ended
            Period.objects.for_org(org)
            .exclude(state=PeriodState.CLOSED)
            .exclude(pk=period.pk)
            .filter(end__gte=org_today())
            .order_by("start", "end", "pk")
        )
        field.empty_label = "Let the dates decide"  # the page names the period they give
        field.label_from_instance = lambda p: f"Mark {p.name} current"
        field.widget.attrs["class"] = "fits"  # no wider than a phone's page
        n = closing["counts"]["open"]
        noun = labels["objective" if n == 1 else "objective_plural"].lower()
        self.fields["early"].label = (
            f"Close it before its end anyway, and stop judging its {n} open {noun}"
            if n
            else "Close it before its end anyway"
        )

    def clean(self):
        data = super().clean()
        if self.closing["early"] and not data.get("early"):
            self.add_error("early", "Tick this to close the period before its end.")
        return data


class ObjectiveForm(forms.Form):
    title = forms.CharField(max_length=300)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=LONG_TEXT_MAX
    )
    period = forms.ModelChoiceField(queryset=Period.objects.none())
    level = forms.ChoiceField(choices=ObjectiveLevel.choices, initial=ObjectiveLevel.TEAM)
    team = pickers.WorkTeamChoiceField(
        queryset=Team.objects.none(), required=False, empty_label="— no team —"
    )
    owner = pickers.AccountableChoiceField(
        queryset=Person.objects.none(), required=False, empty_label="— nobody yet —"
    )
    status = forms.ChoiceField(choices=ObjectiveStatus.choices, initial=ObjectiveStatus.ACTIVE)
    parent = pickers.ObjectiveChoiceField(
        queryset=Objective.objects.none(),
        required=False,
        empty_label="— none (top level) —",
        label="Contributes to",
        help_text="Any team's objective in the same or an enclosing period.",
    )
    weight = NumberField(initial=1, min_value=0.01, label="Weight in the parent")
    again = again_field("objective")

    def __init__(self, *args, org, editing: bool = False, person: Person | None = None, **kwargs):
        """`person`: who fills it in: the teams offered are those whose objectives they may
        set, and their twin of a moment ago is refused. `no_team`: a new objective they may
        set for no team nor for the organization, said in place of the form."""
        super().__init__(*args, **kwargs)
        self.org, self.person, self.again = org, person, False
        periods = Period.objects.for_org(org).exclude(state=PeriodState.CLOSED)
        # An objective edited keeps its own period, closed or not (nothing moves into a
        # closed one); one of a closed period is scored: only its status can change.
        own = self.initial.get("period") if editing else None
        own = own if isinstance(own, Period) else None
        self.scoring = own is not None and own.is_closed
        if own is not None:
            periods = Period.objects.for_org(org).filter(
                ~Q(state=PeriodState.CLOSED) | Q(pk=own.pk)
            )
        self.fields["period"].queryset = periods.order_by("-start")
        # Only the teams whose objectives the person may set (the service's rule): none
        # chosen that the form then refuses. An edited objective keeps its own
        # (`pickers.keep_held`), which its owner may save though not a member of its team.
        self.fields["team"].queryset = services.teams_acted_for(org, person)
        _said_narrowed(self.fields["team"], person, "objectives")
        # The service's rule: neither an agent nor a viewer is an objective's owner.
        self.fields["owner"].queryset = pickers.assignees(pickers.humans(_people(org)))
        # Organization objectives are for leaders and admins (the service's rule): the
        # choice is left out for others, and one posted anyway is refused beside the field.
        # (Others never edit an organization objective: its edit page refuses them.)
        self.org_level_refused = person is not None and not (
            person.is_active and person.has_role(Role.LEADER)
        )
        if self.org_level_refused:
            level = self.fields["level"]
            level.widget.choices = [c for c in level.choices if c[0] != ObjectiveLevel.ORG]
            level.help_text = "Organization objectives are set by leaders and admins."
        self.no_team = "" if editing or not self.org_level_refused else _no_team(self, person)
        if editing:
            del self.fields["parent"], self.fields["weight"], self.fields["again"]
            if self.scoring:
                self._score_only(own)
            return
        parents = (
            Objective.objects.for_org(org)
            .exclude(period__state=PeriodState.CLOSED)
            .select_related("period", "team")
            .order_by("title")
        )
        # Only what the chosen period may contribute to (as the objective page's picker
        # offers): the period posted, else the one the form starts with.
        chosen = self.data.get("period") if self.is_bound else self.initial.get("period")
        period = chosen if isinstance(chosen, Period) else None
        if period is None and str(chosen or "").isdigit():
            period = periods.filter(pk=int(chosen)).first()
        if period is not None and not period.is_closed:
            parents = parents.filter(pickers.enclosing(period))
            self.fields["parent"].error_messages["invalid_choice"] = (
                f"Choose an objective of {period.name} or of a period that encloses it."
            )
            self.fields[
                "parent"
            ].help_text = f"Any team's objective of {period.name} or of a period that encloses it."
            # Its search box, where the organization is large, offers the same.
            self.fields["parent"].widget.search_params = {"period": period.pk}
        self.fields["parent"].queryset = parents
        self.fields["parent"].label_from_instance = _objective_label
        # A contribution cascaded to a team is owned by the team's lead unless someone else
        # is chosen: filled in on saving (`clean`), for whichever team is chosen then.
        cascaded = self.data.get("parent") if self.is_bound else self.initial.get("parent")
        self.cascaded = bool(cascaded)
        self.owner_is_lead = None  # the lead made owner on saving, said by the page
        if self.cascaded:
            self.fields["owner"].help_text = LEAD_OWNS
        # Choosing another period shows "Contributes to" again for it: htmx asks this page
        # for that period (keeping the parent chosen where it still fits) and swaps in just
        # that field, the rest of the form as typed. Without script the server refuses a
        # parent the period may not contribute to, naming the period.
        field_id = f"#{self['parent'].auto_id}-field"
        self.fields["period"].widget.attrs.update(
            {
                "hx-get": reverse("alignment:objective_new", kwargs={"org_slug": org.slug}),
                "hx-trigger": "change",
                "hx-include": "[name='parent']",
                "hx-target": field_id,
                "hx-select": field_id,
                "hx-swap": "outerHTML",
                "hx-sync": "this:replace",
            }
        )

    def _score_only(self, period: Period) -> None:
        """A closed period's objective: its status (achieved, missed, dropped) is all that
        can change; the rest is shown as it is."""
        for name in ("title", "description", "period", "level", "team", "owner"):
            self.fields[name].disabled = True
        if self.initial.get("level") == ObjectiveLevel.ORG:
            del self.fields["team"]  # an organization objective belongs to no team
        status = self.fields["status"]
        held = self.initial.get("status")
        status.choices = [
            c for c in ObjectiveStatus.choices if c[0] in FINAL_OBJECTIVE_STATUSES or c[0] == held
        ]
        status.help_text = (
            f"{period.name} is closed: score it achieved, missed or dropped. The rest is "
            "its frozen record."
        )

    def clean_level(self):
        level = self.cleaned_data["level"]
        if level == ObjectiveLevel.ORG and self.org_level_refused:
            raise ValidationError(ORG_LEVEL_REFUSED)
        return level

    def clean(self):
        data = super().clean()
        if data.get("level") == ObjectiveLevel.TEAM and not data.get("team"):
            self.add_error("team", "A team objective needs a team.")
        if data.get("level") == ObjectiveLevel.ORG and data.get("team"):
            self.add_error(
                "team",
                "An organization objective belongs to no team: choose “— no team —”, or "
                "Level Team.",
            )
        if "again" in self.fields:  # a new objective: the same one set a moment ago?
            twin = queries.twin_objective(
                self.org,
                self.person,
                data.get("title") or "",
                data.get("period"),
                data.get("level") or "",
                data.get("team"),
            )
            refuse_twin(self, data, "title", twin, _twin_said(services.twin_objective_said))
        if getattr(self, "cascaded", False) and data.get("parent") and not data.get("owner"):
            team = data.get("team") if data.get("level") == ObjectiveLevel.TEAM else None
            data["owner"] = self.owner_is_lead = services.lead_to_own(team and team.pk)
        return data


LEAD_OWNS = "Left empty: the team's lead owns it."


def _twin_said(said):
    """What the form says of a twin: the service's words, and the box to make it anyway."""
    return lambda twin: f"{said(twin)}, or tick the box to make a second one."


ORG_LEVEL_REFUSED = (
    "Only a leader or an admin may set organization objectives; choose Team and the team "
    "it belongs to."
)


def _objective_label(o: Objective) -> str:
    who = o.team.name if o.team_id else "Organization"
    return f"{o.title} ({who}, {o.period.name})"


class ParentForm(forms.Form):
    parent = pickers.ObjectiveChoiceField(queryset=Objective.objects.none(), label="Contributes to")
    weight = NumberField(initial=1, min_value=0.01)

    def __init__(self, *args, org, objective: Objective, **kwargs):
        super().__init__(*args, **kwargs)
        p = objective.period
        self.fields["parent"].widget.search_params = {"period": p.pk}
        self.fields["parent"].queryset = (
            Objective.objects.for_org(org)
            .filter(pickers.enclosing(p))
            .exclude(pk=objective.pk)
            .select_related("period", "team")
            .order_by("title")
        )
        self.fields["parent"].label_from_instance = _objective_label


WHOLE_1_TO_10 = f"A whole number from {bands.LOWEST} to {bands.HIGHEST}."


class ConfidenceForm(forms.Form):
    confidence = forms.IntegerField(
        min_value=bands.LOWEST,
        max_value=bands.HIGHEST,
        help_text=f"1 = will not happen, 10 = certain: {bands.legend()}.",
        error_messages={
            k: WHOLE_1_TO_10 for k in ("required", "invalid", "min_value", "max_value")
        },
    )
    note = forms.CharField(max_length=500, required=False)


class KeyResultForm(forms.Form):
    name = forms.CharField(max_length=300, label="Metric")
    unit = forms.CharField(max_length=30, required=False, help_text="%, €, ms, customers …")
    direction = forms.ChoiceField(choices=Direction.choices)
    start = NumberField(initial=0)
    target = NumberField(
        required=False, help_text="The value to reach or to hold; not needed for a range."
    )
    range_low = NumberField(required=False, label="Range low")
    range_high = NumberField(required=False, label="Range high")
    current = NumberField(required=False, help_text="Defaults to the start value.")
    baseline_date = dates.DateField(required=False, widget=DATE)
    is_milestone = forms.BooleanField(
        required=False, label="Milestone (done / not done instead of a number)"
    )
    weight = NumberField(initial=1, min_value=0.01)
    owner = pickers.AssigneeChoiceField(
        queryset=Person.objects.none(), required=False, empty_label="— the objective's owner —"
    )
    again = again_field("key result")

    def __init__(
        self,
        *args,
        org,
        editing: bool = False,
        objective: Objective | None = None,
        person: Person | None = None,
        **kwargs,
    ):
        """`objective` and `person`: where and by whom a new key result is added (their
        twin of a moment ago is refused)."""
        super().__init__(*args, **kwargs)
        self.org, self.objective, self.person, self.again = org, objective, person, False
        self.fields["owner"].queryset = pickers.assignees(_people(org))  # no viewer owns one
        if editing:
            del self.fields["current"], self.fields["again"]

    def clean(self):
        data = super().clean()
        ranged = data.get("direction") == Direction.RANGE or data.get("is_milestone")
        if data.get("target") is None and ranged:
            data["target"] = 0  # not used; any other key result needs one (the services say so)
        if data.get("direction") == Direction.RANGE and not data.get("is_milestone"):
            low, high = data.get("range_low"), data.get("range_high")
            if low is None:
                self.add_error("range_low", "Required for a range.")
            if high is None:
                self.add_error("range_high", "Required for a range.")
            if low is not None and high is not None and low > high:
                self.add_error("range_high", "Must be at least the low bound.")
        if "again" in self.fields:  # a new key result: the same one added a moment ago?
            twin = queries.twin_key_result(
                self.org, self.person, self.objective, data.get("name") or ""
            )
            refuse_twin(self, data, "name", twin, _twin_said(services.twin_key_result_said))
        return data


class ValueForm(forms.Form):
    value = NumberField(label="New value")
    note = forms.CharField(max_length=500, required=False)
    # The day the value was measured (empty: now). One dated before the newest recorded
    # value goes into the history at its date; the current value stays the newest.
    as_of = dates.DateField(required=False, label="As of", widget=DATE)
    # Ticked after a warning that the value looks like a slip (services.unusual_value).
    record_anyway = forms.BooleanField(required=False, label="Record anyway")

    def __init__(self, *args, unit: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["value"].unit = unit  # "99,96 %" for a key result measured in %


class VoidValueForm(forms.Form):
    reason = forms.CharField(max_length=500, required=False, label="Why (optional)")


class InitiativeForm(forms.Form):
    title = forms.CharField(max_length=300)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=LONG_TEXT_MAX
    )
    team = pickers.WorkTeamChoiceField(queryset=Team.objects.none())
    owner = pickers.AssigneeChoiceField(
        queryset=Person.objects.none(), required=False, empty_label="— nobody yet —"
    )
    status = forms.ChoiceField(choices=InitiativeStatus.choices, initial=InitiativeStatus.PROPOSED)
    start_date = dates.DateField(required=False, widget=DATE)
    target_date = dates.DateField(
        required=False, widget=DATE, help_text="Leave empty for ongoing work."
    )
    reason = forms.CharField(
        max_length=2000,
        required=False,
        label="Reason for the new date",
        help_text="Needed when you move a committed target date (a re-plan).",
    )
    effort_weeks = NumberField(required=False, min_value=0, label="Effort (person-weeks)")
    progress = forms.IntegerField(min_value=0, max_value=100, initial=0, label="Progress %")
    stage = forms.CharField(
        max_length=40, required=False, help_text="Free text, e.g. alpha, beta, stable."
    )
    serves = pickers.KeyResultMultipleChoiceField(
        queryset=KeyResult.objects.none(),
        required=False,
        label="Serves key results",
        widget=pickers.PickerSelectMultiple(attrs={"size": 6}),
    )
    serves_objectives = pickers.ObjectiveMultipleChoiceField(
        queryset=Objective.objects.none(),
        required=False,
        label="Serves objectives",
        widget=pickers.PickerSelectMultiple(attrs={"size": 4}),
    )
    again = again_field("initiative")

    def __init__(self, *args, org, editing: bool = False, person: Person | None = None, **kwargs):
        """`person`: who fills it in: the teams offered are those whose initiatives they
        may set (or move one to), and their twin of a moment ago is refused. `no_team`: a
        new initiative they may set for no team, said in place of the form."""
        super().__init__(*args, **kwargs)
        self.org, self.person, self.again = org, person, False
        # Only the teams whose initiatives the person may set or move one to (the
        # service's rule); an edited initiative keeps its own (`pickers.keep_held`).
        self.fields["team"].queryset = services.teams_acted_for(org, person)
        _said_narrowed(self.fields["team"], person, "initiatives")
        self.fields["owner"].queryset = pickers.assignees(_people(org))  # no viewer owns one
        self.no_team = "" if editing else _no_team(self, person)
        if editing:
            del self.fields["status"], self.fields["serves"], self.fields["serves_objectives"]
            del self.fields["again"]
            self.fields["team"].help_text = " ".join(
                filter(
                    None,
                    (
                        self.fields["team"].help_text,
                        "Its dependencies move with it: the new team asks for what it needs "
                        "and delivers what it committed to.",
                    ),
                )
            )
            return
        del self.fields["reason"]
        open_periods = ~Q(objective__period__state=PeriodState.CLOSED)
        self.fields["serves"].queryset = (
            KeyResult.objects.for_org(org)
            .filter(open_periods)
            .select_related("objective__period", "objective__team")
            .order_by("objective__title", "position")
        )
        self.fields["serves_objectives"].queryset = (
            Objective.objects.for_org(org)
            .exclude(period__state=PeriodState.CLOSED)
            .select_related("period", "team")
            .order_by("title")
        )
        self.fields["serves_objectives"].label_from_instance = _objective_label

    def clean(self):
        data = super().clean()
        start, target = data.get("start_date"), data.get("target_date")
        if start and target and target < start:
            self.add_error("target_date", "Must be on or after the start date.")
        if "again" in self.fields:  # a new initiative: the same one created a moment ago?
            twin = queries.twin_initiative(
                self.org, self.person, data.get("title") or "", data.get("team")
            )
            refuse_twin(self, data, "title", twin, _twin_said(services.twin_initiative_said))
        return data


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=InitiativeStatus.choices)
    reason = forms.CharField(max_length=2000, required=False)
    override_reason = forms.CharField(
        max_length=2000,
        required=False,
        label="Override reason",
        help_text="Only if a check refuses the change and you proceed knowingly.",
    )


class InitiativeLinkForm(forms.Form):
    key_result = pickers.KeyResultChoiceField(queryset=KeyResult.objects.none(), required=False)
    objective = pickers.ObjectiveChoiceField(queryset=Objective.objects.none(), required=False)

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key_result"].queryset = (
            KeyResult.objects.for_org(org)
            .exclude(objective__period__state=PeriodState.CLOSED)
            .select_related("objective__period", "objective__team")
            .order_by("objective__title", "position")
        )
        self.fields["key_result"].label_from_instance = lambda k: f"{k.objective.title} → {k.name}"
        self.fields["objective"].queryset = (
            Objective.objects.for_org(org)
            .exclude(period__state=PeriodState.CLOSED)
            .select_related("period", "team")
            .order_by("title")
        )
        self.fields["objective"].label_from_instance = _objective_label

    def clean(self):
        data = super().clean()
        if bool(data.get("key_result")) == bool(data.get("objective")):
            raise forms.ValidationError("Choose one key result or one objective.")
        return data


class ReplacementForm(forms.Form):
    """Say that this initiative replaces another, or is replaced by it."""

    direction = forms.ChoiceField(
        choices=[("replaces", "Replaces"), ("replaced_by", "Is replaced by")],
        initial="replaces",
        label="This one",
    )
    other = pickers.InitiativeChoiceField(queryset=Initiative.objects.none(), label="Initiative")

    def __init__(self, *args, org, item, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["other"].queryset = (
            Initiative.objects.for_org(org).exclude(pk=item.pk).order_by("title", "id")
        )


class WipForm(forms.Form):
    wip_limit = forms.IntegerField(
        min_value=1,
        max_value=1000,
        required=False,
        label="WIP limit",
        help_text="Most active initiatives at once; empty for no limit.",
    )


class LabelsForm(forms.Form):
    objective_label = forms.CharField(max_length=40, label="An objective is called")
    key_result_label = forms.CharField(max_length=40, label="A key result is called")
    initiative_label = forms.CharField(max_length=40, label="An initiative is called")


YES_NO = [("", "Either"), ("yes", "Yes"), ("no", "No")]
SORTS = [
    ("", "Team and priority"),
    ("title", "Title, A to Z"),
    ("-title", "Title, Z to A"),
    ("target", "Target date, soonest first"),
    ("-target", "Target date, latest first"),
    ("status", "Status"),
    ("progress", "Progress, least first"),
    ("-progress", "Progress, most first"),
    ("team", "Team name"),
]


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


LONGEST_ID = 18  # digits: any such number fits a database integer


class TeamFilterField(pickers.TeamChoiceField):
    """A list's team, named in the URL as every list names it (`?team=<slug>`, README
    "Lists cut by team"); an id, as links made before named it, is read too and shown as
    the slug from then on. A value that could be neither is refused without being looked
    up (a NUL byte would be a server error on PostgreSQL). Any team of the organization,
    a retired one too: its history stays readable, its pages link here."""

    def __init__(self, **kwargs):
        super().__init__(to_field_name="slug", **kwargs)

    @staticmethod
    def _readable(text: str) -> bool:
        return slug_or_none(text) is not None

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip()
        team = None
        if self._readable(text):
            named = Q(slug=text)
            if text.isdigit() and len(text) <= LONGEST_ID:
                named |= Q(pk=int(text))
            found = list(self.queryset.filter(named)[:2])  # one query; the slug wins
            team = next((t for t in found if t.slug == text), found[0] if found else None)
        if team is None:
            shown = f" “{text}”" if self._readable(text) else ""
            raise ValidationError(f"No team{shown} in this organization.", code="invalid_choice")
        self._read = (value, team)
        return team

    def bound_data(self, data, initial):
        """What the search box shows: the team read (by its slug, though the URL gave its
        id); nothing, and nothing looked up, for a value that cannot name a team."""
        read = getattr(self, "_read", None)
        if read is not None and read[0] == data:
            return read[1].slug
        if data in self.empty_values or not self._readable(str(data).strip()):
            return None
        return data


OPEN_STATUS = "open"  # the status filter's value for every open status at once


class InitiativeFilterForm(forms.Form):
    """The initiatives list's filters, read from the URL (a GET form): what it gives is an
    `InitiativeFilters` for `queries.initiative_list`, the one the API uses too."""

    team = TeamFilterField(queryset=Team.objects.none(), required=False)
    only = forms.BooleanField(required=False, label="Only this team (not the teams below)")
    period = forms.ModelChoiceField(
        queryset=Period.objects.none(), required=False, empty_label="Any period"
    )
    status = forms.ChoiceField(
        choices=[
            ("", "Any status"),
            (OPEN_STATUS, "Open (proposed, active or paused)"),
            *InitiativeStatus.choices,
        ],
        required=False,
    )
    stage = forms.CharField(max_length=40, required=False)
    owner = pickers.PersonChoiceField(queryset=Person.objects.none(), required=False)
    objective = pickers.ObjectiveChoiceField(queryset=Objective.objects.none(), required=False)
    aligned = forms.ChoiceField(choices=YES_NO, required=False, label="Aligned")
    blocked = forms.ChoiceField(choices=YES_NO, required=False)
    late = forms.ChoiceField(choices=YES_NO, required=False)
    sort = forms.ChoiceField(choices=SORTS, required=False)

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.for_org(org).order_by("name", "id")
        self.fields["owner"].queryset = Person.objects.for_org(org).order_by("name")
        self.fields["period"].queryset = Period.objects.for_org(org).order_by("-start", "id")
        current = queries.current_period(org)  # named as every period chooser names it
        self.fields["period"].label_from_instance = lambda p: queries.period_choice_label(
            p, p == current
        )
        self.fields["objective"].queryset = (
            Objective.objects.for_org(org).select_related("period", "team").order_by("title", "id")
        )

    def filters(self):
        from accord.alignment.queries import InitiativeFilters

        d = self.cleaned_data
        return InitiativeFilters(
            team_id=d["team"].pk if d.get("team") else None,
            subtree=not d.get("only"),
            period_id=d["period"].pk if d.get("period") else None,
            status=d.get("status") or "",
            stage=d.get("stage") or "",
            owner_id=d["owner"].pk if d.get("owner") else None,
            objective_id=d["objective"].pk if d.get("objective") else None,
            aligned=_yes_no(d.get("aligned") or ""),
            blocked=_yes_no(d.get("blocked") or ""),
            late=_yes_no(d.get("late") or ""),
            sort=d.get("sort") or "",
        )


class MilestoneForm(forms.Form):
    """A milestone: a fixed date, or relative to another milestone ("R-4 weeks")."""

    name = forms.CharField(max_length=200, help_text="For example Feature freeze 5.2.")
    kind = forms.ChoiceField(choices=MilestoneKind.choices, initial=MilestoneKind.RELEASE)
    date = dates.DateField(
        widget=DATE, required=False, help_text="Leave empty for a milestone relative to another."
    )
    anchor = forms.ModelChoiceField(
        queryset=Milestone.objects.none(),
        required=False,
        label="Relative to",
        empty_label="— a fixed date —",
    )
    offset_weeks = forms.IntegerField(
        min_value=-520,
        max_value=520,
        required=False,
        label="Weeks from it",
        help_text="Negative for before: -4 is R-4 weeks.",
    )
    offset_extra_days = forms.IntegerField(
        min_value=-6, max_value=6, required=False, label="And days"
    )
    period = forms.ModelChoiceField(
        queryset=Period.objects.none(), required=False, empty_label="— no period —"
    )
    teams = pickers.TeamMultipleChoiceField(
        queryset=Team.objects.none(),
        required=False,
        help_text="None: the whole organization.",
    )
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=LONG_TEXT_MAX
    )

    def __init__(self, *args, org, milestone: Milestone | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        anchors = Milestone.objects.for_org(org).order_by("date", "name")
        if milestone is not None:
            anchors = anchors.exclude(pk=milestone.pk)
        self.fields["anchor"].queryset = anchors
        self.fields["period"].queryset = Period.objects.for_org(org).order_by("-start")
        self.fields["teams"].queryset = _teams(org)

    @staticmethod
    def initial_for(m: Milestone) -> dict:
        weeks = int(m.offset_days / 7)  # toward zero: -10 days is -1 week and -3 days
        return {
            "name": m.name,
            "kind": m.kind,
            "date": None if m.anchor_id else m.date,
            "anchor": m.anchor_id,
            "offset_weeks": weeks if m.anchor_id else None,
            "offset_extra_days": (m.offset_days - weeks * 7) if m.anchor_id else None,
            "period": m.period_id,
            "teams": list(m.teams.values_list("pk", flat=True)),
            "description": m.description,
        }

    def clean(self):
        data = super().clean()
        if not data.get("anchor") and not data.get("date") and "date" not in self.errors:
            self.add_error("date", "Give a date, or choose the milestone it is relative to.")
        return data

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        weeks = data.pop("offset_weeks") or 0
        days = data.pop("offset_extra_days") or 0
        data["offset_days"] = weeks * 7 + days
        if data["anchor"] is not None:
            data.pop("date")
        data["teams"] = list(data["teams"])
        return data


class MilestoneMoveForm(forms.Form):
    date = dates.DateField(widget=DATE, label="New date")
