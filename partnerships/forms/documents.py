"""The form for uploading a project's documents."""

from django import forms

from partnerships.models import Document, Project
from partnerships.services import documents as document_services


class DocumentUploadForm(forms.Form):
    document = forms.ModelChoiceField(
        queryset=Document.objects.none(),
        required=False,
        label="Is this a new version of a document already uploaded?",
        empty_label="No, it is a new document",
        help_text="Earlier versions are kept.",
        error_messages={"invalid_choice": "Choose one of this project's documents"},
    )
    kind = forms.ChoiceField(
        choices=Document.Kind.choices,
        required=False,
        label="Kind of document",
        widget=forms.RadioSelect,
        help_text="Not needed for a new version.",
    )
    title = forms.CharField(
        max_length=200,
        required=False,
        help_text="For example, Collaborative working agreement. Not needed for a new version.",
        error_messages={"max_length": "Enter a title of 200 characters or fewer"},
    )
    file = forms.FileField(
        label="File",
        widget=forms.FileInput(attrs={"accept": ".pdf,.docx,.xlsx"}),
        error_messages={
            "required": "Select a file to upload",
            "empty": document_services.EMPTY,
            "invalid": "Select a file to upload",
            "missing": "Select a file to upload",
        },
    )

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].queryset = project.documents.all()
        self.fields["file"].help_text = (
            "A PDF, Word (DOCX) or Excel (XLSX) document, smaller than "
            f"{document_services.size_label(document_services.max_upload_bytes())}."
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("document") is None and "document" not in self.errors:
            if not cleaned.get("kind"):
                self.add_error("kind", "Select the kind of document")
            if not (cleaned.get("title") or "").strip() and "title" not in self.errors:
                self.add_error("title", "Enter a title for the document")
        return cleaned
