"""CSV exports: transfers of value in the Disclosure UK columns, and the project list."""

import csv
import io

import pytest
from django.urls import reverse

from accounts import services as account_services
from partnerships.services.projects import project_create
from tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db

TRANSFERS = "/disclosure/transfers-of-value.csv"
PROJECTS = "/projects/export.csv"


def read_csv(response):
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff"), "a byte-order mark, for spreadsheets"
    return list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))


def test_the_urls():
    assert reverse("outcomes:transfers-csv") == TRANSFERS
    assert reverse("outcomes:projects-csv") == PROJECTS


def test_an_auditor_gets_every_companys_transfers_in_the_disclosure_uk_layout(
    client, approved, auditor, icb, company, administrator
):
    account_services.organisation_update(
        organisation=icb,
        actor=administrator,
        address_line_1="1 Quay Street",
        town="Testford",
        postcode="TF1 1AA",
    )
    client.force_login(auditor)
    response = client.get(TRANSFERS)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = read_csv(response)
    assert rows[0] == [
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
    assert len(rows) == 2  # the ICB itself is not a company: only the company's transfer
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Company name"] == company.name
    assert row["Recipient organisation"] == icb.name
    assert row["Address line 1"] == "1 Quay Street" and row["Address line 2"] == ""
    assert (row["City"], row["Postcode"]) == ("Testford", "TF1 1AA")
    assert row["Country"] == "United Kingdom"
    assert row["Category of transfer of value"] == "Collaborative working"
    assert row["Year"] == "2027"  # the year the project starts
    assert row["Amount (GBP)"] == "70000.00"  # financial 50,000.00 + in kind 20,000.00, exact
    assert row["Project reference"] == approved.reference
    assert row["Link to the collaborative working executive summary"] == (
        f"http://testserver/register/{approved.reference}/"
    )
    assert len(read_csv(client.get(TRANSFERS + "?year=2026"))) == 1  # header only


def test_a_company_member_gets_only_their_companys_transfers(
    client, approved, industry_member, company
):
    other = CompanyFactory()
    client.force_login(industry_member)
    rows = read_csv(client.get(TRANSFERS))
    assert [r[0] for r in rows[1:]] == [company.name]
    assert client.get(f"{TRANSFERS}?company={company.pk}").status_code == 200
    assert client.get(f"{TRANSFERS}?company={other.pk}").status_code == 403


@pytest.mark.parametrize("who", ["partnership_lead", "panel_member", "outsider"])
def test_others_cannot_export_transfers(request, client, approved, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(TRANSFERS).status_code == 403


def test_anonymous_cannot_export(client, db):
    for url in (TRANSFERS, PROJECTS):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_project_list_shows_what_the_user_sees_with_formulas_made_inert(
    client, approved, partnership_lead, icb, outsider
):
    injected = project_create(
        title='=HYPERLINK("http://evil.example","click")',
        lead_organisation=icb,
        actor=partnership_lead,
    )
    client.force_login(partnership_lead)
    rows = read_csv(client.get(PROJECTS))
    header, body = rows[0], rows[1:]
    assert header[:5] == ["Reference", "Title", "Kind", "Status", "Lead organisation"]
    by_title = {r[1]: dict(zip(header, r, strict=True)) for r in body}
    assert set(by_title) == {approved.title, "'" + injected.title}
    row = by_title[approved.title]
    assert row["Status"] == "Approved"
    assert row["Start date"] == "2027-01-01"
    assert row["Financial contributions (GBP)"] == "50000.00"
    assert row["In-kind contributions (GBP)"] == "40000.00"
    assert row["Executive summary published"].startswith(
        approved.summary_published_at.date().isoformat()[:4]
    )

    client.force_login(outsider)
    assert read_csv(client.get(PROJECTS)) == [header]  # sees no project
