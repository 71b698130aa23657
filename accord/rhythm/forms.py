"""Forms of the rhythm pages. Validation of meaning lives in the services; these only parse."""

from __future__ import annotations

from django import forms

from accord.activity.models import ChatFlavor
from accord.alignment import confidence as bands
from accord.alignment.models import OPEN_INITIATIVE_STATUSES, Initiative
from accord.core import dates
from accord.core.errors import ServiceError
from accord.core.services import read_decimal, require_text
from accord.decisions import forms as decisions_forms
from accord.decisions.models import Issue
from accord.org.forms import TimezoneField
from accord.org.models import Person, Team
from accord.org.queries import current_teams
from accord.rhythm import picker, recurrence, services
from accord.rhythm.models import CadenceKind, GoalRule, OwedBy, Participation, Scope
from accord.rhythm.templates_catalog import SECTION_SOURCES, TEMPLATES, template_choices
from accord.web import pickers
from accord.web.templatetags.dates import day

CONFIDENCE_CHOICES = [("", "—"), *bands.choices()]


CHOICE_FIELDS = ("repeat", "days", "ordinal", "weekday")
PICKER_FIELDS = (*CHOICE_FIELDS, "ends_on")  # written to the rule, not stored apart
RULE_HELP = (
    "RFC 5545, used when Repeats is “Advanced”: e.g. FREQ=WEEKLY;BYDAY=MO or "
    "FREQ=MONTHLY;BYDAY=1TU."
)


class RecurrencePickerForm(forms.Form):
    """A schedule chosen in words (every other week on Tuesday, the last business day of
    the quarter…) is written to `rrule`; "Advanced" keeps the rule as typed. A stored rule
    the picker can say is shown in it (`picker_initial`); any other shows as the rule."""

    # A new cadence starts on the plainest schedule; a stored rule shows as it was picked
    # (`picker_initial`), "Advanced" only for one the picker cannot say.
    repeat = forms.ChoiceField(
        choices=picker.PATTERNS, initial=picker.WEEKLY, label="Repeats", required=False
    )
    days = forms.MultipleChoiceField(
        choices=picker.DAYS,
        required=False,
        label="On",
        widget=forms.CheckboxSelectMultiple,
        help_text="For every week or every other week.",
    )
    ordinal = forms.ChoiceField(
        choices=[("", "—"), *picker.ORDINALS],
        required=False,
        label="Which",
        help_text="For every month: the first, second… or last weekday.",
    )
    weekday = forms.ChoiceField(choices=[("", "—"), *picker.DAYS], required=False, label="Weekday")
    ends_on = dates.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        label="Ends on",
        help_text="Optional: the last day it may occur (the rule's UNTIL). Empty: no end. "
        "A meeting held once has none.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "start_date" in self.fields:  # "Ends on" beside "Starts on"
            end = self.fields.pop("ends_on")
            fields = list(self.fields.items())
            at = [name for name, _ in fields].index("start_date") + 1
            self.fields = dict([*fields[:at], ("ends_on", end), *fields[at:]])

    def clean(self):
        data = super().clean()
        self._check_end(data)
        repeat = data.get("repeat") or picker.CUSTOM
        # "Ends on" changed is written to the rule whatever wrote the rest of it; left as it
        # was, a rule typed or kept keeps its own end.
        end_changed = "ends_on" in self.changed_data
        if repeat == picker.CUSTOM:
            return self._ended(data, end_changed)
        picked = any(f in self.changed_data for f in CHOICE_FIELDS)
        typed = "rrule" in self.changed_data
        if typed and not picked:  # an expert edited the rule itself: it wins
            data["repeat"] = picker.CUSTOM
            return self._ended(data, end_changed)
        if not picked and not typed and self.rule_from_template(data):
            # The picker left as it was offered: the template's schedule (and its end).
            if data.get("ends_on"):
                data["rrule"] = picker.with_until(self.template_rule(data), data["ends_on"])
            return data
        if repeat == picker.ONCE and not self._once(data):
            return data
        try:
            rule = picker.rule_for(
                repeat, data.get("days"), data.get("ordinal", ""), data.get("weekday", "")
            )
        except ServiceError as exc:
            for name, msgs in exc.fields.items():
                for msg in msgs:
                    self.add_error(name if name in self.fields else None, msg)
            return data
        # The page's script writes the picked rule into the rule field as it is picked (its
        # end is "Ends on"'s).
        typed_rule = picker.with_until(data.get("rrule") or "", None)
        if typed and recurrence.normalize_rule(typed_rule) != rule:
            self.add_error(
                "rrule",
                "Choose a schedule under Repeats or write the rule (with Repeats set to "
                "“Advanced”), not both.",
            )
            return data
        data["rrule"] = picker.with_until(rule, data.get("ends_on"))
        return data

    def _once(self, data: dict) -> bool:
        """Held once: on its start date, which it needs (else refused beside "Starts on");
        it has no end, so an "Ends on" left from before (hidden by the page's script) is
        let go."""
        data["ends_on"] = None
        if not (data.get("start_date") or self.initial.get("start_date")):
            self.add_error(
                "start_date" if "start_date" in self.fields else None,
                "Give the day it is held: a meeting held once is on its start date.",
            )
            return False
        return True

    def _ended(self, data: dict, end_changed: bool) -> dict:
        if end_changed and data.get("rrule"):
            data["rrule"] = picker.with_until(data["rrule"], data.get("ends_on"))
        return data

    def _check_end(self, data: dict) -> None:
        """An end before the start is refused beside "Ends on" (held once: it has none)."""
        if data.get("repeat") == picker.ONCE:
            return
        end = data.get("ends_on")
        start = data.get("start_date") or self.initial.get("start_date")
        if end and start and end < start:
            self.add_error(
                "ends_on", f"It ends before it starts ({day(start)}): give that day or later."
            )

    def rule_from_template(self, data: dict) -> bool:
        """Whether a schedule left unpicked is a template's (the new cadence form's)."""
        return False

    def template_rule(self, data: dict) -> str:
        return ""


