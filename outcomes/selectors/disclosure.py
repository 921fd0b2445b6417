"""Permission-scoped reads of disclosure documents and exports.

Project disclosures: the project's team (its industry members among them) and auditors and
administrators. Register extracts: auditors and administrators, and the panel members and
chairs of the ICB. Audit packs (made by compliance): auditors and administrators. Transfers
of value: auditors and administrators, and a company's own members for their company.
"""

import datetime
import re

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from accounts.models import Membership, Organisation
from accounts.selectors import can_audit
from governance.models import PanelMember
from governance.selectors.register import published_projects
from outcomes.models import DisclosureDocument
from partnerships.models import Project, TeamMember
from partnerships.selectors import projects as project_selectors

Role = Membership.Role
PANEL_ROLES = (Role.PANEL_MEMBER, Role.PANEL_CHAIR)
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


# Project disclosures ------------------------------------------------------------------


def can_use_project_disclosures(user, project: Project) -> bool:
    """May request and download the project's disclosure PDFs."""
    if not user.is_authenticated:
        return False
    if project_selectors.sees_every_project(user):
        return True
    return TeamMember.objects.filter(project=project, user=user).exists()


def project_for_disclosure(*, user, pk) -> Project:
    """The project, for someone who may use its disclosures: 404 to whoever cannot see the
    project, 403 to those who see it but may not (a reviewing panel member)."""
    project = project_selectors.project_for_view(user=user, pk=pk)
    if not can_use_project_disclosures(user, project):
        raise PermissionDenied
    return project


def project_documents(project: Project) -> QuerySet[DisclosureDocument]:
    return DisclosureDocument.objects.filter(
        kind=DisclosureDocument.Kind.PROJECT, project=project
    ).select_related("requested_by")


# Register extracts -------------------------------------------------------------------


def extract_organisations_for(*, user) -> QuerySet[Organisation]:
    """The ICBs whose register extracts the user may request and download."""
    icbs = Organisation.objects.filter(kind=Organisation.Kind.ICB).order_by("name")
    if not user.is_authenticated:
        return icbs.none()
    if project_selectors.sees_every_project(user):
        return icbs
    member = Membership.objects.filter(user=user, organisation=OuterRef("pk"), role__in=PANEL_ROLES)
    seat = PanelMember.objects.filter(user=user, panel__organisation=OuterRef("pk"))
    return icbs.filter(Exists(member) | Exists(seat))


def can_use_extracts(user) -> bool:
    return extract_organisations_for(user=user).exists()


def extract_documents_for(*, user) -> QuerySet[DisclosureDocument]:
    return DisclosureDocument.objects.filter(
        kind=DisclosureDocument.Kind.REGISTER_EXTRACT,
        organisation__in=extract_organisations_for(user=user),
    ).select_related("organisation", "requested_by")


def extract_years() -> list[int]:
    """Years with something on the register, and this year, newest first."""
    published = published_projects().order_by()
    years = {d.year for d in published.dates("summary_published_at", "year")}
    years.add(datetime.date.today().year)
    return sorted(years, reverse=True)


# Audit packs ---------------------------------------------------------------------------------


def can_use_audit_packs(user) -> bool:
    """Auditors and administrators, as for the audit trail and the compliance check."""
    return can_audit(user)


def audit_pack_documents() -> QuerySet[DisclosureDocument]:
    return DisclosureDocument.objects.filter(
        kind=DisclosureDocument.Kind.AUDIT_PACK
    ).select_related("organisation", "requested_by")


# Any document ----------------------------------------------------------------------------


def can_use_document(user, document: DisclosureDocument) -> bool:
    if document.kind == DisclosureDocument.Kind.PROJECT:
        return project_selectors.can_view(user, document.project) and can_use_project_disclosures(
            user, document.project
        )
    if document.kind == DisclosureDocument.Kind.AUDIT_PACK:
        return can_use_audit_packs(user)
    return extract_organisations_for(user=user).filter(pk=document.organisation_id).exists()


def document_for_user(*, user, pk) -> DisclosureDocument:
    """A document the user may download or retry; 404 otherwise."""
    document = (
        DisclosureDocument.objects.select_related("project", "organisation").filter(pk=pk).first()
    )
    if document is None or not can_use_document(user, document):
        raise Http404("No such document")
    return document


# /verify/ ----------------------------------------------------------------------------------


def normalise_sha256(text: str) -> str | None:
    """The hash in lower case without spaces, or None if it is not 64 hexadecimal digits."""
    cleaned = re.sub(r"\s+", "", text or "").lower()
    if cleaned.startswith("sha256:"):
        cleaned = cleaned.removeprefix("sha256:")
    return cleaned if SHA256_RE.match(cleaned) else None


def issued_document(sha256: str) -> DisclosureDocument | None:
    """The ready document whose PDF has this SHA-256, if the portal issued one."""
    return (
        DisclosureDocument.objects.filter(status=DisclosureDocument.Status.READY, sha256=sha256)
        .select_related("project", "organisation")
        .order_by("pk")
        .first()
    )


# Transfers of value --------------------------------------------------------------------------


def transfer_companies_for(*, user) -> QuerySet[Organisation] | None:
    """The companies whose transfers the user may export: None for every company (auditors
    and administrators); PermissionDenied for anyone else who is not a company's member."""
    if not user.is_authenticated:
        raise PermissionDenied
    if project_selectors.sees_every_project(user):
        return None
    companies = Organisation.objects.filter(
        kind=Organisation.Kind.COMPANY, memberships__user=user
    ).distinct()
    if not companies.exists():
        raise PermissionDenied
    return companies
