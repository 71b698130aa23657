"""Forms for the decision pages. Validation of meaning lives in services; these parse."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from accord.core import dates
from accord.core.ids import as_id
from accord.core.services import LONG_TEXT_MAX
from accord.decisions import queries
from accord.decisions.models import LINKABLE, DecisionStatus, Severity
from accord.org.models import Person, Team
from accord.org.queries import current_teams, home_team
from accord.web import pickers
from accord.web.helpers import slug_or_none
from accord.web.templatetags.dates import at_moment, day
from accord.web.twice import again_field, refuse_twin

DATE = forms.DateInput(attrs={"type": "date"})

# A new issue, decision or action item identical to one the same person made within
# `twice.WINDOW` and still open is refused, with a box to make it anyway (`web.twice`).


def _people(org):
    return Person.objects.for_org(org).filter(is_active=True).order_by("name")


def _assignees(org):
    """Who may be given work here: no viewer, whom the services refuse (`refuse_viewer`)."""
    return pickers.assignees(_people(org))


def _teams(org):
    return current_teams(org)


class DecisionForm(forms.Form):
    """The light form: question, outcome and approver; the rest is optional."""

    question = forms.CharField(max_length=300)
    approver = pickers.AccountableChoiceField(
        queryset=Person.objects.none(), help_text="The one person who decides."
    )
    outcome = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=LONG_TEXT_MAX,
        help_text="Already decided? Write it here; the approver confirms it.",
    )
    context = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=LONG_TEXT_MAX
    )
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=LONG_TEXT_MAX
    )
    driver = pickers.AssigneeChoiceField(queryset=Person.objects.none(), required=False)
    contributors = pickers.PersonMultipleChoiceField(
        queryset=Person.objects.none(),
        required=False,
        widget=pickers.PickerSelectMultiple(attrs={"size": 4}),
    )
    informed = pickers.PersonMultipleChoiceField(
        queryset=Person.objects.none(),
        required=False,
        widget=pickers.PickerSelectMultiple(attrs={"size": 4}),
    )
    teams = pickers.TeamMultipleChoiceField(
        queryset=Team.objects.none(),
        required=False,
        label="Teams affected",
        widget=pickers.PickerSelectMultiple(attrs={"size": 4}),
    )
    decide_by = dates.DateField(required=False, widget=DATE)
    revisit_on = dates.DateField(required=False, widget=DATE, label="Revisit on")
    revisit_trigger = forms.CharField(
        max_length=300, required=False, label="…or revisit when", help_text="e.g. traffic doubles"
    )
    again = again_field("decision")

    def __init__(self, *args, org, person=None, **kwargs):
        """`person`: who opens a new decision (its twin of a moment ago is refused)."""
        super().__init__(*args, **kwargs)
        self.org, self.person = org, person
        for name in ("approver", "driver", "contributors", "informed"):
            self.fields[name].queryset = _people(org)
        # Never an agent nor a viewer: offered only who may decide it.
        self.fields["approver"].queryset = pickers.humans(_assignees(org))
        self.fields["driver"].queryset = _assignees(org)  # who works on it: no viewer
        self.fields["teams"].queryset = _teams(org)

    def clean_decide_by(self):
        """A new decision is to be decided today or later, said with the form's other
        errors (the service refuses it too, but only once the rest is right); an edit
        keeps the date it had (`services` checks a changed one)."""
        decide_by = self.cleaned_data.get("decide_by")
        new = "decide_by" not in self.initial
        if new and decide_by is not None and decide_by < timezone.localdate():
            raise forms.ValidationError("The date is in the past; choose today or later.")
        return decide_by

    def clean(self):
        data = super().clean()
        question, approver = (data.get("question") or "").strip(), data.get("approver")
        twin = queries.twin_decision(self.org, self.person, question, approver)
        refuse_twin(
            self,
            data,
            "question",
            twin,
            lambda twin: (
                f"You opened this decision {at_moment(twin.opened_at)}, for {approver.name} "
                f"to decide (#{twin.pk}, {twin.get_status_display().lower()}). Follow that "
                "one, or tick the box to open a second one."
            ),
        )
        return data


class OptionForm(forms.Form):
    title = forms.CharField(max_length=200, label="Option")
    pros = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=LONG_TEXT_MAX
    )
    cons = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=LONG_TEXT_MAX
    )


class DecideForm(forms.Form):
    option = forms.ModelChoiceField(
        queryset=None,  # type: ignore[arg-type]
        required=False,
        label="Option chosen",
        empty_label="None of those considered",
    )
    outcome = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=LONG_TEXT_MAX,
        help_text="Leave empty to take the option's title.",
    )
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=LONG_TEXT_MAX
    )

    def __init__(self, *args, decision, deciding: bool = False, **kwargs):
        """`deciding`: the approver's form, which asks for the rationale (the record is
        final); a proposal may come without one."""
        from accord.decisions.models import DecisionOption
        from accord.decisions.services import RATIONALE_NEEDED

        super().__init__(*args, **kwargs)
        if deciding:
            rationale = self.fields["rationale"]
            rationale.required = True
            rationale.error_messages["required"] = RATIONALE_NEEDED
            rationale.help_text = "Why this outcome. Required: the decision is final once made."
        options = DecisionOption.objects.filter(decision=decision).order_by("position", "id")
        self.fields["option"].queryset = options
        if not options.exists():
            del self.fields["option"]
            self.fields["outcome"].required = True
            self.fields["outcome"].help_text = ""

    def clean(self):
        data = super().clean()
        if not data.get("outcome") and not data.get("option"):
            self.add_error("outcome", "Write what was decided, or choose an option.")
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))


class SupersedeForm(forms.Form):
    by = pickers.DecisionChoiceField(
        queryset=None,  # type: ignore[arg-type]
        label="Replaced by",
        help_text="A decided decision: decide the new one first.",
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, org, exclude_id, **kwargs):
        from accord.decisions.models import Decision

        super().__init__(*args, **kwargs)
        self.fields["by"].queryset = (
            Decision.objects.for_org(org)
            .exclude(pk=exclude_id)
            # Only a decided (live) decision may replace another (`services.supersede`).
            .filter(status=DecisionStatus.DECIDED)
            .order_by("-opened_at")
        )


class LogFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search")
    # Open or proposed: both wait for their decision (`queries.UNDECIDED_FILTER`).
    status = forms.ChoiceField(
        choices=[
            ("", "Any status"),
            (queries.UNDECIDED_FILTER, "Open or proposed"),
            *DecisionStatus.choices,
        ],
        required=False,
    )
    team = pickers.TeamChoiceField(
        queryset=Team.objects.none(), required=False, empty_label="Any team"
    )
    only = forms.BooleanField(
        required=False, label="Only this team", help_text="Not the teams below it."
    )
    approver = pickers.PersonChoiceField(
        queryset=Person.objects.none(), required=False, empty_label="Any approver"
    )
    driver = pickers.PersonChoiceField(
        queryset=Person.objects.none(), required=False, empty_label="Any driver"
    )
    since = dates.DateField(required=False, widget=DATE, label="Opened from")
    until = dates.DateField(required=False, widget=DATE, label="to")
    # When it was decided: "the decisions made this quarter" (one later reversed or
    # superseded was still decided that day; `queries.filter_log`).
    decided_since = dates.DateField(required=False, widget=DATE, label="Decided from")
    decided_until = dates.DateField(required=False, widget=DATE, label="to")
    # Its decide-by date, both days included: "the decisions due next week", as a
    # briefing's "Decisions due" links to them.
    due_since = dates.DateField(required=False, widget=DATE, label="Due from")
    due_until = dates.DateField(required=False, widget=DATE, label="to")
    overdue = forms.BooleanField(
        required=False, label="Only overdue", help_text="Open or proposed past their date."
    )
    # The decisions about one thing ("app.model:id", as a thing's page links to them).
    about = forms.CharField(required=False, max_length=80, widget=forms.HiddenInput)

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.org = org
        self.fields["team"].queryset = _teams(org)
        self.fields["approver"].queryset = Person.objects.for_org(org).order_by("name")
        self.fields["driver"].queryset = Person.objects.for_org(org).order_by("name")
        team = self.data.get("team", "") if self.is_bound else ""
        if team and not team.isdigit() and slug_or_none(team):
            # A team by its slug, as the other lists and team pages link to it.
            found = _teams(org).filter(slug=team).values_list("pk", flat=True).first()
            self.data = self.data.copy()
            self.data["team"] = str(found) if found else team

    def clean(self):
        """A reversed range ("opened from" after "to") is refused, named as every filter
        not understood is, rather than matching nothing without a word."""
        data = super().clean()
        ranges = (
            ("since", "until"),
            ("decided_since", "decided_until"),
            ("due_since", "due_until"),
        )
        for first, last in ranges:
            since, until = data.get(first), data.get(last)
            if since and until and until < since:
                self.add_error(last, "The range ends before it begins.")
        return data

    def clean_about(self) -> tuple[str, int] | None:
        """("app.model", id) of a thing of this organization decisions can be about."""
        value = self.cleaned_data.get("about", "").strip()
        if not value:
            return None
        kind, colon, pk = value.partition(":")
        target_id = as_id(pk)
        if not colon or target_id is None:
            raise forms.ValidationError(
                f"“{value}” is not a kind and an id, e.g. alignment.initiative:13."
            )
        if kind not in LINKABLE:
            raise forms.ValidationError(
                f"decisions are not linked to “{kind}”; only to {', '.join(sorted(LINKABLE))}."
            )
        if not queries.is_linkable(self.org, kind, target_id):
            raise forms.ValidationError(f"{self.org.name} has no {kind} {target_id}.")
        return kind, target_id

    def valid_filters(self) -> dict:
        """The filters given that are valid; the page names the others (`errors`)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return self.cleaned_data

    def log_filters(self) -> dict:
        """`valid_filters` as `queries.filter_log` takes them: the one reading of the log's
        query string, for the page, its figures and both its exports."""
        f = self.valid_filters()
        return {
            "q": f.get("q", ""),
            "status": f.get("status", ""),
            "team": f.get("team"),
            "only": bool(f.get("only")),
            "approver_id": f["approver"].pk if f.get("approver") else None,
            "driver_id": f["driver"].pk if f.get("driver") else None,
            "since": f.get("since"),
            "until": f.get("until"),
            "decided_since": f.get("decided_since"),
            "decided_until": f.get("decided_until"),
            "due_since": f.get("due_since"),
            "due_until": f.get("due_until"),
            # Ticked: the overdue alone; else every decision (the page has no "not overdue").
            "overdue": True if f.get("overdue") else None,
            "linked_type": f["about"][0] if f.get("about") else "",
            "linked_id": f["about"][1] if f.get("about") else None,
        }

    def figure_filters(self) -> dict:
        """`log_filters` as `queries.log_figures` takes them: all but the status and
        "overdue", which the figures count by."""
        f = self.log_filters()
        about = (f.pop("linked_type"), f.pop("linked_id"))
        for name in ("status", "overdue"):
            f.pop(name)
        return {**f, "about": about if about[0] else None}


