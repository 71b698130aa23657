"""Forms for asking another team and for each action on a dependency."""

from __future__ import annotations

from django import forms

from accord.alignment.models import Initiative
from accord.coordination.models import Priority
from accord.org.models import Membership, Team
from accord.web import pickers

OPEN = ("proposed", "active", "paused")


class DateInput(forms.DateInput):
    input_type = "date"


class InitiativeChoice(pickers.InitiativeChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.title} ({obj.team.name})"


class DependencyForm(forms.Form):
    requester_initiative = InitiativeChoice(
        queryset=Initiative.objects.none(),
        label="For our initiative",
        help_text="The work of your team that needs it.",
    )
    provider_team = pickers.TeamChoiceField(queryset=Team.objects.none(), label="Ask team")
    title = forms.CharField(max_length=300, label="What you need")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    priority = forms.ChoiceField(choices=Priority.choices, initial=Priority.MEDIUM)
    need_by = forms.DateField(widget=DateInput, label="Needed by")

    def __init__(self, *args, org, person, team=None, **kwargs):
        super().__init__(*args, **kwargs)
        my_teams = Membership.objects.filter(person=person).values("team_id")
        qs = Initiative.objects.for_org(org).filter(status__in=OPEN, team_id__in=my_teams)
        if team is not None:
            qs = qs.filter(team=team)
        self.fields["requester_initiative"].queryset = qs.select_related("team").order_by(
            "team__name", "title"
        )
        teams = Team.objects.for_org(org).order_by("name")
        if team is not None:
            teams = teams.exclude(pk=team.pk)
        self.fields["provider_team"].queryset = teams

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
            need_by = forms.DateField().clean(params.get("need_by") or None)
        except forms.ValidationError:
            need_by = None
        if need_by:
            self.initial["need_by"] = need_by


class ActionForm(forms.Form):
    """All fields any action may take; each action's form shows the ones it needs."""

    provider_initiative = InitiativeChoice(
        queryset=Initiative.objects.none(), required=False, label="Delivered by our initiative"
    )
    committed_date = forms.DateField(widget=DateInput, required=False, label="Committed date")
    proposed_date = forms.DateField(widget=DateInput, required=False, label="Proposed date")
    proposed_scope = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Proposed scope"
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Why (note)"
    )

    FIELDS = {
        "accept": ("provider_initiative", "committed_date", "note"),
        "decline": ("note",),
        "propose": ("provider_initiative", "proposed_date", "proposed_scope", "note"),
        "counter": ("proposed_date", "proposed_scope", "note"),
        "agree": ("note",),
        "confirm_delivery": ("note",),
        "cancel": ("note",),
        "flag_at_risk": ("note",),
        "flag_blocked": ("note",),
        "clear_flag": ("note",),
    }

    def __init__(self, *args, org, dependency, action, **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action
        keep = self.FIELDS.get(action, ("note",))
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        if "provider_initiative" in self.fields:
            self.fields["provider_initiative"].queryset = (
                Initiative.objects.for_org(org)
                .filter(team_id=dependency.provider_team_id, status__in=OPEN)
                .select_related("team")
                .order_by("title")
            )
            self.fields["provider_initiative"].initial = (
                dependency.proposed_initiative_id or dependency.provider_initiative_id
            )
        if "committed_date" in self.fields:
            self.fields["committed_date"].initial = (
                dependency.proposed_date or dependency.committed_date or dependency.need_by
            )
        if action in ("decline", "cancel", "flag_at_risk", "flag_blocked"):
            self.fields["note"].required = True
            self.fields["note"].label = "Reason"
        # Unique ids: several of these forms share one page.
        self.auto_id = f"id_{dependency.pk}_{action}_%s"
