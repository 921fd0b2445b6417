"""Completed projects awaiting their final report on the home pages: the team sees when
each is due, the panel of the lead ICB and auditors see those overdue and due soon."""

import datetime
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Membership
from partnerships.dates import add_months
from partnerships.models import Project
from partnerships.selectors.final_reports import (
    final_report_cutoff,
    final_reports_due_soon,
    final_reports_overdue,
)
from partnerships.services.partners import partner_add
from partnerships.services.team import team_member_add
from tests.conftest import _member
from tests.factories import CompanyFactory, OrganisationFactory, draft_project
from tests.partnerships.delivery import S, set_state
from tests.partnerships.test_views_projects import member_of, section, text

DAY = datetime.timedelta(days=1)


def today():
    return timezone.localdate()


# The cut-off date the SQL filters use --------------------------------------------------------


@pytest.mark.parametrize("months", [0, 1, 6, 12])
def test_cutoff_agrees_with_the_deadline_on_every_day(settings, months):
    """Over two years of days (month ends and a leap year among them), a project is
    overdue by the SQL rule (end date before the cut-off) exactly when its deadline, as
    Project.final_report_deadline computes it, is before the day."""
    settings.PORTAL_FINAL_REPORT_MONTHS = months
    days = [datetime.date(2027, 1, 1) + n * DAY for n in range(800)]
    ends = [datetime.date(2025, 6, 1) + n * DAY for n in range(1200)]
    for day in days:
        cutoff = final_report_cutoff(day)
        for end in ends:
            if abs((end - cutoff).days) > 4:
                continue  # far from the cut-off both rules agree trivially
            overdue = add_months(end, months) < day
            assert (end < cutoff) == overdue, (day, end, cutoff)


def test_cutoff_at_a_month_end_that_the_earlier_month_lacks(settings):
    settings.PORTAL_FINAL_REPORT_MONTHS = 6
    # 28 February 2027 + 6 months is 28 August: overdue on 31 August, so the cut-off is
    # past the whole of February, not 28 February as going back six months gives.
    assert add_months(datetime.date(2027, 8, 31), -6) == datetime.date(2027, 2, 28)
    assert final_report_cutoff(datetime.date(2027, 8, 31)) == datetime.date(2027, 3, 1)
    assert final_report_cutoff(datetime.date(2028, 8, 31)) == datetime.date(2028, 3, 1)
    assert final_report_cutoff(datetime.date(2027, 8, 29)) == datetime.date(2027, 3, 1)
    assert final_report_cutoff(datetime.date(2027, 8, 28)) == datetime.date(2027, 2, 28)
    assert final_report_cutoff(datetime.date(2027, 9, 30)) == datetime.date(2027, 3, 30)


def test_overdue_and_due_soon_filters_in_the_database(
    settings, ready_proposal, partnership_lead, icb
):
    settings.PORTAL_FINAL_REPORT_MONTHS = 6
    day = datetime.date(2027, 8, 31)

    def completed(title, end, **fields):
        project = draft_project(lead_user=partnership_lead, lead_organisation=icb, title=title)
        return set_state(project, S.COMPLETED, start=end - 200 * DAY, end=end, **fields)

    made = {
        "feb28": completed("Ended 28 February", datetime.date(2027, 2, 28)),  # due 28 Aug
        "mar1": completed("Ended 1 March", datetime.date(2027, 3, 1)),  # due 1 Sep
        "mar31": completed("Ended 31 March", datetime.date(2027, 3, 31)),  # due 30 Sep
        "apr1": completed("Ended 1 April", datetime.date(2027, 4, 1)),  # due 1 Oct
        "published": completed(
            "Published", datetime.date(2026, 1, 1), outcome_summary_published_at=timezone.now()
        ),
    }
    active = draft_project(lead_user=partnership_lead, lead_organisation=icb, title="Active")
    set_state(active, S.ACTIVE, start=datetime.date(2026, 1, 1), end=datetime.date(2027, 1, 1))
    projects = Project.objects.all()
    assert set(final_reports_overdue(projects, today=day)) == {made["feb28"]}
    assert set(final_reports_due_soon(projects, today=day)) == {made["mar1"], made["mar31"]}


# The pages ---------------------------------------------------------------------------------


@pytest.fixture
def completed_cases(ready_proposal, partnership_lead, icb, company, industry_member):
    """On the team's ICB: one overdue, one due soon, one due later, one whose report is
    published, one still active; and an overdue project of another ICB."""

    def make(title, status, end, organisation=icb, lead=partnership_lead, **fields):
        project = draft_project(lead_user=lead, lead_organisation=organisation, title=title)
        partner_add(project=project, organisation=company, actor=lead)
        team_member_add(project=project, user=industry_member, role="member", actor=lead)
        return set_state(project, status, start=end - 300 * DAY, end=end, **fields)

    overdue_end = add_months(today(), -7)
    soon_end = add_months(today() + 10 * DAY, -6)
    later_end = today() - 5 * DAY
    other_icb = OrganisationFactory(name="NHS Elsewhere ICB")
    other_lead = member_of(other_icb, Membership.Role.PARTNERSHIP_LEAD)
    return {
        "overdue": make("Overdue project", S.COMPLETED, overdue_end),
        "soon": make("Soon project", S.COMPLETED, soon_end),
        "later": make("Later project", S.COMPLETED, later_end),
        "published": make(
            "Published project",
            S.COMPLETED,
            overdue_end,
            outcome_summary_published_at=timezone.now(),
        ),
        "active": make("Running project", S.ACTIVE, today() + 100 * DAY),
        "elsewhere": make(
            "Elsewhere project", S.COMPLETED, overdue_end, organisation=other_icb, lead=other_lead
        ),
    }


def due(project):
    return f"Final report due by {project.final_report_deadline:%-d %B %Y}"