class ActionItemForm(forms.Form):
    title = forms.CharField(max_length=300, label="Action")
    owner = pickers.AssigneeChoiceField(queryset=Person.objects.none())
    due_on = dates.DateField(required=False, widget=DATE, label="Due")
    team = pickers.TeamChoiceField(queryset=Team.objects.none(), required=False)
    again = again_field("action item")

    def __init__(self, *args, org, recorded_on=None, person=None, **kwargs):
        """`recorded_on`: an edit's item was recorded that day; it is not due before it.
        `person`: who records a new one (its twin of a moment ago is refused)."""
        super().__init__(*args, **kwargs)
        self.org, self.person = org, person
        self.recorded_on = recorded_on
        self.fields["owner"].queryset = _assignees(org)
        self.fields["team"].queryset = _teams(org)

    def clean_due_on(self):
        """A new item is due today or later; an edit may date one back (it was agreed so),
        but never to before the item was recorded (`services.update_action_item` too)."""
        due = self.cleaned_data.get("due_on")
        new = "due_on" not in self.initial
        if new and due is not None and due < timezone.localdate():
            raise forms.ValidationError("The date is in the past; choose today or later.")
        changed = due != self.initial.get("due_on")
        if not new and changed and due is not None and self.recorded_on and due < self.recorded_on:
            raise forms.ValidationError(
                f"It was recorded on {day(self.recorded_on)}; choose that day or a later one."
            )
        return due

    def clean(self):
        data = super().clean()
        title, owner = (data.get("title") or "").strip(), data.get("owner")
        source_id = as_id(self.data.get("source_id"))  # from an issue, decision or meeting
        twin = queries.twin_action_item(
            self.org,
            self.person,
            title,
            owner,
            # as the service files it: for the owner's home team unless another is chosen
            data.get("team") or (home_team(owner) if owner is not None else None),
            self.data.get("source_type", "") if source_id is not None else "",
            source_id,
        )
        refuse_twin(
            self,
            data,
            "title",
            twin,
            lambda twin: (
                f"You recorded this action item for {owner.name} {at_moment(twin.created_at)} "
                f"(#{twin.pk}, still open). Follow that one, or tick the box to record a "
                "second one."
            ),
        )
        return data