ALL_DAY_HELP = (
    "A date, not a meeting (a release day, a planning day): it has no time or duration, "
    "and any given below are ignored."
)


def all_day_field() -> forms.BooleanField:
    """The "All day" box of the cadence forms; the page's script hides the time and the
    duration while it is ticked, and without script the server ignores them."""
    return forms.BooleanField(
        required=False,
        label="All day",
        help_text=ALL_DAY_HELP,
        widget=forms.CheckboxInput(attrs={"data-all-day": ""}),
    )


def drop_time_if_all_day(data: dict) -> dict:
    """An all-day cadence's time and duration are whatever the hidden (or, without script,
    visible) fields held: they mean nothing, so they are dropped, not refused."""
    if data.get("all_day"):
        data["time"] = data["duration_minutes"] = None
    return data


def picker_initial(rule: str) -> dict:
    """The picker's fields for a stored rule: its choices, or "Advanced" with the rule;
    "Ends on" its UNTIL, if it has one."""
    return {
        "rrule": rule,
        "ends_on": picker.ends_on(rule),
        **(picker.choices_for(rule) or {"repeat": picker.CUSTOM}),
    }


PARTICIPATION_HELP = (
    "For a cadence of several teams that meets: everyone in its teams, or only their leads "
    "(a programme's sync brings together the leads of the teams the work crosses)."
)
INITIATIVES_HELP = (
    "The initiatives this is the sync of: its agenda reviews their requests both ways, the "
    "decisions and action items about them, in place of every dependency of its teams."
)


def participation_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        choices=Participation.choices,
        initial=Participation.EVERYONE,
        required=False,  # left out of a post (a form of before): everyone, or unchanged
        label="Participants",
        help_text=PARTICIPATION_HELP,
    )


