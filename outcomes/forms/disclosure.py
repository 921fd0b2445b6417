from django import forms

from outcomes.selectors.disclosure import extract_organisations_for, extract_years

VERIFY_MAX_BYTES = 50 * 1024 * 1024


class ExtractRequestForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label="Integrated care board",
        queryset=None,
        empty_label="Choose an ICB",
        error_messages={"required": "Choose an integrated care board"},
    )
    year = forms.TypedChoiceField(
        label="Year the executive summaries were published",
        coerce=int,
        choices=(),
        error_messages={"required": "Choose a year"},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = extract_organisations_for(user=user)
        self.fields["year"].choices = [(y, str(y)) for y in extract_years()]


class VerifyForm(forms.Form):
    file = forms.FileField(
        label="Upload the PDF",
        required=False,
        help_text="The file is read to work out its SHA-256 fingerprint, then discarded.",
    )
    sha256 = forms.CharField(
        label="Or paste its SHA-256 fingerprint",
        required=False,
        max_length=200,
        strip=True,
        help_text="64 characters, the digits 0 to 9 and letters a to f.",
    )

    def clean(self):
        data = super().clean()
        if not data.get("file") and not data.get("sha256"):
            raise forms.ValidationError("Upload a PDF or paste its SHA-256 fingerprint")
        upload = data.get("file")
        if upload is not None and upload.size > VERIFY_MAX_BYTES:
            self.add_error("file", "The file is larger than any disclosure PDF the portal makes")
        return data
