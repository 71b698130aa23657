"""The activity page's filters, read from the URL (a GET form): the kind of object (one
Accord records events about, `kinds.object_kinds`), who did it (a person chosen through the
search box: an organization may have 100,000), a team (its slug, `?team=SLUG`, with
`&only=1` for the team alone) and a range of days. What is not understood (an unknown kind
or team too) is left out of the filter and named on the page."""

from __future__ import annotations

import datetime as dt

from django import forms

from accord.activity import kinds
from accord.core import dates
from accord.org.models import Person, Team
from accord.web import pickers
from accord.web.helpers import slug_or_none

DATE = forms.DateInput(attrs={"type": "date"})


class ActivityFilterForm(forms.Form):
    type = forms.CharField(required=False, label="Kind")
    actor = pickers.PersonChoiceField(
        queryset=Person.objects.none(), required=False, empty_label="Anyone", label="Who"
    )
    team = forms.CharField(required=False, label="Team")
    since = dates.DateField(required=False, widget=DATE, label="From")
    until = dates.DateField(required=False, widget=DATE, label="To")

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.org = org
        # Anyone of the organization, deactivated people too: what did they do before.
        self.fields["actor"].queryset = Person.objects.for_org(org).order_by("name", "id")

    def clean_type(self) -> str:
        """An object kind events are recorded about (`org.team`); one of none, refused."""
        kind = self.cleaned_data.get("type") or ""
        if kind and kind not in kinds.object_kinds():
            raise forms.ValidationError(f"No kind “{kind[:60]}”.")
        return kind

    def clean_team(self) -> Team | None:
        """The team of this organization the slug names (another organization's is none)."""
        text = self.cleaned_data.get("team") or ""
        if not text:
            return None
        slug = slug_or_none(text)
        team = None
        if slug is not None:
            team = Team.objects.for_org(self.org).select_related("parent").filter(slug=slug)
            team = team.first()
        if team is None:
            raise forms.ValidationError(
                f"No team “{slug}” in this organization." if slug else "No such team."
            )
        return team

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", "The range ends before it begins.")
        return data

    def valid_filters(self) -> dict:
        """The filters given that are valid (`target_type`, `actor_id`, `team` and `only`,
        `since`, `until` for `queries.feed`); the page names the others (`errors`)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        out: dict[str, object] = {}
        if data.get("type"):
            out["target_type"] = data["type"]
        if data.get("actor") is not None:
            out["actor_id"] = data["actor"].pk
        if data.get("team") is not None:
            out["team"] = data["team"]
            out["only"] = self.data.get("only") == "1"
        for key in ("since", "until"):
            if isinstance(data.get(key), dt.date):
                out[key] = data[key]
        return out
