from __future__ import annotations

from django import forms

from accord.sources.models import SourceKind


class SourceForm(forms.Form):
    kind = forms.ChoiceField(choices=SourceKind.choices, label="Kind of source")
    url = forms.CharField(
        max_length=1000,
        label="Address",
        help_text="http(s). For Prometheus, the server (e.g. https://prometheus.example.com).",
    )
    json_path = forms.CharField(
        max_length=200, required=False, label="JSONPath", help_text="JSON: e.g. $.data.total"
    )
    csv_column = forms.CharField(
        max_length=200,
        required=False,
        label="CSV column",
        help_text="CSV: the column's header, or its number (1 = the first).",
    )
    csv_row = forms.CharField(
        max_length=20,
        required=False,
        label="CSV row",
        help_text="CSV: last (the default), or a number (1 = the first after the header).",
    )
    key_column = forms.CharField(
        max_length=200,
        required=False,
        label="…or the row whose column",
        help_text="CSV: find the row by a key column instead…",
    )
    key_value = forms.CharField(
        max_length=200, required=False, label="holds", help_text="…holding this value."
    )
    query = forms.CharField(
        max_length=1000,
        required=False,
        label="Prometheus query",
        help_text="An instant query answering one number, e.g. sum(rate(http_requests_total[5m]))",
    )
    header_name = forms.CharField(
        max_length=100,
        required=False,
        label="Header name",
        help_text="Optional, e.g. Authorization. Empty: no header (and no stored secret).",
    )
    header_value = forms.CharField(
        max_length=2000,
        required=False,
        label="Header value",
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Stored encrypted and never shown. Leave empty to keep the stored one.",
    )


class TrackerLinkForm(forms.Form):
    url = forms.CharField(
        max_length=1000,
        label="Tracker item",
        help_text=(
            "The address of a GitHub issue or milestone, a GitLab issue, epic or milestone, "
            "or a Jira issue."
        ),
    )


class CredentialForm(forms.Form):
    base_url = forms.CharField(
        max_length=500,
        required=False,
        label="API base URL",
        help_text="Empty: derived from each linked item's address (github.com: api.github.com).",
    )
    token = forms.CharField(
        max_length=2000,
        required=False,
        label="Token",
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Stored encrypted and never shown again. Leave empty to keep the stored one.",
    )
    remove_token = forms.BooleanField(required=False, label="Remove the stored token")
