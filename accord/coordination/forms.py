"""Forms for asking another team and for each action on a dependency."""

from __future__ import annotations

import json

from django import forms
from django.db.models import F, Q
from django.utils import timezone

from accord.alignment.models import Initiative, Milestone
from accord.coordination import queries
from accord.coordination.models import Priority, Side, State
from accord.core import dates
from accord.core.ids import as_id
from accord.core.services import LONG_TEXT_MAX
from accord.org.models import Team
from accord.org.queries import current_teams
from accord.web import pickers
from accord.web.templatetags.dates import day
from accord.web.templatetags.numbers import counted

OPEN = ("proposed", "active", "paused")


class DateInput(forms.DateInput):
    input_type = "date"


class InitiativeChoice(pickers.InitiativeChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.title} ({obj.team.name})"


class ProviderInitiativeChoice(pickers.InitiativeChoiceField):
    """The provider's own initiatives (all of the team asked: its name would only repeat),
    each after its target date: a commitment before it is at risk from the start, and a
    phone's select cuts a long title short before anything that follows it."""

    def label_from_instance(self, obj) -> str:
        return f"{day(obj.target_date) if obj.target_date else 'no target date'} · {obj.title}"


PAST = "The date is in the past; choose today or later."  # the action items' words


class DependencyForm(forms.Form):
    requester_initiative = InitiativeChoice(
        queryset=Initiative.objects.none(),
        label="For our initiative",
        help_text="The work of your team that needs it.",
    )
    provider_team = pickers.TeamChoiceField(queryset=Team.objects.none(), label="Team asked")
    title = forms.CharField(max_length=300, label="What you need")
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=LONG_TEXT_MAX
    )
    priority = forms.ChoiceField(choices=Priority.choices, initial=Priority.MEDIUM)
    need_by = dates.DateField(widget=DateInput, label="Needed by", required=False)
    need_by_milestone = forms.ModelChoiceField(
        queryset=Milestone.objects.none(),
        required=False,
        label="Or needed by a milestone",
        empty_label="— no milestone: the date above —",
        help_text="The need-by date is then the milestone's, and moves when it moves.",
    )
    ask_again = forms.BooleanField(
        required=False, widget=forms.HiddenInput, label="Send it anyway: a second request"
    )

    def __init__(self, *args, org, person, team=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.org = org
        self.fields["need_by_milestone"].queryset = Milestone.objects.for_org(org).filter(
            date__gte=timezone.localdate()
        )
        # The initiatives of the teams the person may act for: theirs, every team below one
        # they lead, any as an admin.
        qs = Initiative.objects.for_org(org).filter(status__in=OPEN)
        teams_for = queries.actable_team_ids(org, person)
        if teams_for is not None:
            qs = qs.filter(team_id__in=teams_for)
        if team is not None:
            qs = qs.filter(team=team)
        self.fields["requester_initiative"].queryset = qs.select_related("team").order_by(
            "team__name", "title"
        )
        teams = current_teams(org)
        if team is not None:
            teams = teams.exclude(pk=team.pk)
        self.fields["provider_team"].queryset = teams
        if self.is_bound:
            # A team chosen before it retired (the form open since) reaches the service,
            # which says why it is not asked (`services.create_dependency`).
            chosen = as_id(self.data.get(self.add_prefix("provider_team")))
            self.fields["provider_team"].keep([chosen], org.pk)

    def clean(self):
        data = super().clean()
        missing = not data.get("need_by") and not data.get("need_by_milestone")
        if missing and "need_by" not in self.errors:
            self.add_error("need_by", "Give the date it is needed by, or a milestone.")
        past = data.get("need_by") and data["need_by"] < timezone.localdate()
        if past and not data.get("need_by_milestone"):  # a milestone's date is the need-by
            self.add_error("need_by", PAST)  # with the other fields' errors
        initiative, team = data.get("requester_initiative"), data.get("provider_team")
        self.again = bool(data.pop("ask_again", False))  # the form's question: `again`
        # A second click, or the same need asked twice: the other team would get both.
        twin = (
            None
            if self.again
            else queries.twin_request(self.org, initiative, team, data.get("title"))
        )
        if twin is not None:
            self.fields["ask_again"].widget = forms.CheckboxInput()
            self.add_error(
                "title",
                f"{team.name} was already asked for this for {initiative.title} "
                f"(#{twin.pk}, {twin.get_state_display().lower()}). Follow that request, "
                "or tick the box to send a second one.",
            )
        return data

    def prefill(self, params) -> None:
        """Start an unbound form from a link's query parameters (a check-in blocker offers
        one): provider_team (id or slug), requester_initiative (id), title, description,
        priority, need_by (YYYY-MM-DD). A value the asker could not choose is left out."""
        team_ref = (params.get("provider_team") or "").strip()
        if team_ref:
            teams = self.fields["provider_team"].queryset
            by = {"pk": int(team_ref)} if team_ref.isdigit() else {"slug": team_ref}
            team = teams.filter(**by).first()
            if team is not None:
                self.initial["provider_team"] = team.pk
        init_ref = (params.get("requester_initiative") or "").strip()
        if init_ref.isdigit():
            initiative = self.fields["requester_initiative"].queryset.filter(pk=int(init_ref))
            if initiative.exists():
                self.initial["requester_initiative"] = int(init_ref)
        for name in ("title", "description"):
            value = (params.get(name) or "").strip()
            if value:
                limit = self.fields[name].max_length
                self.initial[name] = value[:limit] if limit else value
        if params.get("priority") in dict(Priority.choices):
            self.initial["priority"] = params["priority"]
        try:
            need_by = dates.DateField().clean(params.get("need_by") or None)
        except forms.ValidationError:
            need_by = None
        if need_by:
            self.initial["need_by"] = need_by


class DependencyEditForm(forms.Form):
    """The asking side edits its request before the providing team answers it
    (`services.update_dependency`, which judges the team asked: retired, or the asking
    team itself, is refused there with its reason)."""

    # In the ask form's order (`DependencyForm`), with its labels.
    requester_initiative = forms.ModelChoiceField(
        queryset=Initiative.objects.none(), label="For our initiative", empty_label=None
    )
    provider_team = pickers.TeamChoiceField(
        queryset=Team.objects.none(),
        label="Team asked",
        help_text="Another team: the request moves to it, still waiting for an answer; the "
        "team it leaves is told.",
    )
    title = forms.CharField(max_length=300, label="What you need")
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=LONG_TEXT_MAX
    )
    priority = forms.ChoiceField(choices=Priority.choices)
    need_by = dates.DateField(widget=DateInput, label="Needed by")

    def __init__(self, *args, org, dependency, **kwargs):
        super().__init__(*args, **kwargs)
        d = dependency
        for name in ("title", "description", "priority", "need_by"):
            self.initial.setdefault(name, getattr(d, name))
        self.initial.setdefault("requester_initiative", d.requester_initiative_id)
        self.initial.setdefault("provider_team", d.provider_team_id)
        # The asking team's open initiatives (a team's own few), and the one it is for.
        self.fields["requester_initiative"].queryset = (
            Initiative.objects.for_org(org)
            .filter(
                Q(team_id=d.requester_team_id, status__in=OPEN) | Q(pk=d.requester_initiative_id)
            )
            .order_by("title")
        )
        asking = f"An initiative of {d.requester_team.name}, the team asking."
        self.fields["requester_initiative"].help_text = asking
        # Teams still working, as the ask form offers, and the one asked now (retired since,
        # it still saves the other changes); one chosen before it retired reaches the
        # service, which says why it is not asked.
        self.fields["provider_team"].queryset = current_teams(org)
        kept = [d.provider_team_id]
        if self.is_bound:
            kept.append(as_id(self.data.get(self.add_prefix("provider_team"))))
        self.fields["provider_team"].keep(kept, org.pk)
        if d.need_by_milestone_id:
            held = f"Follows the milestone {d.need_by_milestone.name}; another date unties it."
            self.fields["need_by"].help_text = held


