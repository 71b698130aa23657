from __future__ import annotations

from django import forms

from accord.interchange import safeyaml


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Organization file (YAML) or CSV",
        help_text="An export of Accord, a file written by hand, or a CSV from the templates. "
        f"At most {safeyaml.MAX_BYTES // (1024 * 1024)} MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".yaml,.yml,.csv,text/csv"}),
    )
    strict = forms.BooleanField(
        label="Strict: any problem aborts",
        required=False,
        help_text="Without it, items with problems are skipped and listed; the rest is applied.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > safeyaml.MAX_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size:,} bytes; at most {safeyaml.MAX_BYTES:,} are accepted."
            )
        return upload