class IssueForm(forms.Form):
    title = forms.CharField(max_length=300)
    team = pickers.TeamChoiceField(queryset=Team.objects.none(), help_text="Who should solve it.")
    severity = forms.ChoiceField(choices=Severity.choices, initial=Severity.MEDIUM)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=LONG_TEXT_MAX
    )
    again = again_field("issue")

    def __init__(self, *args, org, person=None, **kwargs):
        """`person`: who raises it (their twin of a moment ago is refused)."""
        super().__init__(*args, **kwargs)
        self.org, self.person = org, person
        self.fields["team"].queryset = _teams(org)

    def clean(self):
        data = super().clean()
        title, team = (data.get("title") or "").strip(), data.get("team")
        twin = queries.twin_issue(self.org, self.person, title, team)
        refuse_twin(
            self,
            data,
            "title",
            twin,
            lambda twin: (
                f"You raised this for {team.name} {at_moment(twin.opened_at)} (#{twin.pk}, "
                "still open). Follow that issue, or tick the box to raise a second one."
            ),
        )
        return data


class IssueEditForm(forms.Form):
    """An open issue's own facts and who sees it through, changed from its page."""

    title = forms.CharField(max_length=300)
    severity = forms.ChoiceField(choices=Severity.choices)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=LONG_TEXT_MAX
    )
    owner = pickers.AssigneeChoiceField(
        queryset=Person.objects.none(), required=False, help_text="Who sees it through."
    )
    rank = forms.IntegerField(
        required=False, min_value=1, help_text="Its place in the team's list: 1 comes first."
    )

    def __init__(self, *args, org, **kwargs):
        # Ids of its own: the issue's page also has the new action item's title and owner.
        kwargs.setdefault("auto_id", "id_edit_%s")
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _assignees(org)


