"""CSV exports: transfers of value in the Disclosure UK layout, and the project list.

Cells go through governance's ``csv_cell``: ISO 8601 dates, and anything a spreadsheet could
run as a formula made inert.
"""

import csv
from decimal import Decimal

from django.conf import settings
from django.db.models import QuerySet
from django.db.models.functions import Coalesce, ExtractYear
from django.http import HttpResponse
from django.urls import reverse

from accounts.models import Organisation
from governance.selectors.register import published_projects
from governance.views.declarations import csv_cell
from partnerships.models import Partner, Project

TRANSFER_HEADER = [
    "Company name",
    "Recipient organisation",
    "Address line 1",
    "Address line 2",
    "City",
    "County",
    "Postcode",
    "Country",
    "Category of transfer of value",
    "Year",
    "Amount (GBP)",
    "Project reference",
    "Link to the collaborative working executive summary",
]

PROJECT_HEADER = [
    "Reference",
    "Title",
    "Kind",
    "Status",
    "Lead organisation",
    "Partners",
    "Therapy area",
    "Start date",
    "End date",
    "Submitted",
    "Executive summary published",
    "Financial contributions (GBP)",
    "In-kind contributions (GBP)",
    "Last updated",
]


def csv_response(filename: str, header: list[str], rows) -> HttpResponse:
    """UTF-8 with a byte-order mark, so spreadsheets read the £ and accents right."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return response


def register_link(reference: str) -> str:
    site = getattr(settings, "SITE_URL", "")
    return site + reverse("governance:register-entry", args=[reference])


def transfers_of_value(
    *, companies: QuerySet[Organisation] | None = None, year: int | None = None
) -> QuerySet[Partner]:
    """Each company's contribution to a project on the public register. The year of a
    transfer is the year the project starts (the year its summary was published, if it has
    no start date)."""
    partners = (
        Partner.objects.filter(
            project__in=published_projects().order_by().values("pk"),
            organisation__kind=Organisation.Kind.COMPANY,
        )
        .select_related("organisation", "project__lead_organisation")
        .annotate(
            disclosure_year=Coalesce(
                ExtractYear("project__start_date"), ExtractYear("project__summary_published_at")
            )
        )
        .order_by("organisation__name", "disclosure_year", "project__reference")
    )
    if companies is not None:
        partners = partners.filter(organisation__in=companies)
    if year is not None:
        partners = partners.filter(disclosure_year=year)
    return partners


def transfer_rows(partners):
    for partner in partners:
        project = partner.project
        recipient = project.lead_organisation
        yield [
            partner.organisation.name,
            recipient.name,
            recipient.address_line_1,
            recipient.address_line_2,
            recipient.town,
            "",  # the portal does not record counties
            recipient.postcode,
            "United Kingdom",
            project.get_kind_display() if project.kind else Project.Kind.COLLABORATIVE.label,
            partner.disclosure_year,
            partner.financial_contribution + partner.in_kind_value,
            project.reference,
            register_link(project.reference),
        ]


def project_rows(projects):
    for project in projects:
        partners = list(project.partners.all())
        yield [
            project.reference,
            project.title,
            project.get_kind_display() if project.kind else "",
            project.get_status_display(),
            project.lead_organisation.name,
            "; ".join(p.organisation.name for p in partners),
            project.therapy_area,
            project.start_date,
            project.end_date,
            project.submitted_at,
            project.summary_published_at,
            sum((p.financial_contribution for p in partners), Decimal("0")),
            sum((p.in_kind_value for p in partners), Decimal("0")),
            project.updated_at,
        ]
