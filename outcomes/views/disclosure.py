"""Disclosure PDFs (per project, and register extracts), /verify/, and the CSV exports."""

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.forms import apply_service_errors
from accounts.models import Organisation
from outcomes import exports
from outcomes.forms.disclosure import ExtractRequestForm, VerifyForm
from outcomes.models import DisclosureDocument
from outcomes.selectors import disclosure as selectors
from outcomes.services import disclosure as services
from partnerships.selectors.projects import project_list_for
from partnerships.views.documents import attachment_response, stored_file_open

K = DisclosureDocument.Kind
S = DisclosureDocument.Status


def document_statuses(documents) -> str:
    """What the page shows, in the form the status endpoint compares against."""
    return ",".join(f"{d.pk}:{d.status}" for d in documents)


def documents_status_json(documents) -> JsonResponse:
    documents = list(documents)
    response = JsonResponse(
        {
            "pending": any(d.is_pending for d in documents),
            "statuses": document_statuses(documents),
            "documents": [
                {
                    "id": d.pk,
                    "document_number": d.document_number,
                    "status": d.status,
                    "label": d.get_status_display(),
                }
                for d in documents
            ],
        }
    )
    response["Cache-Control"] = "no-store"
    return response


def requested_message(request, document: DisclosureDocument) -> None:
    if document.status == S.READY:
        messages.success(
            request,
            f"Nothing has changed since {document.document_number} was made: "
            "it is ready to download.",
        )
    else:
        messages.success(
            request,
            f"{document.document_number} is being made. This page shows when it is ready.",
        )


# A project's disclosure ------------------------------------------------------------------


@login_required
def project_disclosure(request, pk):
    project = selectors.project_for_disclosure(user=request.user, pk=pk)
    documents = list(selectors.project_documents(project))
    return render(
        request,
        "outcomes/disclosure_project.html",
        {
            "project": project,
            "documents": documents,
            "pending": any(d.is_pending for d in documents),
            "statuses": document_statuses(documents),
            "status_url": reverse("outcomes:disclosure-project-status", args=[project.pk]),
        },
    )


@login_required
def project_disclosure_status(request, pk):
    project = selectors.project_for_disclosure(user=request.user, pk=pk)
    return documents_status_json(selectors.project_documents(project))


@login_required
@require_POST
def project_disclosure_request(request, pk):
    project = selectors.project_for_disclosure(user=request.user, pk=pk)
    document = services.disclosure_request(kind=K.PROJECT, project=project, actor=request.user)
    requested_message(request, document)
    return redirect("outcomes:disclosure-project", pk=project.pk)


# Register extracts -------------------------------------------------------------------------


def _extract_page(request, form):
    documents = list(selectors.extract_documents_for(user=request.user))
    return render(
        request,
        "outcomes/disclosure_extracts.html",
        {
            "form": form,
            "documents": documents,
            "pending": any(d.is_pending for d in documents),
            "statuses": document_statuses(documents),
            "status_url": reverse("outcomes:disclosure-extracts-status"),
        },
    )


@login_required
def extract_list(request):
    if not selectors.can_use_extracts(request.user):
        raise PermissionDenied
    form = ExtractRequestForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            document = services.disclosure_request(
                kind=K.REGISTER_EXTRACT,
                organisation=form.cleaned_data["organisation"],
                year=form.cleaned_data["year"],
                actor=request.user,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            requested_message(request, document)
            return redirect("outcomes:disclosure-extracts")
    return _extract_page(request, form)


@login_required
def extract_status(request):
    if not selectors.can_use_extracts(request.user):
        raise PermissionDenied
    return documents_status_json(selectors.extract_documents_for(user=request.user))


# Any document --------------------------------------------------------------------------------


def _back(request, document: DisclosureDocument):
    """To the page the retry was asked from (a document table says which), else the
    document's own list."""
    back = request.POST.get("next", "")
    if back.startswith("/") and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)
    if document.kind == K.PROJECT:
        return redirect("outcomes:disclosure-project", pk=document.project_id)
    return redirect("outcomes:disclosure-extracts")


