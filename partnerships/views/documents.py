"""The project's documents: every version kept, downloaded only through a checked view."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path

from accounts.forms import apply_service_errors
from partnerships.forms.documents import DocumentUploadForm
from partnerships.models import Document, DocumentVersion
from partnerships.selectors import projects as selectors
from partnerships.services import documents as document_services


def _documents_by_kind(project):
    documents = project.documents.prefetch_related(
        Prefetch("versions", queryset=DocumentVersion.objects.select_related("uploaded_by"))
    )
    by_kind = {kind: [] for kind in Document.Kind.values}
    for document in documents:
        by_kind[document.kind].append(document)
    return [
        {"kind": kind, "label": label, "documents": by_kind[kind]}
        for kind, label in Document.Kind.choices
    ]


def _page(request, project, form, template):
    return render(
        request,
        template,
        {
            "project": project,
            "groups": _documents_by_kind(project),
            "form": form,
            "max_size": document_services.size_label(document_services.max_upload_bytes()),
            "closed": project.status in document_services.CLOSED_STATUSES,
        },
    )


@login_required
def document_list(request, pk):
    project = selectors.project_for_view(user=request.user, pk=pk)
    can_upload = selectors.can_upload_documents(request.user, project)
    form = DocumentUploadForm(project=project) if can_upload else None
    return _page(request, project, form, "partnerships/document_list.html")


@login_required
def document_upload(request, pk):
    project = selectors.project_for_view(user=request.user, pk=pk)
    if not selectors.can_upload_documents(request.user, project):
        raise PermissionDenied
    if request.method == "POST":
        form = DocumentUploadForm(request.POST, request.FILES, project=project)
    else:
        form = DocumentUploadForm(project=project, initial={"document": request.GET.get("of")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            version = document_services.document_upload(
                project=project,
                kind=data["kind"],
                title=data["title"],
                uploaded_file=data["file"],
                document=data["document"],
                actor=request.user,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request, f"“{version.document.title}” version {version.number} has been uploaded"
            )
            return redirect("partnerships:document-list", pk=project.pk)
    return _page(request, project, form, "partnerships/document_upload.html")


@login_required
def document_download(request, pk, version_pk):
    project = selectors.project_for_view(user=request.user, pk=pk)
    version = (
        DocumentVersion.objects.select_related("document")
        .filter(pk=version_pk, document__project=project)
        .first()
    )
    if version is None:
        raise Http404("No such document")
    return attachment_response(
        stored_file_open(version.file),
        filename=version.original_name,
        content_type=version.content_type,
    )


def stored_file_open(file):
    """A stored file (a FieldFile, from whichever storage holds it) opened for reading; a
    file the storage no longer has is a 404."""
    try:
        return file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing") from None


def attachment_response(handle, *, filename: str, content_type: str) -> FileResponse:
    """The file streamed as a download that the browser saves and never renders, and nobody
    caches. Call it only after the permission check."""
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


urlpatterns = [
    path("<int:pk>/documents/", document_list, name="document-list"),
    path("<int:pk>/documents/upload/", document_upload, name="document-upload"),
    path(
        "<int:pk>/documents/versions/<int:version_pk>/download/",
        document_download,
        name="document-download",
    ),
]