def initiatives_field() -> pickers.InitiativeMultipleChoiceField:
    return pickers.InitiativeMultipleChoiceField(
        queryset=Initiative.objects.none(),
        required=False,
        label="Its initiatives",
        help_text=INITIATIVES_HELP,
    )


def open_initiatives(org):
    """The initiatives a cadence may be made the sync of: the open ones (one held stays:
    `pickers.keep_held`)."""
    return (
        Initiative.objects.for_org(org)
        .filter(status__in=OPEN_INITIATIVE_STATUSES)
        .select_related("team")
        .order_by("title", "id")
    )


class CadenceForm(RecurrencePickerForm):
    field_order = (
        "template",
        "name",
        "kind",
        "scope",
        "team",
        "teams",
        "participation",
        "initiatives",
        *CHOICE_FIELDS,
        "rrule",
    )
    template = forms.ChoiceField(
        choices=[("", "— none: set it up by hand —"), *template_choices()],
        required=False,
        help_text="Sets the rule, length and agenda; anything you fill in below wins.",
    )
    name = forms.CharField(max_length=200, required=False)
    kind = forms.ChoiceField(
        choices=[("", "— from the template —"), *CadenceKind.choices], required=False
    )
    scope = forms.ChoiceField(choices=Scope.choices, initial=Scope.TEAM)
    team = pickers.TeamChoiceField(
        queryset=Team.objects.none(), required=False, help_text="For one team or a subtree."
    )
    teams = pickers.TeamMultipleChoiceField(
        queryset=Team.objects.none(), required=False, help_text="For a set of teams."
    )
    participation = participation_field()
    initiatives = initiatives_field()
    rrule = forms.CharField(
        max_length=300,
        required=False,
        label="Advanced: rule",
        help_text=RULE_HELP + " Empty: the template's.",
    )
    all_day = all_day_field()
    time = forms.TimeField(required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    duration_minutes = forms.IntegerField(min_value=1, max_value=1440, required=False)
    timezone = TimezoneField(initial="UTC")
    start_date = dates.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Starts on"
    )
    owner = pickers.PersonChoiceField(queryset=Person.objects.none(), required=False)
    extra_participants = pickers.PersonMultipleChoiceField(
        queryset=Person.objects.none(),
        required=False,
        help_text="People outside the teams in scope who take part.",
    )
    agenda = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        label="Agenda sections",
        help_text="Optional. One per line: title | source | minutes. Empty: the template's "
        "(none without a template). Sources: " + ", ".join(SECTION_SOURCES) + ".",
    )

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        qs = current_teams(org)
        self.fields["team"].queryset = qs
        self.fields["teams"].queryset = qs
        people = Person.objects.for_org(org).filter(is_active=True).order_by("name")
        self.fields["owner"].queryset = people
        self.fields["extra_participants"].queryset = people
        self.fields["initiatives"].queryset = open_initiatives(org)
        self.fields[
            "repeat"
        ].help_text = (
            "With a template, leave it as it is (no day ticked) for the template's schedule."
        )

    def rule_from_template(self, data: dict) -> bool:
        return bool(data.get("template"))

    def template_rule(self, data: dict) -> str:
        return TEMPLATES[data["template"]].rrule


