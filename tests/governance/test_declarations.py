"""Declarations of interest: the rules, who may do what, the pages and the register."""

import csv
import datetime
import io

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import services as account_services
from accounts.models import Membership
from audit.models import AuditEvent
from governance.models import ConflictManagement, Declaration, Interest
from governance.selectors import declarations as selectors
from governance.services.declarations import conflict_manage, declaration_record
from tests.conftest import TOTP_SECRET
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
R = Declaration.Role


def interest(**overrides):
    data = {
        "category": Interest.Category.FINANCIAL,
        "interest_type": Interest.Type.SHAREHOLDING,
        "description": "Shares held in the company",
        "organisation_name": "Example Pharma UK Ltd",
        "start_date": datetime.date(2023, 4, 1),
        "end_date": None,
        "became_aware_on": datetime.date(2023, 4, 1),
    }
    data.update(overrides)
    return data


def declare(person, project=None, interests=(), role=R.TEAM_MEMBER):
    return declaration_record(
        person=person,
        project=project,
        role=role,
        nil_return=not interests,
        interests=list(interests),
        actor=person,
    )


def form_data(answer, rows=()):
    data = {"has_interests": answer} if answer else {}
    for n, row in enumerate(rows, start=1):
        for field, value in row.items():
            name = f"interest_{n}_{field}"
            if isinstance(value, datetime.date):
                data[name + "_day"] = value.day
                data[name + "_month"] = value.month
                data[name + "_year"] = value.year
            elif value is not None:
                data[name] = value
    return data


# Services: recording -------------------------------------------------------------------


def test_nil_return_is_recorded_with_an_audit_event(ready_proposal, deputy):
    declaration = declare(deputy, ready_proposal)

    assert declaration.nil_return and not declaration.interests.exists()
    event = AuditEvent.objects.get(action="declaration.record")
    assert event.actor == deputy
    assert event.object_id == str(declaration.pk)
    assert event.after["nil_return"] is True and event.after["interests"] == []
    assert selectors.current_declaration(deputy, ready_proposal) == declaration
    assert not selectors.has_declared_conflict(deputy, ready_proposal)


def test_interest_is_recorded_with_an_audit_event_and_latest_is_current(
    ready_proposal, industry_member
):
    declare(industry_member, ready_proposal)
    declaration = declare(industry_member, ready_proposal, [interest()])

    assert list(declaration.interests.values_list("organisation_name", flat=True)) == [
        "Example Pharma UK Ltd"
    ]
    events = AuditEvent.objects.filter(action="declaration.record").order_by("seq")
    assert events.count() == 2
    assert events.last().after["interests"][0]["category"] == "financial"
    assert selectors.current_declaration(industry_member, ready_proposal) == declaration
    assert selectors.has_declared_conflict(industry_member, ready_proposal)


def test_a_nil_return_has_no_interests(ready_proposal, deputy):
    with pytest.raises(ValidationError, match="A nil return has no interests"):
        declaration_record(
            person=deputy,
            project=ready_proposal,
            role=R.TEAM_MEMBER,
            nil_return=True,
            interests=[interest()],
            actor=deputy,
        )
    assert not Declaration.objects.exists()
    assert not AuditEvent.objects.filter(action="declaration.record").exists()


def test_a_declaration_that_is_not_nil_needs_an_interest(ready_proposal, deputy):
    with pytest.raises(ValidationError, match="Enter at least one interest"):
        declaration_record(
            person=deputy,
            project=ready_proposal,
            role=R.TEAM_MEMBER,
            nil_return=False,
            interests=[],
            actor=deputy,
        )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"start_date": datetime.date(2024, 5, 1), "end_date": datetime.date(2024, 4, 30)},
            "must be the same as or after the date it started",
        ),
        (
            {"became_aware_on": TODAY + datetime.timedelta(days=1)},
            "date you became aware must be today or in the past",
        ),
        ({"description": ""}, "Describe the interest"),
        ({"organisation_name": ""}, "Enter the name of the organisation concerned"),
        ({"category": "bribery"}, "Select a category from the list"),
        ({"start_date": None}, "Enter the date the interest started"),
    ],
)
def test_interest_validation(ready_proposal, deputy, overrides, message):
    with pytest.raises(ValidationError) as exc:
        declare(deputy, ready_proposal, [interest(**overrides)])
    assert any(message in m and m.startswith("Interest 1: ") for m in exc.value.messages)
    assert not Declaration.objects.exists()


