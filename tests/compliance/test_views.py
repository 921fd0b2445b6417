"""The auditors' compliance page, its CSV export and manage.py check_compliance."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from partnerships.models import Partner
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db
PAGE = reverse("compliance:breach-list")
CSV = reverse("compliance:breach-csv")


@pytest.fixture
def breach(approved, company):
    """An approved project whose company partner contributes nothing."""
    Partner.objects.filter(project=approved, organisation=company).update(
        financial_contribution=0, in_kind_value=0
    )
    return approved


def test_auditor_sees_each_breach_with_its_rule_and_evidence(client, auditor, breach, company):
    client.force_login(auditor)
    page = client.get(PAGE)
    assert page.status_code == 200
    body = page.content.decode()
    assert "1 breach in 1 project." in body
    assert str(breach) in body
    assert "Every partner contributes, financially or in kind (rule 2)" in body
    assert f"{company.name} contributes nothing, financial or in kind" in body
    assert reverse("partnerships:project-detail", args=[breach.pk]) in body


def test_a_clean_portal_says_so(client, auditor, approved):
    client.force_login(auditor)
    body = client.get(PAGE).content.decode()
    assert "No breaches: every project meets the rules the check applies." in body


def test_filter_by_icb(client, auditor, breach, icb, partnership_lead):
    from partnerships.models import Project

    other = OrganisationFactory(name="NHS Elsewhere Integrated Care Board", ods_code="QZY")
    idle = OrganisationFactory(name="NHS Idle Integrated Care Board", ods_code="QZX")
    Project.objects.create(title="Elsewhere", lead_organisation=other, created_by=partnership_lead)
    client.force_login(auditor)
    page = client.get(PAGE, {"icb": icb.pk}).content.decode()
    assert "1 breach in 1 project." in page
    # The choice is of the NHS bodies that lead projects.
    assert other.name in page and idle.name not in page
    body = client.get(PAGE, {"icb": other.pk}).content.decode()
    assert "No breaches: every project led by NHS Elsewhere Integrated Care Board" in body


@pytest.mark.parametrize("value", ["nonsense", "999999", "1 OR 1=1"])
def test_an_unknown_icb_is_a_clear_message_not_a_500(client, auditor, breach, value):
    client.force_login(auditor)
    for url in (PAGE, CSV):
        page = client.get(url, {"icb": value})
        assert page.status_code == 400
        assert "Choose an ICB from the list" in page.content.decode()


def test_csv_export(client, auditor, breach, company, icb):
    client.force_login(auditor)
    response = client.get(CSV, {"icb": icb.pk})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f'filename="compliance-{icb.ods_code}-' in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:4] == ["Project reference", "Project title", "Lead organisation", "Rule code"]
    assert rows[1][0] == breach.reference
    assert rows[1][3] == "partner-contributes-nothing"
    assert rows[1][5] == f"{company.name} contributes nothing, financial or in kind"


@pytest.mark.parametrize(
    "who", ["partnership_lead", "industry_member", "panel_member", "panel_chair", "outsider"]
)
def test_compliance_is_for_auditors_and_administrators_only(client, cast, who):
    client.force_login(cast[who])
    assert client.get(PAGE).status_code == 403
    assert client.get(CSV).status_code == 403


def test_administrator_reads_it_and_anonymous_must_sign_in(client, administrator):
    for url in (PAGE, CSV):
        assert client.get(url)["Location"].startswith("/accounts/login/")
    client.force_login(administrator)
    assert client.get(PAGE).status_code == 200


def test_the_auditors_navigation_links_to_it(client, auditor, partnership_lead):
    client.force_login(auditor)
    assert f'href="{PAGE}"' in client.get(reverse("home")).content.decode()
    client.force_login(partnership_lead)
    assert f'href="{PAGE}"' not in client.get(reverse("home")).content.decode()


# The command ----------------------------------------------------------------------------


def run(*args):
    out = io.StringIO()
    try:
        call_command("check_compliance", *args, stdout=out)
    except SystemExit as exc:
        return exc.code, out.getvalue()
    return 0, out.getvalue()


def test_command_exits_0_when_clean(approved):
    code, out = run()
    assert code == 0
    assert "Compliant: no breaches found (every project)." in out


def test_command_lists_breaches_and_exits_1(breach, company, tmp_path):
    path = tmp_path / "breaches.csv"
    code, out = run("--csv", str(path))
    assert code == 1
    assert str(breach) in out
    assert "partner-contributes-nothing: Every partner contributes" in out
    assert "1 breach in 1 project (every project)." in out
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[1][0] == breach.reference and rows[1][3] == "partner-contributes-nothing"


def test_command_limited_to_one_icb(breach, icb):
    OrganisationFactory(name="NHS Elsewhere Integrated Care Board", ods_code="QZY")
    assert run("--icb", icb.ods_code.lower())[0] == 1
    code, out = run("--icb", "QZY")
    assert code == 0
    assert "(NHS Elsewhere Integrated Care Board)" in out


def test_command_refuses_an_unknown_icb_and_an_unwritable_file(breach, tmp_path):
    with pytest.raises(CommandError, match="No ICB or other NHS body has the ODS code 'XXX'"):
        call_command("check_compliance", "--icb", "XXX")
    with pytest.raises(CommandError, match="Cannot write"):
        call_command("check_compliance", "--csv", str(tmp_path / "missing" / "x.csv"))


def test_the_check_is_kept_until_the_next_change(client, auditor, approved, company, draft):
    # A pass takes half a minute at national scale, so the page keeps its result at the
    # data's version: a change made through a service (audited) shows on the next request.
    from partnerships.services.projects import section_save

    client.force_login(auditor)
    assert "No breaches" in client.get(PAGE).content.decode()
    Partner.objects.filter(project=approved, organisation=company).update(
        financial_contribution=0, in_kind_value=0
    )  # written past the services: nothing recorded it
    assert "No breaches" in client.get(PAGE).content.decode()
    section_save(project=draft, key="about", data={"title": "Renamed"}, actor=draft.created_by)
    assert "1 breach in 1 project." in client.get(PAGE).content.decode()