class CadenceEditForm(RecurrencePickerForm):
    field_order = (
        "name",
        "kind",
        "owner",
        "scope",
        "team",
        "teams",
        "participation",
        "initiatives",
        "extra_participants",
        *CHOICE_FIELDS,
        "rrule",
    )
    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=CadenceKind.choices, required=False)
    owner = pickers.PersonChoiceField(
        queryset=Person.objects.none(),
        required=False,
        help_text="Who answers for it: reopens its meetings, is asked before it changes.",
    )
    scope = forms.ChoiceField(choices=Scope.choices)
    team = pickers.TeamChoiceField(
        queryset=Team.objects.none(), required=False, help_text="For one team or a subtree."
    )
    teams = pickers.TeamMultipleChoiceField(
        queryset=Team.objects.none(), required=False, help_text="For a set of teams."
    )
    participation = participation_field()
    initiatives = initiatives_field()
    extra_participants = pickers.PersonMultipleChoiceField(
        queryset=Person.objects.none(),
        required=False,
        help_text="People outside the teams in scope who take part.",
    )
    rrule = forms.CharField(max_length=300, label="Advanced: rule", help_text=RULE_HELP)
    all_day = all_day_field()
    time = forms.TimeField(
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text="Required unless the cadence is all day.",
    )
    duration_minutes = forms.IntegerField(
        min_value=1, max_value=1440, required=False, help_text="Minutes; 60 if left empty."
    )
    timezone = TimezoneField()
    start_date = dates.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        label="Starts on",
        help_text="The first day it may occur.",
    )
    checkin_owed_by = forms.ChoiceField(choices=OwedBy.choices, label="Check-ins owed by")
    window_opens_hours = forms.IntegerField(
        min_value=0, max_value=336, label="Window opens (hours before due)"
    )
    late_after_hours = forms.IntegerField(
        min_value=0, max_value=336, label="Late until (hours after due)"
    )
    is_active = forms.BooleanField(required=False, label="Active")
    agenda = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        label="Agenda sections",
        help_text="One per line: title | source | minutes. Sources: "
        + ", ".join(SECTION_SOURCES)
        + ".",
    )

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        qs = current_teams(org)
        self.fields["team"].queryset = qs
        self.fields["teams"].queryset = qs
        people = Person.objects.for_org(org).filter(is_active=True).order_by("name")
        self.fields["owner"].queryset = people
        self.fields["extra_participants"].queryset = people
        self.fields["initiatives"].queryset = open_initiatives(org)

    # Kind and start may be left out of a post (unchanged), not given empty.
    def clean_kind(self):
        if "kind" in self.data and not self.cleaned_data["kind"]:
            raise forms.ValidationError("Choose a kind.")
        return self.cleaned_data["kind"]

    def clean_start_date(self):
        if "start_date" in self.data and self.cleaned_data["start_date"] is None:
            raise forms.ValidationError("Give the first day it may occur.")
        return self.cleaned_data["start_date"]


def agenda_to_text(sections: list[dict]) -> str:
    return "\n".join(f"{s['title']} | {s['source']} | {s.get('minutes', 5)}" for s in sections)


def agenda_from_text(text: str, current: list[dict]) -> list[dict]:
    """Sections from the text form, keeping the keys of sections whose title is unchanged."""
    keys = {s["title"]: s["key"] for s in current}
    out = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        title = parts[0]
        source = parts[1] if len(parts) > 1 and parts[1] else "none"
        minutes = parts[2] if len(parts) > 2 and parts[2] else 5
        out.append(
            {"key": keys.get(title, ""), "title": title, "source": source, "minutes": minutes}
        )
    return out


class CheckInNumberField(forms.CharField):
    """A number in a check-in, as a person types it ("99,97", "1,234.5"), read by the
    service's own reader (`check`, e.g. `services.key_result_number`): refused beside its
    field as the service would refuse it. The text is passed on; the service reads it
    again, as the last guard."""

    def __init__(self, *args, check, unit: str = "", **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)
        self.check = check
        self.unit = unit  # a key result's: "2.6 hours" reads as 2.6, as on its own page

    def validate(self, value):
        super().validate(value)
        if value in self.empty_values:
            return
        try:
            self.check(value, "value", *([self.unit] if self.unit else []))
        except ServiceError as exc:
            if read_decimal(value, self.unit).is_finite():  # a number, out of bounds: said so
                raise forms.ValidationError(exc.message, code="out_of_range") from None
            raise forms.ValidationError(
                "“%(value)s” is not a number.", code="not_a_number", params={"value": value}
            ) from None