def test_people_make_their_own_declarations(ready_proposal, deputy, partnership_lead):
    with pytest.raises(PermissionDenied):
        declaration_record(
            person=deputy,
            project=ready_proposal,
            role=R.TEAM_MEMBER,
            nil_return=True,
            interests=[],
            actor=partnership_lead,
        )


def test_outsiders_cannot_declare_for_a_project(ready_proposal, outsider, auditor):
    for person in (outsider, auditor):
        with pytest.raises(PermissionDenied, match="project team and the lead ICB's panel"):
            declare(person, ready_proposal, role=R.REVIEWER)


def test_the_lead_icbs_panel_declares_but_another_icbs_panel_does_not(ready_proposal, panel_member):
    declare(panel_member, ready_proposal, role=R.REVIEWER)
    other_panel = UserFactory()
    account_services.membership_add(
        user=other_panel, organisation=OrganisationFactory(), role=Membership.Role.PANEL_MEMBER
    )
    with pytest.raises(PermissionDenied):
        declare(other_panel, ready_proposal, role=R.REVIEWER)


def test_annual_declarations_are_for_decision_makers(panel_chair, industry_member):
    declaration = declare(panel_chair, None, role=R.DECISION_MAKER)
    assert declaration.year == TODAY.year and declaration.project is None
    with pytest.raises(PermissionDenied, match="panel members and chairs"):
        declare(industry_member, None, role=R.DECISION_MAKER)


def test_annual_declaration_due(panel_member, industry_member):
    assert selectors.annual_declaration_due(panel_member)
    assert not selectors.annual_declaration_due(industry_member)
    Declaration.objects.create(
        person=panel_member, role=R.DECISION_MAKER, nil_return=True, year=TODAY.year - 1
    )
    assert selectors.annual_declaration_due(panel_member), "last year's does not count"
    declare(panel_member, None, role=R.DECISION_MAKER)
    assert not selectors.annual_declaration_due(panel_member)


# Services: managing conflicts ----------------------------------------------------------


def test_the_chair_records_how_a_conflict_is_managed(ready_proposal, panel_member, panel_chair):
    declaration = declare(panel_member, ready_proposal, [interest()], role=R.REVIEWER)
    declared = declaration.interests.get()

    conflict_manage(
        interest=declared,
        action="Excluded from the decision",
        excludes_from_decision=True,
        actor=panel_chair,
    )
    conflict_manage(
        interest=declared,
        action="May take part in discussion only",
        excludes_from_decision=True,
        actor=panel_chair,
    )

    management = ConflictManagement.objects.get()
    assert management.action == "May take part in discussion only"
    assert management.recorded_by == panel_chair
    events = AuditEvent.objects.filter(action="declaration.manage").order_by("seq")
    assert [e.after["action"] for e in events] == [
        "Excluded from the decision",
        "May take part in discussion only",
    ]
    assert events.last().before["action"] == "Excluded from the decision"


def test_only_the_chair_or_an_administrator_manages_conflicts(
    ready_proposal, industry_member, panel_member, partnership_lead, administrator
):
    declared = declare(industry_member, ready_proposal, [interest()]).interests.get()
    for person in (panel_member, partnership_lead, industry_member):
        with pytest.raises(PermissionDenied):
            conflict_manage(
                interest=declared, action="Excluded", excludes_from_decision=True, actor=person
            )
    chair_elsewhere = UserFactory()
    account_services.membership_add(
        user=chair_elsewhere, organisation=OrganisationFactory(), role=Membership.Role.PANEL_CHAIR
    )
    with pytest.raises(PermissionDenied):
        conflict_manage(
            interest=declared, action="Excluded", excludes_from_decision=True, actor=chair_elsewhere
        )
    conflict_manage(
        interest=declared, action="Excluded", excludes_from_decision=True, actor=administrator
    )
    assert ConflictManagement.objects.get().recorded_by == administrator


def test_the_chair_of_the_persons_organisation_manages_annual_interests(panel_member, panel_chair):
    declared = declare(panel_member, None, [interest()], role=R.DECISION_MAKER).interests.get()
    with pytest.raises(ValidationError, match="Enter how the conflict is managed"):
        conflict_manage(
            interest=declared, action=" ", excludes_from_decision=False, actor=panel_chair
        )
    conflict_manage(
        interest=declared, action="Noted", excludes_from_decision=False, actor=panel_chair
    )
    assert declared.management.action == "Noted"