def test_lead_sees_their_completed_projects_with_deadlines(
    client, completed_cases, partnership_lead
):
    client.force_login(partnership_lead)
    reports = section(client.get("/"), "home-final-reports")
    c = completed_cases
    assert "Overdue project Lead organisation NHS Testshire Integrated Care Board" in reports
    assert f"{due(c['overdue'])} Overdue" in reports
    assert due(c["soon"]) in reports and f"{due(c['soon'])} Overdue" not in reports
    assert due(c["later"]) in reports and f"{due(c['later'])} Overdue" not in reports
    for hidden in ("Published project", "Running project", "Elsewhere project"):
        assert hidden not in reports
    # The earliest deadline first.
    assert reports.index("Overdue project") < reports.index("Soon project")
    assert reports.index("Soon project") < reports.index("Later project")


def test_lead_with_no_completed_project_is_told_so(client, ready_proposal, partnership_lead):
    client.force_login(partnership_lead)
    reports = section(client.get("/"), "home-final-reports")
    assert reports == "Final reports due None of your projects is waiting for its final report."


def test_industry_team_member_sees_their_completed_projects(
    client, completed_cases, industry_member, company
):
    client.force_login(industry_member)
    reports = section(client.get("/"), "home-team-final-reports")
    assert f"{due(completed_cases['overdue'])} Overdue" in reports
    assert "Later project" in reports and "Elsewhere project" in reports
    assert "Published project" not in reports and "Running project" not in reports


def test_company_colleague_not_on_the_team_sees_no_deadlines(client, completed_cases, company):
    colleague = member_of(company, Membership.Role.INDUSTRY_MEMBER)
    client.force_login(colleague)
    response = client.get("/")
    assert "Overdue project" in section(response, "home-organisation-projects")
    assert section(response, "home-team-final-reports") == ""
    assert "Final report due by" not in text(response)


@pytest.mark.parametrize("who", ["panel_member", "panel_chair"])
def test_panel_sees_their_icbs_overdue_and_due_soon(client, request, completed_cases, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get("/")
    overdue = section(response, "home-panel-final-overdue")
    soon = section(response, "home-panel-final-due-soon")
    assert "Overdue project Lead organisation NHS Testshire Integrated Care Board" in overdue
    assert f"{due(completed_cases['overdue'])} Overdue" in overdue
    for absent in ("Soon project", "Later project", "Published project", "Elsewhere project"):
        assert absent not in overdue
    assert "Soon project" in soon and "Overdue" not in soon
    assert "Later project" not in soon and "Overdue project" not in soon
    assert section(response, "home-final-reports") == ""


def test_panel_of_another_icb_does_not_see_them(client, completed_cases):
    other_icb = OrganisationFactory(name="NHS Northshire ICB")
    client.force_login(_member(other_icb, Membership.Role.PANEL_MEMBER, mfa=True))
    response = client.get("/")
    assert "No final report is overdue." in section(response, "home-panel-final-overdue")
    assert "No final report is due soon." in section(response, "home-panel-final-due-soon")


def test_auditor_sees_every_overdue_final_report(client, completed_cases, auditor):
    client.force_login(auditor)
    response = client.get("/")
    overdue = section(response, "home-oversight-final-overdue")
    assert "Overdue project" in overdue and "Elsewhere project" in overdue
    assert overdue.count("Overdue") == 1 + 2  # the heading and each project's tag
    assert "Soon project" in section(response, "home-oversight-final-due-soon")
    assert "Published project" not in text(response)


@pytest.mark.parametrize("who", ["outsider", "industry_member"])
def test_people_who_do_not_oversee_see_no_overdue_lists(client, request, completed_cases, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get("/")
    for label in (
        "home-panel-final-overdue",
        "home-oversight-final-overdue",
        "home-final-reports",
    ):
        assert section(response, label) == ""


def test_many_overdue_reports_link_to_all_completed(
    client, partnership_lead, icb, auditor, company
):
    for i in range(12):
        project = draft_project(lead_user=partnership_lead, lead_organisation=icb, title=f"P{i}")
        end = add_months(today(), -8) - i * DAY
        set_state(project, S.COMPLETED, start=end - 100 * DAY, end=end)
    client.force_login(auditor)
    response = client.get("/")
    overdue = section(response, "home-oversight-final-overdue")
    assert overdue.count("Final report due by") == 10
    assert "See all 12" in overdue
    assert 'href="/projects/?status=completed"' in response.content.decode()


@pytest.mark.parametrize("who", ["partnership_lead", "industry_member", "panel_member", "auditor"])
def test_home_query_count_does_not_grow_with_the_completed_projects(
    client, request, partnership_lead, icb, company, industry_member, who
):
    client.force_login(request.getfixturevalue(who))
    counter = itertools.count()

    def add(n):
        for _ in range(n):
            i = next(counter)
            project = draft_project(
                lead_user=partnership_lead, lead_organisation=icb, title=f"Completed {i}"
            )
            partner_add(project=project, organisation=CompanyFactory(), actor=partnership_lead)
            partner_add(project=project, organisation=company, actor=partnership_lead)
            team_member_add(
                project=project, user=industry_member, role="member", actor=partnership_lead
            )
            # Overdue, due soon and due later in turn.
            end = [add_months(today(), -7), add_months(today(), -6) + 5 * DAY, today()][i % 3]
            set_state(project, S.COMPLETED, start=end - 100 * DAY, end=end)

    add(3)
    with CaptureQueriesContext(connection) as few:
        first = client.get("/")
    add(24)
    with CaptureQueriesContext(connection) as many:
        second = client.get("/")
    assert first.status_code == second.status_code == 200
    assert text(second).count("Final report due by") > text(first).count("Final report due by")
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
