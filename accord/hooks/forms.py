from __future__ import annotations

from django import forms


class WebhookForm(forms.Form):
    url = forms.CharField(
        label="Payload URL",
        max_length=500,
        widget=forms.URLInput(attrs={"placeholder": "https://example.com/accord-events"}),
    )
    events = forms.CharField(
        label="Event kinds",
        max_length=2000,
        initial="*",
        widget=forms.TextInput(attrs={"list": "event-kinds-list"}),
        help_text="Separated by spaces or commas: * for every event, coordination.* for a "
        "pillar, org.team.* for one kind of object, decisions.decision.decided for one event "
        "(the kinds are listed under “What Accord sends” below). Personal and account events "
        "(someone's time off, tokens, inbox, sign-ins…) are sent only when named: "
        "rhythm.away.*, auth.user.signed_in.",
    )
    description = forms.CharField(label="Description", max_length=200, required=False)
