"""Changing and removing a risk or issue raised on an outcome report: who may, locking once
the report is submitted, the audit trail, ids that do not belong, and bad input."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from outcomes.models import ReportIssue
from outcomes.schedule import project_periods
from outcomes.services.reports import (
    issue_change,
    issue_raise,
    issue_remove,
    outcome_report_save,
    outcome_report_submit,
)
from partnerships.models import Project, ProjectEvent
from tests.factories import complete_proposal, draft_project


@pytest.fixture
def active(approved):
    Project.objects.filter(pk=approved.pk).update(status=Project.Status.ACTIVE)
    return Project.objects.get(pk=approved.pk)


def raise_on(project, actor, number=1, kind="risk", description="Practices may not take part"):
    return issue_raise(
        project=project,
        period_end=project_periods(project)[number - 1].end,
        kind=kind,
        description=description,
        actor=actor,
    )


def change_url(issue, number=1, project=None):
    project_pk = project.pk if project else issue.report.project_id
    return reverse("outcomes:report-issue-change", args=[project_pk, number, issue.pk])


def remove_url(issue, number=1, project=None):
    project_pk = project.pk if project else issue.report.project_id
    return reverse("outcomes:report-issue-remove", args=[project_pk, number, issue.pk])


def submit_report(project, lead, deputy):
    data = {
        "rag": "green",
        "rag_reason": "On track",
        "narrative": "Clinics running",
        "values": {m.pk: (Decimal("50"), "") for m in project.measures.all()},
    }
    report = outcome_report_save(
        project=project, period_end=project_periods(project)[0].end, data=data, actor=lead
    )
    return outcome_report_submit(report=report, actor=deputy)


CHANGE = {"kind": "issue", "description": "Two practices have withdrawn"}


# Who may ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raiser", "who", "status"),
    [
        ("industry_member", "industry_member", 302),  # whoever raised it
        ("industry_member", "partnership_lead", 302),  # the project lead
        ("industry_member", "deputy", 302),  # the deputy
        ("deputy", "industry_member", 403),  # on the team, but did not raise it
        ("industry_member", "panel_member", 403),
        ("industry_member", "auditor", 403),
        ("industry_member", "outsider", 404),
    ],
)
def test_who_changes_a_risk_or_issue(request, client, active, raiser, who, status):
    issue = raise_on(active, request.getfixturevalue(raiser))
    client.force_login(request.getfixturevalue(who))
    get = client.get(change_url(issue))
    assert get.status_code == (200 if status == 302 else status)
    response = client.post(change_url(issue), CHANGE)
    assert response.status_code == status
    issue.refresh_from_db()
    assert (issue.kind, issue.description) == (
        ("issue", "Two practices have withdrawn")
        if status == 302
        else ("risk", "Practices may not take part")
    )
    if status == 302:
        assert response["Location"] == reverse("outcomes:report-detail", args=[active.pk, 1])


@pytest.mark.parametrize(
    ("raiser", "who", "status"),
    [
        ("industry_member", "industry_member", 302),
        ("industry_member", "deputy", 302),
        ("deputy", "industry_member", 403),
        ("industry_member", "panel_member", 403),
        ("industry_member", "auditor", 403),
        ("industry_member", "outsider", 404),
    ],
)
def test_who_removes_a_risk_or_issue(request, client, active, raiser, who, status):
    issue = raise_on(active, request.getfixturevalue(raiser))
    client.force_login(request.getfixturevalue(who))
    get = client.get(remove_url(issue))
    assert get.status_code == (200 if status == 302 else status)
    assert client.post(remove_url(issue)).status_code == status
    assert ReportIssue.objects.filter(pk=issue.pk).exists() == (status != 302)


def test_the_services_refuse_anyone_else(active, deputy, industry_member, panel_member):
    issue = raise_on(active, deputy)
    for actor in (industry_member, panel_member):
        with pytest.raises(PermissionDenied):
            issue_change(issue=issue, kind="issue", description="x", actor=actor)
        with pytest.raises(PermissionDenied):
            issue_remove(issue=issue, actor=actor)
    assert ReportIssue.objects.get().description == "Practices may not take part"


# Audit --------------------------------------------------------------------------------------


def test_a_change_is_audited_with_what_it_replaced(client, active, industry_member):
    issue = raise_on(active, industry_member)
    client.force_login(industry_member)
    client.post(change_url(issue), CHANGE)
    event = AuditEvent.objects.get(action="project.outcome_report_issue_change")
    assert event.actor == industry_member
    assert event.after["changes"] == {
        "kind": ["risk", "issue"],
        "description": ["Practices may not take part", "Two practices have withdrawn"],
    }
    timeline = ProjectEvent.objects.get(project=active, action="outcome_report_issue_change")
    assert timeline.description == "Changed an issue on the outcome report to 1 April 2027"
    # Saving it unchanged records nothing more.
    issue_change(issue=ReportIssue.objects.get(), actor=industry_member, **CHANGE)
    assert AuditEvent.objects.filter(action="project.outcome_report_issue_change").count() == 1


def test_removing_asks_first_then_removes_and_the_trail_keeps_what_it_said(
    client, active, industry_member, deputy
):
    issue = raise_on(active, industry_member, description="Data <b>late</b>")
    client.force_login(deputy)
    page = client.get(remove_url(issue)).content.decode()
    assert "Are you sure you want to remove this risk?" in page
    assert "Data &lt;b&gt;late&lt;/b&gt;" in page
    assert ReportIssue.objects.filter(pk=issue.pk).exists()  # asking removed nothing
    response = client.post(remove_url(issue))
    assert response.status_code == 302
    assert not ReportIssue.objects.exists()
    event = AuditEvent.objects.get(action="project.outcome_report_issue_remove")
    assert event.actor == deputy
    assert event.after["changes"]["description"] == ["Data <b>late</b>", ""]
    assert event.after["changes"]["raised_by"] == [industry_member.email, ""]
    page = client.get(reverse("outcomes:report-detail", args=[active.pk, 1])).content.decode()
    assert "The risk has been removed" in page and "None raised." in page
    # A second removal of the same id finds nothing.
    assert client.post(remove_url(issue)).status_code == 404


# Locked after submission --------------------------------------------------------------------


def test_nobody_changes_or_removes_one_once_the_report_is_submitted(
    client, active, partnership_lead, deputy, industry_member
):
    issue = raise_on(active, industry_member)
    submit_report(active, partnership_lead, deputy)
    for actor in (industry_member, partnership_lead):
        with pytest.raises(ValidationError, match="cannot be changed"):
            issue_change(issue=issue, kind="issue", description="Changed", actor=actor)
        with pytest.raises(ValidationError, match="cannot be changed"):
            issue_remove(issue=issue, actor=actor)

    client.force_login(partnership_lead)
    page = client.get(change_url(issue)).content.decode()
    assert 'data-testid="issue-locked"' in page and 'data-testid="issue-change-form"' not in page
    response = client.post(change_url(issue), CHANGE)
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page and "cannot be changed" in page
    response = client.post(remove_url(issue))
    assert response.status_code == 200 and "cannot be changed" in response.content.decode()
    issue.refresh_from_db()
    assert (issue.kind, issue.description) == ("risk", "Practices may not take part")
    report_page = client.get(reverse("outcomes:report-detail", args=[active.pk, 1]))
    assert f'data-testid="issue-change-{issue.pk}"' not in report_page.content.decode()
    assert (
        not AuditEvent.objects.filter(action__startswith="project.outcome_report_issue_")
        .exclude(action="project.outcome_report_issue")
        .exists()
    )


def test_the_report_page_links_each_person_to_the_ones_they_may_change(
    client, active, industry_member, deputy
):
    theirs = raise_on(active, industry_member)
    mine = raise_on(active, deputy, kind="issue", description="Late start")
    detail = reverse("outcomes:report-detail", args=[active.pk, 1])
    client.force_login(industry_member)
    page = client.get(detail).content.decode()
    assert f'data-testid="issue-change-{theirs.pk}"' in page
    assert f'data-testid="issue-remove-{theirs.pk}"' in page
    assert f'data-testid="issue-change-{mine.pk}"' not in page
    client.force_login(deputy)
    page = client.get(detail).content.decode()
    assert f'data-testid="issue-change-{theirs.pk}"' in page
    assert f'data-testid="issue-change-{mine.pk}"' in page


# Ids that do not belong ---------------------------------------------------------------------


def test_an_issue_of_another_report_or_project_is_not_found(
    client, active, partnership_lead, deputy, company, icb
):
    first = raise_on(active, partnership_lead, number=1)
    second = raise_on(active, partnership_lead, number=2)
    other = draft_project(lead_user=partnership_lead, lead_organisation=icb, title="Other")
    complete_proposal(
        project=other, lead_user=partnership_lead, deputy_user=deputy, company=company
    )
    Project.objects.filter(pk=other.pk).update(status=Project.Status.ACTIVE)
    other = Project.objects.get(pk=other.pk)
    elsewhere = raise_on(other, partnership_lead)
    client.force_login(partnership_lead)
    for url in (
        change_url(first, number=2),  # the issue is on report 1
        remove_url(second, number=1),
        change_url(elsewhere, project=active),  # the issue is on another project
        remove_url(elsewhere, project=active),
        change_url(first, number=99),  # no such period
        reverse("outcomes:report-issue-change", args=[active.pk, 1, 999999]),
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url, CHANGE).status_code == 404, url
    assert ReportIssue.objects.count() == 3
    assert set(ReportIssue.objects.values_list("kind", flat=True)) == {"risk"}
    # The right URLs work for the same person.
    assert client.get(change_url(elsewhere)).status_code == 200
    assert client.get(change_url(second, number=2)).status_code == 200


# Bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"description": "My typed words"}, "Choose whether it is a risk or an issue"),
        ({"kind": "bogus", "description": "My typed words"}, "Select a valid choice"),
        ({"kind": "issue", "description": "   "}, "Describe the risk or issue"),
        ({"kind": "issue", "description": "My typed words\x00"}, None),
    ],
)
def test_bad_input_shows_an_error_summary_keeping_the_typed_text(
    client, active, industry_member, data, message
):
    issue = raise_on(active, industry_member)
    client.force_login(industry_member)
    response = client.post(change_url(issue), data)
    assert response.status_code in (200, 400)
    if message is not None:
        page = response.content.decode()
        assert response.status_code == 200
        assert "There is a problem" in page and message in page
        assert "Error: Change the risk" in page  # the page title
        if data["description"].strip():
            assert "My typed words" in page
    issue.refresh_from_db()
    assert (issue.kind, issue.description) == ("risk", "Practices may not take part")