# Selectors -------------------------------------------------------------------------------


def test_declaration_status_lists_who_has_and_has_not_declared(
    ready_proposal, partnership_lead, deputy, industry_member, panel_member, panel_chair, auditor
):
    declare(deputy, ready_proposal)
    declare(panel_member, ready_proposal, [interest()], role=R.REVIEWER)

    with CaptureQueriesContext(connection) as queries:
        status = {
            row.person: row for row in selectors.declaration_status_for_project(ready_proposal)
        }
        flags = {p: (row.declared, row.conflict) for p, row in status.items()}

    assert set(status) == {partnership_lead, deputy, industry_member, panel_member, panel_chair}
    assert auditor not in status
    assert flags[deputy] == (True, False)
    assert flags[panel_member] == (True, True)
    assert flags[partnership_lead] == (False, False)
    assert flags[panel_chair] == (False, False)
    assert status[industry_member].required_as == "Team member"
    assert status[panel_member].required_as == "Reviewer"
    assert status[panel_chair].required_as == "Decision-maker"
    assert len(queries) <= 5  # team, review, panel, declarations, interests


# Pages: declaring ------------------------------------------------------------------------


def test_declaration_pages_need_sign_in(client, ready_proposal):
    for url in (
        reverse("governance:declaration-list"),
        reverse("governance:declaration-project-new", args=[ready_proposal.pk]),
        reverse("governance:declaration-register"),
        reverse("governance:declaration-register-csv"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_outsiders_get_404_on_project_declaration_pages(client, ready_proposal, outsider, auditor):
    url = reverse("governance:declaration-project-new", args=[ready_proposal.pk])
    for user in (outsider, auditor):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.post(url, form_data("no")).status_code == 404
    assert not Declaration.objects.exists()


def test_your_declarations_lists_projects_to_declare_for(client, ready_proposal, industry_member):
    client.force_login(industry_member)
    response = client.get(reverse("governance:declaration-list"))
    assert response.status_code == 200
    assert ready_proposal.title in response.content.decode()
    assert "Not declared" in response.content.decode()
    assert "annual declaration" not in response.content.decode().lower()


def test_team_member_makes_a_nil_return(client, ready_proposal, industry_member):
    client.force_login(industry_member)
    url = reverse("governance:declaration-project-new", args=[ready_proposal.pk])
    assert "Do you have any interests to declare?" in client.get(url).content.decode()

    response = client.post(url, form_data("no"), follow=True)

    assert "Your nil return has been recorded" in response.content.decode()
    declaration = Declaration.objects.get()
    assert (declaration.person, declaration.project, declaration.role) == (
        industry_member,
        ready_proposal,
        R.TEAM_MEMBER,
    )
    assert declaration.nil_return
    assert AuditEvent.objects.filter(action="declaration.record").count() == 1


def test_panel_chair_declares_interests_with_empty_rows_ignored(
    client, ready_proposal, panel_chair
):
    client.force_login(panel_chair)
    url = reverse("governance:declaration-project-new", args=[ready_proposal.pk])
    rows = [
        interest(),
        {},
        interest(
            category=Interest.Category.INDIRECT,
            interest_type=Interest.Type.EMPLOYMENT,
            description="Spouse employed in sales",
            end_date=datetime.date(2024, 1, 31),
        ),
    ]
    response = client.post(url, form_data("yes", rows))

    assert response.status_code == 302
    declaration = Declaration.objects.get()
    assert declaration.role == R.DECISION_MAKER and not declaration.nil_return
    assert list(declaration.interests.values_list("category", "end_date")) == [
        ("financial", None),
        ("indirect", datetime.date(2024, 1, 31)),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (form_data(None), "Select yes if you have any interests to declare"),
        (form_data("yes"), "Enter at least one interest, or answer no"),
        (form_data("no", [interest()]), "You answered no, so a nil return has no interests"),
        (
            form_data(
                "yes",
                [
                    interest(
                        start_date=datetime.date(2024, 5, 1), end_date=datetime.date(2024, 1, 1)
                    )
                ],
            ),
            "Interest 1: The date the interest ended must be the same as or after",
        ),
        (
            form_data("yes", [interest(became_aware_on=TODAY + datetime.timedelta(days=3))]),
            "Interest 1: The date you became aware must be today or in the past",
        ),
        (
            form_data("yes", [{}, interest(description="")]),
            "Interest 2: Describe the interest",
        ),
        (
            {**form_data("yes", [interest()]), "interest_1_start_date_month": ""},
            "Interest 1: Date the interest started must include a month",
        ),
    ],
)
def test_declaration_form_errors(client, ready_proposal, deputy, data, message):
    client.force_login(deputy)
    url = reverse("governance:declaration-project-new", args=[ready_proposal.pk])
    response = client.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>Error: " in page
    assert "There is a problem" in page
    assert message in page
    assert not Declaration.objects.exists()


def test_annual_declaration_page(client, panel_member, industry_member, partnership_lead):
    url = reverse("governance:declaration-annual-new")
    for user in (industry_member, partnership_lead):
        client.force_login(user)
        assert client.get(url).status_code == 403
    client.force_login(panel_member)
    listing = client.get(reverse("governance:declaration-list")).content.decode()
    assert "Your annual declaration is due" in listing
    assert client.post(url, form_data("no")).status_code == 302
    declaration = Declaration.objects.get()
    assert declaration.project is None and declaration.year == TODAY.year
    listing = client.get(reverse("governance:declaration-list")).content.decode()
    assert "Your annual declaration is due" not in listing


# Pages: managing a conflict --------------------------------------------------------------


def test_chair_records_management_on_the_page(
    client, ready_proposal, industry_member, panel_member, panel_chair, outsider
):
    declared = declare(industry_member, ready_proposal, [interest()]).interests.get()
    url = reverse("governance:interest-manage", args=[declared.pk])

    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(industry_member)
    assert client.get(url).status_code == 404
    client.force_login(panel_member)
    assert client.get(url).status_code == 403

    client.force_login(panel_chair)
    assert "Example Pharma UK Ltd" in client.get(url).content.decode()
    response = client.post(url, {"action": ""})
    assert "Enter how the conflict is managed" in response.content.decode()
    response = client.post(
        url, {"action": "Excluded from the decision", "excludes_from_decision": "on"}, follow=True
    )
    assert "has been recorded" in response.content.decode()
    management = ConflictManagement.objects.get()
    assert management.excludes_from_decision and management.recorded_by == panel_chair
    assert AuditEvent.objects.filter(action="declaration.manage").count() == 1


# The register ----------------------------------------------------------------------------


def _seed(project, person, *, category="financial", organisation="Acme Ltd", **kwargs):
    declaration = Declaration.objects.create(
        person=person, project=project, role=R.TEAM_MEMBER, nil_return=False, **kwargs
    )
    Interest.objects.create(
        declaration=declaration,
        category=category,
        interest_type="consultancy",
        description="Advisory board",
        organisation_name=organisation,
        start_date=datetime.date(2022, 1, 1),
        became_aware_on=datetime.date(2022, 1, 2),
    )
    return declaration


def test_register_is_for_panel_members_chairs_auditors_and_administrators(
    client, ready_proposal, industry_member, partnership_lead, outsider, cast
):
    _seed(ready_proposal, industry_member)
    url = reverse("governance:declaration-register")
    csv_url = reverse("governance:declaration-register-csv")
    for role in ("industry_member", "partnership_lead", "outsider"):
        client.force_login(cast[role])
        assert client.get(url).status_code == 403, role
        assert client.get(csv_url).status_code == 403, role
    for role in ("panel_member", "panel_chair", "auditor", "administrator"):
        client.force_login(cast[role])
        response = client.get(url)
        assert response.status_code == 200, role
        assert "Acme Ltd" in response.content.decode(), role


def test_register_shows_only_the_users_icb(client, ready_proposal, industry_member, panel_member):
    other_icb = OrganisationFactory()
    other_panel = UserFactory()
    account_services.membership_add(
        user=other_panel, organisation=other_icb, role=Membership.Role.PANEL_MEMBER
    )
    TOTP.activate(other_panel, TOTP_SECRET)
    _seed(ready_proposal, industry_member)
    client.force_login(other_panel)
    response = client.get(reverse("governance:declaration-register"))
    assert response.status_code == 200
    assert "Acme Ltd" not in response.content.decode()


def test_register_filters(client, ready_proposal, industry_member, deputy, panel_member):
    last_year = timezone.now() - datetime.timedelta(days=400)
    _seed(ready_proposal, industry_member, organisation="Alpha Ltd")
    _seed(ready_proposal, deputy, category="indirect", organisation="Beta Ltd")
    _seed(ready_proposal, deputy, organisation="Gamma Ltd", declared_at=last_year)
    annual = _seed(None, panel_member, organisation="Delta Ltd", year=TODAY.year)
    client.force_login(panel_member)
    url = reverse("governance:declaration-register")

    def shown(**params):
        page = client.get(url, params).content.decode()
        return {name for name in ("Alpha", "Beta", "Gamma", "Delta") if f"{name} Ltd" in page}

    assert shown() == {"Alpha", "Beta", "Gamma", "Delta"}
    assert shown(category="indirect") == {"Beta"}
    assert shown(person=deputy.pk) == {"Beta", "Gamma"}
    assert shown(project=ready_proposal.pk) == {"Alpha", "Beta", "Gamma"}
    assert shown(project="annual") == {"Delta"}
    assert shown(year=last_year.year) == {"Gamma"}
    assert shown(icb=ready_proposal.lead_organisation_id) == {"Alpha", "Beta", "Gamma", "Delta"}
    assert shown(icb=OrganisationFactory().pk) == set()
    assert annual.project is None


@pytest.mark.parametrize(
    "params",
    [
        {"year": "²"},
        {"year": "0"},
        {"year": "99999999999999"},
        {"icb": "٣"},
        {"person": "9" * 30},
        {"project": "-1"},
    ],
)
def test_register_ignores_filters_no_number_can_answer(
    client, ready_proposal, industry_member, panel_member, params
):
    """Digits str.isdigit takes and int() or the database refuses were a 500; such a filter
    is ignored like any other invalid one."""
    _seed(ready_proposal, industry_member, organisation="Alpha Ltd")
    client.force_login(panel_member)
    for name in ("governance:declaration-register", "governance:declaration-register-csv"):
        response = client.get(reverse(name), params)
        assert response.status_code in (200, 403)
    page = client.get(reverse("governance:declaration-register"), params)
    assert "Alpha Ltd" in page.content.decode()


def test_register_csv_is_safe_for_spreadsheets(client, ready_proposal, industry_member, auditor):
    declaration = _seed(ready_proposal, industry_member, organisation="=cmd|' /C calc'!A0")
    declaration.interests.update(description="+SUM(1,2)")
    _seed(ready_proposal, industry_member, organisation="@evil", category="indirect")
    Declaration.objects.create(
        person=industry_member, project=ready_proposal, role=R.TEAM_MEMBER, nil_return=True
    )
    client.force_login(auditor)

    response = client.get(reverse("governance:declaration-register-csv"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    header, data = rows[0], rows[1:]
    assert header[0] == "ICB" and "Became aware on" in header
    assert len(data) == 3
    cells = [cell for row in data for cell in row]
    assert "'=cmd|' /C calc'!A0" in cells
    assert "'+SUM(1,2)" in cells
    assert "'@evil" in cells
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)
    assert "2022-01-02" in cells  # ISO 8601 dates
    column = header.index("Declared at")
    assert all(datetime.datetime.fromisoformat(row[column]) for row in data)

    filtered = client.get(reverse("governance:declaration-register-csv"), {"category": "indirect"})
    assert len(list(csv.reader(io.StringIO(filtered.content.decode("utf-8-sig"))))) == 2


def _register_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_register_query_count_is_bounded(client, ready_proposal, panel_chair, panel_member):
    client.force_login(panel_chair)
    people = [UserFactory() for _ in range(12)]

    def add(n):
        for person in people[:n]:
            declaration = _seed(ready_proposal, person)
            ConflictManagement.objects.create(
                interest=declaration.interests.get(), action="Noted", recorded_by=panel_chair
            )
        _seed(None, panel_member, year=TODAY.year)

    url = reverse("governance:declaration-register")
    csv_url = reverse("governance:declaration-register-csv")
    add(2)
    small = _register_queries(client, url), _register_queries(client, csv_url)
    add(12)
    large = _register_queries(client, url), _register_queries(client, csv_url)
    assert Declaration.objects.count() > 12
    assert small == large
