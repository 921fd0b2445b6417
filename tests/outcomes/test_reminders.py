"""Outcome reminders: outcome reports due soon and overdue, final reports near and past their
deadline with an escalation to the chair; each once in all, to the right people only, by
email unless turned off; a fixed number of queries however many projects."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from governance.models import Notification
from governance.services.notifications import email_preferences_set
from outcomes.schedule import project_periods
from outcomes.services.reminders import outcome_reminders_send
from outcomes.services.reports import outcome_report_save, outcome_report_submit
from outcomes.tasks import outcome_reminders_send_task
from partnerships.dates import add_months
from partnerships.models import Project
from portal.celery import app
from tests.factories import complete_proposal, draft_project

K = Notification.Kind
DAY = datetime.timedelta(days=1)
OUTCOME_KINDS = (
    K.OUTCOME_REPORT_DUE,
    K.OUTCOME_REPORT_OVERDUE,
    K.FINAL_REPORT_DUE,
    K.FINAL_REPORT_OVERDUE,
    K.FINAL_REPORT_ESCALATION,
)


def set_status(project, status):
    Project.objects.filter(pk=project.pk).update(status=status)
    return Project.objects.get(pk=project.pk)


@pytest.fixture
def active(approved):
    return set_status(approved, Project.Status.ACTIVE)


@pytest.fixture
def completed(approved):
    return set_status(approved, Project.Status.COMPLETED)


@pytest.fixture
def eager():
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.fixture
def sweep(eager, django_capture_on_commit_callbacks):
    """Run the sweep for a day, with its emails sent by eager tasks after commit."""

    def run(today):
        with django_capture_on_commit_callbacks(execute=True):
            return outcome_reminders_send(today=today)

    return run


def first_period(project):
    return project_periods(project)[0]


def notes(kind=None, **filters):
    rows = Notification.objects.filter(kind__in=OUTCOME_KINDS).filter(**filters)
    return rows.filter(kind=kind) if kind else rows


def sent_to(user):
    return [m for m in mail.outbox if m.to == [user.email]]


def complete_data(project):
    return {
        "rag": "green",
        "rag_reason": "On track",
        "narrative": "Clinics running",
        "values": {m.pk: (Decimal("50"), "") for m in project.measures.all()},
    }


# Outcome reports ---------------------------------------------------------------------------


def test_a_report_is_reminded_of_once_when_due_soon_and_once_when_overdue(
    sweep, active, partnership_lead, deputy, industry_member, panel_member, panel_chair
):
    period = first_period(active)
    due = period.due_date
    assert sweep(due - 15 * DAY) == dict.fromkeys(OUTCOME_KINDS, 0)

    counts = sweep(due - 14 * DAY)
    assert counts[K.OUTCOME_REPORT_DUE] == 2
    rows = notes(K.OUTCOME_REPORT_DUE)
    assert {n.recipient for n in rows} == {partnership_lead, deputy}
    n = rows.get(recipient=partnership_lead)
    assert n.day == due and n.subject == f"report:{active.pk}:{period.end.isoformat()}"
    assert n.url == reverse("outcomes:report-detail", args=[active.pk, 1])
    assert f"is due by {due:%-d %B %Y}" in n.title and active.title in n.title
    assert "Nobody has started it yet" in n.body
    assert len(mail.outbox) == 2

    # The same day again, the next days up to the due date: nothing more.
    for day in (due - 14 * DAY, due - 13 * DAY, due - DAY, due):
        assert sweep(day) == dict.fromkeys(OUTCOME_KINDS, 0)
    assert len(mail.outbox) == 2

    counts = sweep(due + DAY)
    assert counts[K.OUTCOME_REPORT_OVERDUE] == 2 and counts[K.OUTCOME_REPORT_DUE] == 0
    overdue = notes(K.OUTCOME_REPORT_OVERDUE)
    assert {n.recipient for n in overdue} == {partnership_lead, deputy}
    assert {n.day for n in overdue} == {due}
    assert "Overdue" in overdue.first().title
    for day in (due + DAY, due + 2 * DAY, due + 40 * DAY):
        assert sweep(day)[K.OUTCOME_REPORT_OVERDUE] == 0
    # Nobody outside the lead and deputy, and no escalation of outcome reports.
    assert not notes(recipient__in=[industry_member, panel_member, panel_chair]).exists()
    later = notes(subject=f"report:{active.pk}:{period.end.isoformat()}")
    assert later.count() == 4
    assert len(sent_to(partnership_lead)) == len(sent_to(deputy))
    assert not sent_to(industry_member) and not sent_to(panel_chair)


def test_the_email_links_to_the_report_and_turning_the_kind_off_stops_only_the_email(
    sweep, active, partnership_lead, deputy
):
    email_preferences_set(user=deputy, opt_outs={K.OUTCOME_REPORT_DUE}, actor=deputy)
    due = first_period(active).due_date
    sweep(due - 10 * DAY)
    assert notes(K.OUTCOME_REPORT_DUE, recipient=deputy, emailed_at=None).exists()
    assert not sent_to(deputy)
    (email,) = sent_to(partnership_lead)
    link = "http://testserver" + reverse("outcomes:report-detail", args=[active.pk, 1])
    assert link in email.body and link in email.alternatives[0][0]
    assert email.subject.startswith("[Partnership portal] The outcome report to")
    assert "choose which reminders are emailed" in email.body
    # Overdue reminders were not turned off.
    sweep(due + DAY)
    overdue = notes(K.OUTCOME_REPORT_OVERDUE, recipient=deputy).get()
    assert [m.subject for m in sent_to(deputy)] == ["[Partnership portal] " + overdue.title]
    assert overdue.title.startswith("Overdue") and overdue.emailed_at is not None


def test_submitted_reports_are_not_reminded_and_drafts_say_so(
    sweep, active, partnership_lead, deputy
):
    first, second = project_periods(active)[:2]
    report = outcome_report_save(
        project=active, period_end=first.end, data=complete_data(active), actor=partnership_lead
    )
    outcome_report_submit(report=report, actor=deputy)
    outcome_report_save(project=active, period_end=second.end, data={}, actor=partnership_lead)
    sweep(second.due_date + DAY)
    assert not notes(subject=f"report:{active.pk}:{first.end.isoformat()}").exists()
    rows = notes(K.OUTCOME_REPORT_OVERDUE, subject=f"report:{active.pk}:{second.end.isoformat()}")
    assert rows.count() == 2 and "A draft has been saved" in rows.first().body


@pytest.mark.parametrize("status", ["approved", "completed", "closed", "withdrawn"])
def test_only_active_projects_are_reminded_of_outcome_reports(sweep, approved, status):
    project = set_status(approved, status)
    due = first_period(project).due_date
    sweep(due - DAY)
    sweep(due + DAY)
    assert not notes(kind__in=[K.OUTCOME_REPORT_DUE, K.OUTCOME_REPORT_OVERDUE]).exists()


# Final reports -----------------------------------------------------------------------------


def test_a_final_report_is_reminded_of_once_near_its_deadline_and_once_past_it_with_the_chair(
    sweep, completed, partnership_lead, deputy, industry_member, panel_member, panel_chair
):
    deadline = completed.final_report_deadline
    assert deadline == add_months(completed.end_date, settings.PORTAL_FINAL_REPORT_MONTHS)
    assert sweep(deadline - 31 * DAY) == dict.fromkeys(OUTCOME_KINDS, 0)
    counts = sweep(deadline - 30 * DAY)
    assert counts[K.FINAL_REPORT_DUE] == 2
    due = notes(K.FINAL_REPORT_DUE)
    assert {n.recipient for n in due} == {partnership_lead, deputy}
    assert {(n.subject, n.day, n.url) for n in due} == {
        (f"final:{completed.pk}", deadline, reverse("outcomes:final-report", args=[completed.pk]))
    }
    assert f"due by {deadline:%-d %B %Y}" in due.first().title
    for day in (deadline - 29 * DAY, deadline):
        assert sweep(day)[K.FINAL_REPORT_DUE] == 0

    counts = sweep(deadline + DAY)
    assert counts[K.FINAL_REPORT_OVERDUE] == 2 and counts[K.FINAL_REPORT_ESCALATION] == 1
    escalation = notes(K.FINAL_REPORT_ESCALATION).get()
    assert escalation.recipient == panel_chair
    assert "project lead Priya Shah" in escalation.body and "deputy Tom Hughes" in escalation.body
    for day in (deadline + 2 * DAY, deadline + 100 * DAY):
        assert sweep(day) == dict.fromkeys(OUTCOME_KINDS, 0)
    assert notes().count() == 5
    assert not notes(recipient__in=[industry_member, panel_member]).exists()
    assert len(mail.outbox) == 5
    (chair_email,) = sent_to(panel_chair)
    assert chair_email.subject.endswith(f"Overdue final report: {completed}")
    assert (
        "http://testserver" + reverse("outcomes:final-report", args=[completed.pk])
        in chair_email.body
    )


def test_escalations_of_final_reports_reach_a_chair_who_turned_everything_else_off(
    sweep, completed, panel_chair
):
    with pytest.raises(ValidationError, match="always emailed"):
        email_preferences_set(
            user=panel_chair, opt_outs={K.FINAL_REPORT_ESCALATION}, actor=panel_chair
        )
    email_preferences_set(
        user=panel_chair, opt_outs=set(Notification.OPTIONAL_KINDS), actor=panel_chair
    )
    sweep(completed.final_report_deadline + DAY)
    (email,) = sent_to(panel_chair)
    assert "Overdue final report" in email.subject
    assert "always emailed" in email.body


@pytest.mark.parametrize("status", ["active", "closed"])
def test_final_reports_are_reminded_of_only_while_the_project_is_completed(sweep, approved, status):
    project = set_status(approved, status)
    sweep(project.final_report_deadline - DAY)
    sweep(project.final_report_deadline + DAY)
    assert not notes(kind__startswith="final_report").exists()


# Through Celery, and the pages --------------------------------------------------------------


def test_the_beat_task_runs_the_sweep_for_today(
    eager, django_capture_on_commit_callbacks, active, partnership_lead
):
    today = timezone.localdate()
    Project.objects.filter(pk=active.pk).update(
        start_date=today - datetime.timedelta(days=150),
        end_date=today + datetime.timedelta(days=400),
    )
    project = Project.objects.get(pk=active.pk)
    overdue = [p for p in project_periods(project) if p.due_date < today]
    assert overdue
    entry = settings.CELERY_BEAT_SCHEDULE["outcome-reminders-send"]
    assert entry["task"] in app.tasks
    with django_capture_on_commit_callbacks(execute=True):
        counts = outcome_reminders_send_task.delay().get()
    assert counts[K.OUTCOME_REPORT_OVERDUE] == 2 * len(overdue)
    with django_capture_on_commit_callbacks(execute=True):
        assert outcome_reminders_send_task.delay().get()[K.OUTCOME_REPORT_OVERDUE] == 0
    assert len(sent_to(partnership_lead)) == len(overdue)


def test_notifications_page_shows_them_and_email_settings_offer_the_kinds(
    client, sweep, active, deputy
):
    sweep(first_period(active).due_date + DAY)
    client.force_login(deputy)
    page = client.get(reverse("governance:notification-list")).content.decode()
    n = notes(recipient=deputy).get()
    assert f'data-testid="notification-{n.pk}"' in page and f'href="{n.url}"' in page
    assert "Reminders of overdue outcome reports" in page
    settings_page = client.get(reverse("governance:notification-settings")).content.decode()
    for kind in OUTCOME_KINDS[:4]:
        assert f'value="{kind}"' in settings_page
    assert 'value="final_report_escalation"' not in settings_page


# Scale -------------------------------------------------------------------------------------


def _more_projects(n, lead, deputy, company, icb):
    for i in range(n):
        project = draft_project(lead_user=lead, lead_organisation=icb, title=f"Heart failure {i}")
        complete_proposal(project=project, lead_user=lead, deputy_user=deputy, company=company)
        set_status(project, Project.Status.ACTIVE if i % 2 else Project.Status.COMPLETED)


def test_the_number_of_queries_does_not_grow_with_the_projects(
    approved, partnership_lead, deputy, company, icb
):
    day = first_period(approved).due_date + DAY  # every project has the same dates
    completed = draft_project(lead_user=partnership_lead, lead_organisation=icb, title="Second")
    complete_proposal(
        project=completed, lead_user=partnership_lead, deputy_user=deputy, company=company
    )
    set_status(completed, Project.Status.COMPLETED)
    set_status(approved, Project.Status.ACTIVE)
    Project.objects.filter(status=Project.Status.COMPLETED).update(
        end_date=day - datetime.timedelta(days=300)  # past the final report's deadline
    )

    def run():
        with CaptureQueriesContext(connection) as queries:
            counts = outcome_reminders_send(today=day)
        return len(queries), counts

    few, counts = run()
    assert counts[K.OUTCOME_REPORT_OVERDUE] == 2 and counts[K.FINAL_REPORT_OVERDUE] == 2
    _more_projects(6, partnership_lead, deputy, company, icb)
    Project.objects.filter(status=Project.Status.COMPLETED).update(
        end_date=day - datetime.timedelta(days=300)
    )
    many, counts = run()
    assert counts[K.OUTCOME_REPORT_OVERDUE] == 2 * 3
    assert counts[K.FINAL_REPORT_OVERDUE] == 2 * 3
    assert many == few