class CheckInForm(forms.Form):
    """A check-in's answers (the page writes its own fields, named as these), read
    together: every error is found in one submit and shown beside its field — a number
    that is none, a team typed and not chosen from the list, a blocker to raise without
    its team. The service checks again, last (`services.submit_checkin`)."""

    highlights = forms.CharField(required=False)
    blockers = forms.CharField(required=False)
    blocker_team = pickers.TeamChoiceField(
        queryset=Team.objects.none(), required=False, label="Blocked by team"
    )
    raise_blocker = forms.BooleanField(required=False)

    def __init__(
        self,
        *args,
        org,
        key_results=(),
        objectives=(),
        initiatives=(),
        measurables=(),
        **kwargs,
    ):
        kwargs.setdefault("auto_id", "%s")  # the page's ids: "kr_12", "blocker_team"
        super().__init__(*args, **kwargs)
        self.fields["blocker_team"].queryset = Team.objects.for_org(org).order_by("name")
        for kr in key_results:
            self.fields[f"kr_{kr.pk}"] = CheckInNumberField(
                label=kr.name, check=services.key_result_number, unit=kr.unit
            )
            # Ticked after the value was refused as looking like a slip (its "Record anyway").
            self.fields[f"kr_{kr.pk}_anyway"] = forms.BooleanField(required=False)
        for m in measurables:
            self.fields[f"m_{m.pk}"] = CheckInNumberField(
                label=m.name, check=services.measurable_number
            )
        # Chosen from the page's lists; the alignment services judge the choice.
        for o in objectives:
            self.fields[f"obj_{o.pk}"] = forms.CharField(required=False, label=o.title)
        for i in initiatives:
            self.fields[f"init_{i.pk}"] = forms.CharField(required=False, label=i.title)

    def _text(self, name: str) -> str:
        text = self.cleaned_data[name]
        if len(text) > services.CHECKIN_TEXT_MAX:
            raise forms.ValidationError(
                f"At most {services.CHECKIN_TEXT_MAX:,} characters (this is {len(text):,}).",
                code="max_length",
            )
        return text

    def clean_highlights(self):
        return self._text("highlights")

    def clean_blockers(self):
        return self._text("blockers")

    def clean(self):
        data = super().clean()
        if data.get("raise_blocker"):
            if "blockers" in data and not data["blockers"]:
                self.add_error("blockers", "Describe the blocker to raise it as an issue.")
            if "blocker_team" in data and data["blocker_team"] is None:
                self.add_error(
                    "blocker_team", "To raise a blocker as an issue, describe it and name the team."
                )
        return data

    def confirmed(self, key_results) -> set[int]:
        """The key results whose value that looks like a slip is to be recorded anyway."""
        return {kr.pk for kr in key_results if self.cleaned_data.get(f"kr_{kr.pk}_anyway")}

    def picked(self, prefix: str, rows) -> dict:
        """{row id: the answer given} for the rows' fields `<prefix>_<id>` answered."""
        return {
            r.pk: self.cleaned_data[f"{prefix}_{r.pk}"]
            for r in rows
            if self.cleaned_data.get(f"{prefix}_{r.pk}")
        }


class MoveForm(forms.Form):
    new_start = forms.DateTimeField(
        label="New date and time",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],  # a date: all day
    )
    note = forms.CharField(max_length=300, required=False)


def refuse_too_long(form: forms.Form, labels: dict[str, str] | None = None) -> None:
    """A refused form's text longer than its field allows is refused as the services refuse
    it (`require_text`: "The title is too long (5,000 characters, at most 300)."), naming
    `labels[name]` (else the field's label), rather than as if it were missing."""
    for name in form.errors:
        field = form.fields.get(name)
        if isinstance(field, forms.CharField) and field.max_length:
            require_text(
                form.data.get(form.add_prefix(name)),
                name,
                max_length=field.max_length,
                required=False,
                label=(labels or {}).get(name) or str(field.label or name.capitalize()),
                directions=True,
            )


