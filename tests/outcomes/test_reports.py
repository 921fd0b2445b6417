"""Outcome reports: the schedule, the services' rules and permissions, and the pages."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from outcomes.models import MeasureValue, OutcomeReport, ReportComment, ReportIssue
from outcomes.schedule import report_periods, report_schedule
from outcomes.services.reports import (
    issue_raise,
    outcome_report_save,
    outcome_report_submit,
    report_comment_add,
)
from partnerships.models import OutcomeMeasure, Project

D = datetime.date


def fake_project(start, end, *frequencies):
    measures = [SimpleNamespace(frequency=f) for f in frequencies]
    return SimpleNamespace(
        start_date=start, end_date=end, measures=SimpleNamespace(all=lambda: measures)
    )


# The schedule ------------------------------------------------------------------------------


def test_quarterly_by_default_ending_on_the_end_date():
    schedule = report_schedule(fake_project(D(2027, 1, 1), D(2027, 12, 31)))
    assert schedule == [D(2027, 4, 1), D(2027, 7, 1), D(2027, 10, 1), D(2027, 12, 31)]


def test_the_most_frequent_measure_sets_the_schedule():
    project = fake_project(D(2027, 1, 1), D(2027, 12, 31), "annually", "six_monthly")
    assert report_schedule(project) == [D(2027, 7, 1), D(2027, 12, 31)]


def test_monthly_from_31_january_keeps_to_month_ends_over_a_leap_year():
    schedule = report_schedule(fake_project(D(2024, 1, 31), D(2025, 3, 31), "monthly"))
    assert schedule[:4] == [D(2024, 2, 29), D(2024, 3, 31), D(2024, 4, 30), D(2024, 5, 31)]
    assert D(2025, 2, 28) in schedule
    assert schedule[-1] == D(2025, 3, 31)
    assert len(schedule) == len(set(schedule)) == 14


def test_a_short_project_gets_one_report_at_its_end():
    assert report_schedule(fake_project(D(2027, 1, 1), D(2027, 2, 15))) == [D(2027, 2, 15)]
    periods = report_periods(D(2027, 1, 1), D(2027, 2, 15))
    assert (periods[0].start, periods[0].due_date) == (D(2027, 1, 1), D(2027, 3, 17))


def test_no_dates_no_schedule():
    assert report_schedule(fake_project(None, D(2027, 2, 15))) == []


# Services ----------------------------------------------------------------------------------


@pytest.fixture
def active(approved):
    Project.objects.filter(pk=approved.pk).update(status=Project.Status.ACTIVE)
    return Project.objects.get(pk=approved.pk)


def complete_data(project, **overrides):
    return {
        "rag": "green",
        "rag_reason": "On track",
        "narrative": "Clinics running in all practices",
        "what_worked": "Pharmacist-led reviews",
        "what_did_not": "Text reminders",
        "values": {m.pk: (Decimal("42.5"), "From the audit") for m in project.measures.all()},
        **overrides,
    }


def first_end(project):
    return report_schedule(project)[0]


@pytest.mark.parametrize("who", ["partnership_lead", "deputy", "industry_member"])
def test_any_team_member_saves_a_draft(request, active, who):
    actor = request.getfixturevalue(who)
    report = outcome_report_save(
        project=active, period_end=first_end(active), data=complete_data(active), actor=actor
    )
    assert report.status == OutcomeReport.Status.DRAFT
    assert report.values.count() == active.measures.count() > 0
    assert AuditEvent.objects.filter(action="project.outcome_report_save").exists()


@pytest.mark.parametrize("who", ["panel_member", "auditor", "outsider"])
def test_others_cannot_write(request, active, partnership_lead, who):
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        outcome_report_save(
            project=active, period_end=first_end(active), data=complete_data(active), actor=actor
        )
    with pytest.raises(PermissionDenied):
        issue_raise(
            project=active,
            period_end=first_end(active),
            kind="risk",
            description="x",
            actor=actor,
        )
    assert not OutcomeReport.objects.exists()


def test_reports_only_while_active(approved, partnership_lead):
    with pytest.raises(ValidationError):
        outcome_report_save(
            project=approved,
            period_end=first_end(approved),
            data=complete_data(approved),
            actor=partnership_lead,
        )


def test_only_scheduled_periods(active, partnership_lead):
    with pytest.raises(ValidationError):
        outcome_report_save(
            project=active, period_end=D(2030, 1, 1), data={}, actor=partnership_lead
        )


def test_submit_names_what_is_missing(active, partnership_lead):
    measure = active.measures.first()
    report = outcome_report_save(
        project=active, period_end=first_end(active), data={}, actor=partnership_lead
    )
    with pytest.raises(ValidationError) as exc:
        outcome_report_submit(report=report, actor=partnership_lead)
    errors = exc.value.message_dict
    assert errors[f"value_{measure.pk}"] == [f"Enter a value for “{measure.name}”"]
    assert errors["rag"] == ["Choose a RAG status"]
    assert errors["rag_reason"] == ["Give the reason for the RAG status"]
    assert errors["narrative"] == ["Enter the narrative"]
    assert OutcomeReport.objects.get().status == OutcomeReport.Status.DRAFT


def test_industry_member_cannot_submit(active, industry_member):
    report = outcome_report_save(
        project=active,
        period_end=first_end(active),
        data=complete_data(active),
        actor=industry_member,
    )
    with pytest.raises(PermissionDenied):
        outcome_report_submit(report=report, actor=industry_member)


def test_submission_locks_the_report_and_opens_comments(
    active, deputy, partnership_lead, industry_member
):
    end = first_end(active)
    issue_raise(
        project=active,
        period_end=end,
        kind="issue",
        description="Late data",
        actor=industry_member,
    )
    report = outcome_report_save(
        project=active, period_end=end, data=complete_data(active), actor=partnership_lead
    )
    with pytest.raises(ValidationError):
        report_comment_add(report=report, body="Too early", actor=industry_member)
    report = outcome_report_submit(report=report, actor=deputy)
    assert report.status == OutcomeReport.Status.SUBMITTED
    assert report.submitted_by == deputy and report.submitted_at is not None
    assert ReportIssue.objects.get().organisation.name == "Example Pharma UK Ltd"

    with pytest.raises(ValidationError, match="cannot be changed"):
        outcome_report_save(
            project=active,
            period_end=end,
            data=complete_data(active, narrative="Changed"),
            actor=partnership_lead,
        )
    with pytest.raises(ValidationError, match="cannot be changed"):
        issue_raise(
            project=active, period_end=end, kind="risk", description="x", actor=partnership_lead
        )
    with pytest.raises(ValidationError, match="cannot be changed"):
        outcome_report_submit(report=report, actor=partnership_lead)
    assert OutcomeReport.objects.get().narrative == "Clinics running in all practices"

    report_comment_add(report=report, body="Good progress", actor=industry_member)
    assert ReportComment.objects.get().author == industry_member
    with pytest.raises(PermissionDenied):
        report_comment_add(report=report, body="x", actor=_panel(active))


def _panel(project):
    from accounts.models import Membership, User

    return User.objects.filter(
        memberships__role=Membership.Role.PANEL_MEMBER,
        memberships__organisation=project.lead_organisation,
    ).first()


# Pages -------------------------------------------------------------------------------------


def list_url(project):
    return reverse("outcomes:report-list", args=[project.pk])


def detail_url(project, number=1):
    return reverse("outcomes:report-detail", args=[project.pk, number])


@pytest.mark.parametrize(
    ("who", "get", "post"),
    [
        ("partnership_lead", 200, 302),
        ("industry_member", 200, 302),
        ("panel_member", 200, 403),
        ("auditor", 200, 403),
        ("outsider", 404, 404),
    ],
)
def test_who_reads_and_writes(request, client, active, who, get, post):
    client.force_login(request.getfixturevalue(who))
    assert client.get(list_url(active)).status_code == get
    assert client.get(detail_url(active)).status_code == get
    response = client.post(detail_url(active), {"action": "save", "narrative": "Typed"})
    assert response.status_code == post
    assert OutcomeReport.objects.exists() == (post == 302)


def test_schedule_page_shows_due_dates_and_overdue(client, active, partnership_lead):
    client.force_login(partnership_lead)
    page = client.get(list_url(active)).content.decode()
    first = report_periods(active.start_date, active.end_date, ["quarterly"])[0]
    assert first.due_date.strftime("%-d %B %Y") in page
    assert "Not started" in page
    assert ("Overdue" in page) == (first.due_date < datetime.date.today())
    assert 'aria-current="page">Outcome reports' in page


def test_error_summary_keeps_typed_input(client, active, partnership_lead):
    measure = active.measures.first()
    client.force_login(partnership_lead)
    response = client.post(
        detail_url(active),
        {
            "action": "submit",
            f"value_{measure.pk}": "lots",
            "narrative": "My typed narrative",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert f"Enter the value for “{measure.name}” as a number" in page
    assert "My typed narrative" in page and 'value="lots"' in page
    assert not OutcomeReport.objects.exists()

    response = client.post(
        detail_url(active), {"action": "submit", "narrative": "My typed narrative"}
    )
    page = response.content.decode()
    assert "There is a problem" in page and "Choose a RAG status" in page
    assert f'href="#id_value_{measure.pk}"' in page
    assert "My typed narrative" in page
    assert OutcomeReport.objects.get().status == OutcomeReport.Status.DRAFT


def test_submit_through_the_page_then_read_only_with_comments(
    client, active, partnership_lead, industry_member
):
    data = {"action": "submit", "rag": "amber", "rag_reason": "Slow start", "narrative": "N"}
    for measure in active.measures.all():
        data[f"value_{measure.pk}"] = "55"
    client.force_login(partnership_lead)
    assert client.post(detail_url(active), data).status_code == 302
    page = client.get(detail_url(active)).content.decode()
    assert "Submitted" in page and 'data-testid="report-form"' not in page
    assert "Amber" in page

    client.force_login(industry_member)
    response = client.post(detail_url(active), {"action": "comment", "body": "Agreed"})
    assert response.status_code == 302
    assert "Agreed" in client.get(detail_url(active)).content.decode()
    response = client.post(detail_url(active), {"action": "save", "narrative": "Changed"})
    assert "cannot be changed" in response.content.decode()
    assert OutcomeReport.objects.get().narrative == "N"

    chart_page = client.get(list_url(active)).content.decode()
    assert 'data-testid="measure-chart"' in chart_page and "<polyline" in chart_page
    assert "55%" in chart_page and "Baseline" in chart_page and "Target" in chart_page


def test_reports_page_query_count_does_not_grow(
    client, active, partnership_lead, deputy, django_assert_max_num_queries
):
    client.force_login(partnership_lead)
    with django_assert_max_num_queries(40) as small:
        client.get(list_url(active))
    for end in report_schedule(active)[:4]:
        report = outcome_report_save(
            project=active, period_end=end, data=complete_data(active), actor=partnership_lead
        )
        outcome_report_submit(report=report, actor=deputy)
    assert MeasureValue.objects.count() == 4 * OutcomeMeasure.objects.filter(project=active).count()
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(list_url(active))
    assert response.content.decode().count("Submitted") >= 4


def test_a_past_period_not_submitted_is_overdue(client, active, partnership_lead):
    Project.objects.filter(pk=active.pk).update(start_date=D(2020, 1, 1), end_date=D(2020, 12, 31))
    client.force_login(partnership_lead)
    page = client.get(list_url(active)).content.decode()
    assert page.count(">Overdue<") == 4
    assert "1 May 2020" in page  # the first period ends 1 April; due 30 days later
