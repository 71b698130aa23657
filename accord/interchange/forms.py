from __future__ import annotations

from django import forms

from accord.interchange import engine


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Organization file (YAML) or CSV",
        widget=forms.ClearableFileInput(attrs={"accept": ".yaml,.yml,.csv,text/csv"}),
    )
    strict = forms.BooleanField(
        label="Strict: any problem aborts",
        required=False,
        help_text="Without it, items with problems are skipped and listed; the rest is applied.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (
            "An export of Accord, a file written by hand, or a CSV from the templates. "
            f"At most {engine.size_text(engine.max_bytes())}."
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > engine.max_bytes():
            raise forms.ValidationError(engine.too_large(upload.size))
        return upload