@login_required
@require_POST
def document_retry(request, pk):
    document = selectors.document_for_user(user=request.user, pk=pk)
    try:
        services.disclosure_retry(document=document, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{document.document_number} will be tried again.")
    return _back(request, document)


@login_required
def document_download(request, pk):
    document = selectors.document_for_user(user=request.user, pk=pk)
    if document.status != S.READY or not document.file:
        raise Http404("The document is not ready")
    return disclosure_file_response(document, actor=request.user)


def disclosure_file_response(document, *, actor) -> FileResponse:
    """A ready disclosure PDF as a download, its download recorded in the audit trail (the
    page and the API both serve it this way)."""
    handle = stored_file_open(document.file)
    services.disclosure_download_record(document=document, actor=actor)
    return attachment_response(handle, filename=document.filename, content_type="application/pdf")


# /verify/: public ---------------------------------------------------------------------------


def _file_sha256(upload) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    return digest.hexdigest()


def verify(request):
    """Anyone may check whether the portal issued a PDF: by the file or its SHA-256."""
    posted = request.method == "POST"
    form = VerifyForm(request.POST if posted else None, request.FILES if posted else None)
    checked = None
    if posted and form.is_valid():
        upload = form.cleaned_data.get("file")
        if upload is not None:
            sha256 = _file_sha256(upload)
        else:
            sha256 = selectors.normalise_sha256(form.cleaned_data["sha256"])
            if sha256 is None:
                form.add_error(
                    "sha256",
                    "Enter a SHA-256 fingerprint of 64 characters, the digits 0 to 9 and "
                    "letters a to f",
                )
        if sha256 is not None:
            checked = {"sha256": sha256, "document": selectors.issued_document(sha256)}
    return render(
        request,
        "outcomes/verify.html",
        {"form": form, "checked": checked},
        status=400 if form.errors else 200,
    )


# CSV exports ----------------------------------------------------------------------------------


def _int_param(request, name):
    value = request.GET.get(name, "").strip()
    return int(value) if value.isdigit() else None


@login_required
def transfers_csv(request):
    """Transfers of value per company and year, in the Disclosure UK columns."""
    allowed = selectors.transfer_companies_for(user=request.user)
    companies = allowed
    company_id = _int_param(request, "company")
    if company_id is not None:
        if allowed is not None and not allowed.filter(pk=company_id).exists():
            raise PermissionDenied
        companies = Organisation.objects.filter(pk=company_id)
    year = _int_param(request, "year")
    partners = exports.transfers_of_value(companies=companies, year=year)
    name = "transfers-of-value" + (f"-{year}" if year else "") + ".csv"
    return exports.csv_response(name, exports.TRANSFER_HEADER, exports.transfer_rows(partners))


@login_required
def projects_csv(request):
    """The projects the user can see, with their status."""
    projects = project_list_for(user=request.user).order_by("reference", "pk")
    return exports.csv_response(
        "projects.csv", exports.PROJECT_HEADER, exports.project_rows(projects)
    )


urlpatterns = [
    path("projects/<int:pk>/disclosure/", project_disclosure, name="disclosure-project"),
    path(
        "projects/<int:pk>/disclosure/status.json",
        project_disclosure_status,
        name="disclosure-project-status",
    ),
    path(
        "projects/<int:pk>/disclosure/request/",
        project_disclosure_request,
        name="disclosure-project-request",
    ),
    path("projects/export.csv", projects_csv, name="projects-csv"),
    path("disclosure/extracts/", extract_list, name="disclosure-extracts"),
    path("disclosure/extracts/status.json", extract_status, name="disclosure-extracts-status"),
    path("disclosure/documents/<int:pk>/download/", document_download, name="disclosure-download"),
    path("disclosure/documents/<int:pk>/retry/", document_retry, name="disclosure-retry"),
    path("disclosure/transfers-of-value.csv", transfers_csv, name="transfers-csv"),
    path("verify/", verify, name="verify"),
]
