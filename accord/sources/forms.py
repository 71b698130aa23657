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


BASE_HELP = {
    "github": "Empty: https://api.github.com for github.com, <site>/api/v3 for GitHub Enterprise.",
    "gitlab": "Empty: <site>/api/v4 of each linked item, e.g. https://gitlab.com/api/v4.",
    "jira": "Empty: the site of each linked item, e.g. https://acme.atlassian.net.",
}
TOKEN_HELP = {
    "github": "A fine-grained or classic personal access token that can read the issues.",
    "gitlab": "A personal, group or project access token with read_api.",
    "jira": "Jira Cloud: your-email:api-token. Server / Data Center: a personal access token.",
}


class CredentialForm(forms.Form):
    """One tracker's access (`prefix` is the tracker: github, gitlab, jira). Its help is
    the same on first display and after an error: it says which token it wants, and
    whether one is stored (`has_token`). A token typed into a form that is shown again
    with an error is kept in its field: nothing is stored until the form is saved."""

    base_url = forms.CharField(max_length=500, required=False, label="API base URL")
    token = forms.CharField(
        max_length=2000,
        required=False,
        label="Token",
        # render_value: only what was typed into this form comes back (never a stored one).
        widget=forms.PasswordInput(render_value=True, attrs={"autocomplete": "off"}),
    )
    remove_token = forms.BooleanField(required=False, label="Remove the stored token")

    def __init__(self, *args, has_token: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        tracker = self.prefix or "github"
        self.fields["base_url"].help_text = BASE_HELP[tracker]
        self.fields["token"].help_text = f"{TOKEN_HELP[tracker]} Stored encrypted, never shown" + (
            " again; leave empty to keep the stored one." if has_token else "."
        )