class ActionItemForm(forms.Form):
    title = forms.CharField(max_length=300, label="New action item")
    owner = pickers.PersonChoiceField(queryset=Person.objects.none())
    due_on = dates.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    # The team whose list it is on: the action items' own form's field (its picker),
    # the meeting's team unless another is chosen (`services.add_action_item`).
    team = decisions_forms.ActionItemForm.base_fields["team"]

    def __init__(self, *args, people, org, team: Team | None = None, **kwargs):
        """`team`: the meeting's own team, chosen unless another is."""
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people
        self.fields["team"].queryset = current_teams(org)
        self.fields["team"].label = "For team"
        self.fields["team"].help_text = (
            "Whose list it is on, and whose next meeting's agenda. Empty: the meeting's team "
            "(in a meeting of several, the owner's team among them)."
        )
        if team is not None:
            self.fields["team"].initial = team.pk

    # Due today or later, as on the action items' own page: the one check, shared.
    clean_due_on = decisions_forms.ActionItemForm.clean_due_on


class AgendaIssueForm(forms.Form):
    """Something for a meeting's agenda: an issue raised for one of the meeting's teams
    (their open issues are its agenda's Issues and, while it runs, its Issues to solve)."""

    title = forms.CharField(max_length=300, label="What to discuss")
    team = pickers.TeamChoiceField(queryset=Team.objects.none(), label="For team")
    description = forms.CharField(
        max_length=5000,
        required=False,
        label="Details",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, teams, one: Team | None = None, **kwargs):
        # Ids of its own: a running meeting's page also has an action item's title.
        kwargs.setdefault("auto_id", "agenda_%s")
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        if one is not None:  # the meeting's only team: said in words, not chosen
            self.fields["team"].widget = forms.HiddenInput()
            self.fields["team"].initial = one.pk


class BringIssueForm(forms.Form):
    """An open issue already raised, for a meeting's agenda instead of raising it again
    (`services.bring_to_agenda`)."""

    issue = pickers.OpenIssueChoiceField(
        queryset=Issue.objects.none(),
        label="An open issue of a team below",
        help_text="It is escalated to this meeting's team, saying it was brought here.",
    )

    def __init__(self, *args, issues, cadence, **kwargs):
        kwargs.setdefault("auto_id", "bring_%s")
        super().__init__(*args, **kwargs)
        self.fields["issue"].queryset = issues  # `queries.issues_to_bring`
        # Its search box, where there are many, offers the same.
        self.fields["issue"].widget.search_params = {"cadence": cadence.pk}


OPTIONS_MAX = 20  # options considered, written in a meeting's decision form