class NeedByMilestoneForm(forms.Form):
    """The requester ties an existing dependency's need-by to a milestone, or unties it."""

    milestone = forms.ModelChoiceField(
        queryset=Milestone.objects.none(),
        required=False,
        label="Needed by milestone",
        empty_label="— none: keep the date —",
        help_text="The need-by date becomes the milestone's, and moves when it moves.",
    )

    def __init__(self, *args, org, dependency, **kwargs):
        super().__init__(*args, **kwargs)
        # Milestones still ahead, as the ask form offers, and the one it follows now.
        held = Q(pk=dependency.need_by_milestone_id) if dependency.need_by_milestone_id else Q()
        self.fields["milestone"].queryset = (
            Milestone.objects.for_org(org)
            .filter(Q(date__gte=timezone.localdate()) | held)
            .order_by("date", "name")
        )
        self.initial.setdefault("milestone", dependency.need_by_milestone_id)


class ActionForm(forms.Form):
    """All fields any action may take; each action's form shows the ones it needs."""

    provider_initiative = ProviderInitiativeChoice(
        queryset=Initiative.objects.none(),
        required=False,
        label="Delivered by our initiative",
        help_text="Your team's open initiatives in priority order, each after its target date.",
    )
    committed_date = dates.DateField(
        widget=DateInput,
        required=False,
        label="Committed date",
        help_text="On or after the delivering initiative's target date; before it, the "
        "dependency shows at risk as soon as it is accepted.",
    )
    accept_at_risk = forms.BooleanField(
        required=False,
        widget=forms.HiddenInput,
        label="Accept anyway: it will show at risk from the start",
    )
    proposed_date = dates.DateField(widget=DateInput, required=False, label="Proposed date")
    # After the date it is about, as "Accept anyway" is after the committed date.
    propose_at_risk = forms.BooleanField(
        required=False,
        widget=forms.HiddenInput,
        label="Propose anyway: it will show at risk once agreed",
    )
    proposed_scope = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=LONG_TEXT_MAX,
        label="Proposed scope",
    )
    # The asking side agreeing to a date its own initiative misses, or one that shows at
    # risk once agreed: asked as accepting is (`agree_warning`).
    agree_at_risk = forms.BooleanField(
        required=False, widget=forms.HiddenInput, label="Agree anyway"
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=LONG_TEXT_MAX,
        label="Why (note)",
    )

    FIELDS = {
        "accept": ("provider_initiative", "committed_date", "note", "accept_at_risk"),
        "decline": ("note",),
        "propose": (
            "provider_initiative",
            "proposed_date",
            "proposed_scope",
            "note",
            "propose_at_risk",
        ),
        "counter": ("proposed_date", "proposed_scope", "note", "propose_at_risk"),
        "agree": ("note", "agree_at_risk"),
        "confirm_delivery": ("note",),
        "mark_delivered": ("note",),
        "not_delivered": ("note",),
        "cancel": ("note",),
        "flag_at_risk": ("note",),
        "flag_blocked": ("note",),
        "clear_flag": ("note",),
    }

    def __init__(self, *args, org, dependency, action, **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action
        self.dependency = dependency
        keep = self.FIELDS.get(action, ("note",))
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        if "provider_initiative" in self.fields:
            # In the team's priority order (unranked ones last), as its stack reads.
            self.fields["provider_initiative"].queryset = (
                Initiative.objects.for_org(org)
                .filter(team_id=dependency.provider_team_id, status__in=OPEN)
                .order_by(F("rank").asc(nulls_last=True), "title", "id")
            )
            self.fields["provider_initiative"].initial = (
                dependency.proposed_initiative_id or dependency.provider_initiative_id
            )
            # Refused without one (the one on the table is chosen to start with): marked
            # as required fields are, and said so when missing.
            field = self.fields["provider_initiative"]
            field.required = field.widget.is_required = True
            if action == "accept":
                field.error_messages["required"] = "Required to accept."
        # When the asking team needs it, under the date the provider gives.
        needs = f"{dependency.requester_team.name} needs it by {day(dependency.need_by)}"
        if "committed_date" in self.fields:
            self.fields["committed_date"].initial = (
                dependency.proposed_date or dependency.committed_date or dependency.need_by
            )
            own = own_later_date(dependency)
            if own is not None:
                # Accepted as it stands, the requester's own later date becomes the need-by
                # (`services._agreed`), as its page says.
                asker = dependency.requester_team.name
                self.fields["committed_date"].help_text = (
                    f"{asker} proposes {day(own)}: accepted on that date, its need-by moves "
                    f"there from {day(dependency.need_by)}. Any other date after "
                    f"{day(dependency.need_by)} shows at risk as soon as it is accepted; so "
                    "does a date before the delivering initiative's target date."
                )
            else:
                self.fields["committed_date"].help_text = (
                    f"{needs}; a later date shows at risk as soon as it is accepted. So does "
                    "a date before the delivering initiative's target date."
                )
        if "proposed_date" in self.fields and action == "propose":
            self.fields["proposed_date"].help_text = f"{needs}." + (
                ""
                if dependency.need_by_milestone_id
                else f" If {dependency.requester_team.name} agrees to a later date, it gets "
                "it then and its need-by moves to that date."
            )
        if "proposed_scope" in self.fields and dependency.proposed_scope:
            # The scope on the table is the default: dropping it is a deliberate act.
            self.fields["proposed_scope"].initial = dependency.proposed_scope
            self.fields["proposed_scope"].help_text = (
                "The scope on the table, kept unless you change it; empty it to propose "
                "everything asked."
            )
        # Shown with the form before it is sent: what the defaults would commit to, and
        # each initiative's target for the page's script (`targets_json`).
        self.warning = ""
        if action == "accept" and not self.is_bound:
            self.warning = accept_warning(dependency, None, self.fields["committed_date"].initial)
            # The box to accept anyway comes with the warning, as the page's script shows
            # it while the date or the initiative changes (coordination.css hides it with
            # the warning): ticked, no second round trip.
            self.fields["accept_at_risk"].widget = forms.CheckboxInput()
        if action == "agree":
            self.warning = agree_warning(dependency)
            if self.warning and not self.is_bound:
                self.fields["agree_at_risk"].widget = forms.CheckboxInput()
        if action in ("decline", "cancel", "flag_at_risk", "flag_blocked"):
            self.fields["note"].required = True
            self.fields["note"].label = "Reason"
        if action == "not_delivered":
            self.fields["note"].required = True
            self.fields["note"].label = "What is still missing"
        if action == "mark_delivered":
            self.fields["note"].label = "Note (what was delivered, where to find it)"
            self.fields["note"].help_text = (
                f"{dependency.requester_team.name} is told, and confirms the delivery or says "
                "it is not delivered yet."
            )
        # Unique ids: several of these forms share one page.
        self.auto_id = f"id_{dependency.pk}_{action}_%s"

    def targets_json(self) -> str:
        """{initiative id: {"target": date, "title": title}} of the initiatives this form
        offers with a target date (accept), for the page's script."""
        field = self.fields.get("provider_initiative")
        rows = field.queryset.values_list("id", "target_date", "title") if field else []
        return json.dumps({i: {"target": d.isoformat(), "title": t} for i, d, t in rows if d})

    def default_initiative(self):
        d = self.dependency
        return d.proposed_initiative_id or d.provider_initiative_id or ""

    def clean(self):
        data = super().clean()
        # Refused with the other fields' errors, not one at a time by the service after
        # them; and a date refused anyway asks nobody to go ahead anyway.
        past = False
        for name in ("committed_date", "proposed_date"):
            value = data.get(name)
            if name in self.fields and value is not None and value < timezone.localdate():
                self.add_error(name, PAST)
                past = True
        if past:
            return data
        if self.action == "accept" and not data.get("accept_at_risk"):
            warning = accept_warning(
                self.dependency, data.get("provider_initiative"), data.get("committed_date")
            )
            if warning:
                # Asked once: the warning, and a box to accept anyway.
                self.fields["accept_at_risk"].widget = forms.CheckboxInput()
                self.add_error("committed_date", warning)
        if self.action in ("propose", "counter") and not data.get("propose_at_risk"):
            # A date the delivering work already misses, or (the provider's) one after the
            # need-by: said before it is offered, as when it is accepted.
            warning = accept_warning(
                self.dependency,
                data.get("provider_initiative"),
                data.get("proposed_date"),
                proposing=self.action == "propose",
                when="agreed",
                tick="propose it anyway",
                asking=self.action == "counter",
            )
            if warning:
                self.fields["propose_at_risk"].widget = forms.CheckboxInput()
                self.add_error("proposed_date", warning)
        if self.action == "agree" and not data.get("agree_at_risk") and self.warning:
            # Asked once, beside the box to agree anyway.
            self.fields["agree_at_risk"].widget = forms.CheckboxInput()
            self.add_error("agree_at_risk", self.warning)
        return data


def accept_warning(
    dependency,
    initiative,
    committed,
    *,
    proposing: bool = False,
    when: str = "accepted",
    tick: str = "accept anyway",
    asking: bool = False,
    choose: str = "Choose another date",
) -> str:
    """Why accepting with this initiative and date, or proposing them (`proposing`: the
    provider's proposal; a counter-proposal, `when="agreed"`), would be at risk or leave
    the requester short ("" if not): the date is after the need-by (`need_by_gap`), or
    before the initiative's target (see `queries.risk_reasons`). `asking`: the asking
    side's own move (a counter-proposal, agreeing), told too when the date is after the
    target date of its initiative that needs it (`queries.after_target`)."""
    committed = committed or dependency.proposed_date
    reasons = []
    if asking:
        reasons.append(queries.after_target(dependency, committed, agreed=True))
    # A later date proposed moves the need-by once agreed (not at risk then): said as help
    # (`need_by_gap`), asked about only when the need-by follows a milestone.
    if when == "accepted" or (proposing and dependency.need_by_milestone_id):
        reasons.append(need_by_gap(dependency, committed, proposing=proposing))
    initiative = initiative or dependency.proposed_initiative or dependency.provider_initiative
    target = initiative.target_date if initiative is not None else None
    if committed is not None and target is not None and committed < target:
        reasons.append(
            f"{day(committed)} is before {initiative.title}'s target date ({day(target)}): "
            f"the dependency would show at risk as soon as it is {when}."
        )
    reasons = [r for r in reasons if r]
    if not reasons:
        return ""
    return " ".join(reasons) + f" {choose}, or tick the box to {tick}."


def agree_warning(dependency) -> str:
    """Why the asking side agreeing to the proposal on the table would leave its initiative
    short or the dependency at risk ("" if not): its date is after the target date of the
    initiative that needs it, or before the delivering initiative's (`accept_warning`, as
    the provider is told accepting)."""
    if dependency.state != State.NEGOTIATING or dependency.awaiting != Side.REQUESTER:
        return ""
    return accept_warning(
        dependency,
        None,
        dependency.proposed_date,
        when="agreed",
        tick="agree anyway",
        asking=True,
        choose="Counter-propose another date",
    )


def own_later_date(dependency):
    """The requester's own counter-proposed date when it is later than the need-by and
    accepting it as it stands moves the need-by there (not when the need-by follows a
    milestone), else None."""
    d = dependency
    if d.state != State.NEGOTIATING or d.awaiting != Side.PROVIDER or d.need_by_milestone_id:
        return None
    return d.proposed_date if d.proposed_date and d.proposed_date > d.need_by else None


def need_by_gap(dependency, date, *, proposing: bool = False) -> str:
    """What committing to `date` (or proposing it) says to the provider when it is after
    the requester's need-by ("" when it is not): "Platform needs this by 18 Dec 2026; you
    are committing to 30 Dec 2026, 12 days later". Accepting the requester's own later
    counter-proposal is none: it becomes the need-by (`services._agreed`), unless the
    need-by follows a milestone."""
    d = dependency
    if date is None or date <= d.need_by:
        return ""
    if not proposing and date == own_later_date(d):
        return ""
    asker = d.requester_team.name
    gap = f"{day(d.need_by)}; you are {'proposing' if proposing else 'committing to'} "
    gap += f"{day(date)}, {counted((date - d.need_by).days, 'day')} later"
    if not proposing:
        return f"{asker} needs this by {gap}: it will show at risk as soon as it is accepted."
    if d.need_by_milestone_id:
        return (
            f"{asker} needs this by {gap}, and its need-by follows a milestone: it would show "
            "at risk once agreed."
        )
    return (
        f"{asker} needs this by {gap}: if {asker} agrees, it gets it then and its need-by "
        f"moves to {day(date)}."
    )
