"""The auditors' audit packs: request one for an ICB and a period, see those made so far.

The PDFs are disclosure documents: they are downloaded, retried and verified through the
outcomes app's views (outcomes:disclosure-download, outcomes:disclosure-retry, /verify/).
"""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.forms import apply_service_errors
from compliance.forms.audit_pack import AuditPackForm
from compliance.services.audit_pack import MAX_PROJECTS, PERIOD_RULE, audit_pack_request
from outcomes.selectors.disclosure import audit_pack_documents, can_use_audit_packs
from outcomes.views.disclosure import (
    document_statuses,
    documents_status_json,
    requested_message,
)


def _refused(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not can_use_audit_packs(request.user):
        raise PermissionDenied
    return None


def audit_pack_list(request):
    """The request form and the packs made so far (auditors and administrators)."""
    if (refused := _refused(request)) is not None:
        return refused
    posted = request.method == "POST"
    form = AuditPackForm(request.POST if posted else None)
    if posted and form.is_valid():
        try:
            document = audit_pack_request(
                organisation=form.cleaned_data["organisation"],
                period_from=form.cleaned_data["period_from"],
                period_to=form.cleaned_data["period_to"],
                actor=request.user,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            requested_message(request, document)
            return redirect("compliance:audit-pack-list")
    documents = list(audit_pack_documents())
    return render(
        request,
        "compliance/audit_pack_list.html",
        {
            "form": form,
            "rule": PERIOD_RULE,
            "max_projects": MAX_PROJECTS,
            "documents": documents,
            "pending": any(d.is_pending for d in documents),
            "statuses": document_statuses(documents),
            "status_url": reverse("compliance:audit-pack-status"),
        },
    )


def audit_pack_status(request):
    """What the page polls while a pack is being made."""
    if (refused := _refused(request)) is not None:
        return refused
    return documents_status_json(audit_pack_documents())