class DecisionForm(forms.Form):
    question = forms.CharField(max_length=300, label="Decision to take")
    approver = pickers.AccountableChoiceField(queryset=Person.objects.none())
    outcome = forms.CharField(
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Decided in the room by its approver? Write the outcome. Left empty, the "
        "decision is recorded as an open question for its approver to decide.",
    )
    rationale = forms.CharField(
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why this outcome. Required if you are its approver and write the "
        "outcome: it is decided now, and final.",
    )
    # Left open for its approver: by when (the decisions' own form's field and check).
    decide_by = decisions_forms.DecisionForm.base_fields["decide_by"]
    clean_decide_by = decisions_forms.DecisionForm.clean_decide_by
    # Its informed people: the meeting's (`services.add_decision`), unless the recorder
    # chooses nobody. Not given (an older page, a script), the meeting's.
    inform = forms.ChoiceField(
        label="Informed",
        choices=[
            ("meeting", "Everyone in this meeting, present or absent"),
            ("nobody", "Nobody for now"),
        ],
        required=False,
        initial="meeting",
        help_text="Who is told by e-mail when it is decided, and if it is later superseded or "
        "reversed: not its approver, who decides it. Its informed people can be changed on "
        "its page until it is decided.",
    )

    options = forms.CharField(
        required=False,
        label="Options considered",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One a line. The one the outcome names is marked as chosen; the others stay "
        "on the record as what else was considered.",
    )
    # What it is about: the decision's page's initiative link (its picker, bounded).
    initiative = decisions_forms.LINK_CHOICES["initiative"][1](
        queryset=Initiative.objects.none(),
        required=False,
        label="About initiative",
        help_text="Optional: the initiative this decision is about.",
    )

    def informed_choice(self) -> list | None:
        """The informed people asked for: None for the meeting's, [] for nobody."""
        return [] if self.cleaned_data.get("inform") == "nobody" else None

    def clean_options(self) -> list[str]:
        """The options, one a line, blank lines and repeats left out, each as long as an
        option's title may be (the decision's page's option form)."""
        most = decisions_forms.OptionForm.base_fields["title"].max_length
        seen: dict[str, str] = {}
        for line in (self.cleaned_data.get("options") or "").splitlines():
            line = line.strip()
            if line and line.casefold() not in seen:
                seen[line.casefold()] = line
        lines = list(seen.values())
        long = next((line for line in lines if len(line) > most), None)
        if long is not None:
            raise forms.ValidationError(
                f"An option is too long ({len(long):,} characters, at most {most:,}): "
                f"“{long[:40]}…”."
            )
        if len(lines) > OPTIONS_MAX:
            raise forms.ValidationError(f"Too many options ({len(lines)}, at most {OPTIONS_MAX}).")
        return lines

    def __init__(self, *args, people, org, **kwargs):
        super().__init__(*args, **kwargs)
        # What was considered, before what was chosen.
        self.order_fields(["question", "approver", "options", "outcome", "rationale"])
        self.fields["initiative"].queryset = pickers.KINDS["initiative"].choices(org)
        # The decisions service's rule: neither a viewer nor an agent decides.
        self.fields["approver"].queryset = pickers.assignees(pickers.humans(people))
        self.fields[
            "decide_by"
        ].help_text = "Optional: by when its approver is to decide it, if it is left open."


class AttendeeForm(forms.Form):
    """One person marked present or absent, in a meeting too large to list everyone."""

    person = pickers.PersonChoiceField(queryset=Person.objects.none(), label="Person")
    present = forms.TypedChoiceField(
        choices=[("1", "Present"), ("0", "Absent")], coerce=lambda v: v == "1", initial="1"
    )

    def __init__(self, *args, people, **kwargs):
        kwargs.setdefault("auto_id", "attendee_%s")
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people


class HeadlineForm(forms.Form):
    text = forms.CharField(max_length=500, label="Headline")
    cascade_to = pickers.TeamMultipleChoiceField(
        queryset=Team.objects.none(),
        required=False,
        label="Cascade to",
        help_text="These teams see it in their next meeting.",
    )

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cascade_to"].queryset = Team.objects.for_org(org).order_by("name")


class AwayForm(forms.Form):
    starts_on = dates.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="From")
    ends_on = dates.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Until")
    reason = forms.CharField(max_length=200, required=False)

    def __init__(self, *args, elsewhere: list[Person] | None = None, **kwargs):
        """`elsewhere`: the login's people in its other organizations who may mark their
        own time off there; the form offers to mark it there too."""
        super().__init__(*args, **kwargs)
        if elsewhere:
            names = ", ".join(p.org.name for p in elsewhere)
            self.fields["elsewhere"] = forms.BooleanField(
                required=False,
                label=f"Also in {names}",
                help_text="The same days off there: no check-ins owed there or reminders from it.",
            )


class WebhookForm(forms.Form):
    flavor = forms.ChoiceField(choices=ChatFlavor.choices, label="Chat")
    url = forms.URLField(max_length=500, label="Incoming-webhook URL", assume_scheme="https")


class MeasurableForm(forms.Form):
    name = forms.CharField(max_length=200)
    goal_rule = forms.ChoiceField(choices=GoalRule.choices, label="Goal")
    goal_low = forms.DecimalField(required=False, label="Low")
    goal_high = forms.DecimalField(required=False, label="High")
    unit = forms.CharField(max_length=30, required=False)
    owner = pickers.PersonChoiceField(queryset=Person.objects.none(), required=False)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people