class SolveForm(forms.Form):
    resolution = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    decision = pickers.DecisionChoiceField(
        queryset=None,  # type: ignore[arg-type]
        required=False,
        label="Solved by a decision",
        empty_label="— none —",
    )

    def __init__(self, *args, org, **kwargs):
        from accord.decisions.models import Decision

        super().__init__(*args, **kwargs)
        self.fields["decision"].queryset = (
            Decision.objects.for_org(org)
            .filter(status=DecisionStatus.DECIDED)
            .order_by("-decided_at")
        )


# What a decision can be linked to from its page, each chosen with the project's picker
# of its kind (a select up to a few hundred choices, a search box beyond: never every
# objective of a large organization): URL key -> (target type, picker, label, noun).
LINK_CHOICES = {
    "objective": ("alignment.objective", pickers.ObjectiveChoiceField, "Objective", "an objective"),
    "key-result": (
        "alignment.keyresult",
        pickers.KeyResultChoiceField,
        "Key result",
        "a key result",
    ),
    "initiative": (
        "alignment.initiative",
        pickers.InitiativeChoiceField,
        "Initiative",
        "an initiative",
    ),
    "decision": ("decisions.decision", pickers.DecisionChoiceField, "Decision", "another decision"),
    "dependency": (
        "coordination.dependency",
        pickers.DependencyChoiceField,
        "Dependency",
        "a dependency",
    ),
    "meeting": ("rhythm.meeting", pickers.MeetingChoiceField, "Meeting", "a meeting"),
    "check-in": ("rhythm.checkin", pickers.CheckInChoiceField, "Check-in", "a check-in"),
    "issue": ("decisions.issue", pickers.IssueChoiceField, "Issue", "an issue"),
}


def _issue_choice(issue) -> str:
    """An issue as the link form offers it: "Flaky tests (Platform · dropped)"."""
    return f"{issue.title} ({issue.team.name} · {issue.get_status_display().lower()})"


class LinkForm(forms.Form):
    """Say what a decision concerns: one thing of one kind (`LINK_CHOICES`), and a label."""

    kind = forms.ChoiceField(choices=[(k, k) for k in LINK_CHOICES], widget=forms.HiddenInput)
    label = forms.CharField(
        max_length=300,
        required=False,
        help_text="Optional: what this decision calls it. Empty, its own name is shown, "
        "kept up to date.",
    )

    def __init__(self, *args, org, decision, kind: str, **kwargs):
        """`kind`: a key of `LINK_CHOICES` (the first if not), unless another was posted."""
        kwargs.setdefault("auto_id", "id_link_%s")  # ids of its own on the decision's page
        super().__init__(*args, **kwargs)
        if self.is_bound and self.data.get("kind") in LINK_CHOICES:
            kind = self.data["kind"]
        if kind not in LINK_CHOICES:
            kind = next(iter(LINK_CHOICES))
        self.kind = kind
        self.target_type, field_class, label, self.noun = LINK_CHOICES[kind]
        choices = pickers.KINDS[field_class.kind].choices(org)
        if self.target_type == "decisions.decision":
            choices = choices.exclude(pk=decision.pk)
        self.fields["target_id"] = field_class(
            queryset=choices,
            label=label,
            error_messages={
                "required": f"Choose {self.noun}.",
                "invalid_choice": f"No such {label.lower()} in {org.name}; choose one from "
                "the list.",
            },
        )
        if self.target_type == "decisions.issue":
            # Open, solved or dropped alike otherwise: each told apart by its state too.
            self.fields["target_id"].label_from_instance = _issue_choice
        self.order_fields(["target_id", "label", "kind"])
        self.initial.setdefault("kind", kind)

    def clean(self):
        data = super().clean()
        if "kind" in self.errors:  # a hidden field: said where it shows
            self.add_error(None, "Choose what kind of thing to link to.")
        return data
