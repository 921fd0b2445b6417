"""Reminders: review reminders past a panel's first threshold, escalations to its chair past
the second, reminders to declare, the annual declaration; once per recipient, kind, subject
and day even when two runs race; emails through a real Celery worker; the pages."""

import datetime
import threading
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Exists, OuterRef
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import services as account_services
from accounts.models import Membership
from audit.models import AuditEvent
from governance.gates import GATES_BY_KIND
from governance.models import EmailOptOut, Gate, Notification
from governance.selectors.gates import working_days_between
from governance.services.declarations import declaration_record
from governance.services.gates import gate_sign_off
from governance.services.notifications import (
    email_preferences_set,
    notification_create,
    notification_email_send,
)
from governance.services.reminders import latest_opening_for, reminders_send
from governance.tasks import reminders_send_task
from partnerships.models import Project
from partnerships.services.projects import project_transition
from portal.celery import app
from tests.factories import complete_proposal, draft_project

K = Notification.Kind
TODAY = timezone.localdate()
TITLE = 'Asthma <script>alert("x")</script> & more'


# Building the data with the real services ----------------------------------------------


def nil(person, project=None):
    return declaration_record(
        person=person,
        project=project,
        role="team_member" if project else "decision_maker",
        nil_return=True,
        interests=[],
        actor=person,
    )


def conflict(person, project):
    return declaration_record(
        person=person,
        project=project,
        role="reviewer",
        nil_return=False,
        interests=[
            {
                "category": "financial",
                "interest_type": "shareholding",
                "description": "Shares in the company",
                "organisation_name": "Example Pharma UK Ltd",
                "start_date": datetime.date(2023, 4, 1),
                "end_date": None,
                "became_aware_on": datetime.date(2023, 4, 1),
            }
        ],
        actor=person,
    )


def submit(project, lead):
    return project_transition(project=project, action="submit", actor=lead)


def wait(project, days, today=TODAY):
    """Make the project's gates have waited ``days`` working days by ``today``."""
    opened = timezone.make_aware(
        datetime.datetime.combine(latest_opening_for(today, days), datetime.time(12))
    )
    Gate.objects.filter(project=project).update(opened_at=opened)
    assert working_days_between(timezone.localdate(opened), today) == days


def approve(project, kind, reviewer):
    return gate_sign_off(
        gate=Gate.objects.get(project=project, kind=kind),
        decision="approve",
        criteria={
            c.key: {"met": True, "comment": ""}
            for c in GATES_BY_KIND[kind].criteria_for(low_risk=False)
        },
        actor=reviewer,
    )


def reminded(kind=K.REVIEW_REMINDER, **filters):
    return Notification.objects.filter(kind=kind, **filters)


@pytest.fixture
def team(partnership_lead, deputy, industry_member):
    return [partnership_lead, deputy, industry_member]


@pytest.fixture
def panel(panel_member, panel_chair):
    return [panel_member, panel_chair]


@pytest.fixture
def submitted(ready_proposal, team, panel, partnership_lead):
    """Submitted (the ICB's panel is its member and chair), everyone declared for it and
    annually, so only the gates wait on anyone."""
    Project.objects.filter(pk=ready_proposal.pk).update(title=TITLE)
    for person in [*team, *panel]:
        nil(person, ready_proposal)
    for person in panel:
        nil(person)
    return submit(Project.objects.get(pk=ready_proposal.pk), partnership_lead)


@pytest.fixture
def undeclared(ready_proposal, team, panel, partnership_lead):
    """Submitted with nobody declared for it, and no annual declarations."""
    return submit(ready_proposal, partnership_lead)


def gate_subjects(project):
    return {f"gate:{g.pk}:{g.round}" for g in Gate.objects.filter(project=project)}


# A real worker, and waiting for it --------------------------------------------------------


@pytest.fixture
def worker(transactional_db):
    with start_worker(
        app, perform_ping_check=False, pool="threads", concurrency=2, shutdown_timeout=30
    ):
        yield


def emails_settle(expected: int, timeout: float = 20):
    """Wait for the worker to send ``expected`` emails and to claim every notification that
    is to be emailed, then a moment more, so a duplicate would show."""
    opted_out = EmailOptOut.objects.filter(user=OuterRef("recipient"), kind=OuterRef("kind"))
    pending = Notification.objects.filter(emailed_at__isnull=True).exclude(Exists(opted_out))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(mail.outbox) >= expected and not pending.exists():
            break
        time.sleep(0.1)
    time.sleep(0.5)
    return list(mail.outbox)


def sent_to(outbox, user):
    return [m for m in outbox if m.to == [user.email]]


def concurrently(n, fn):
    """Run ``fn`` in ``n`` threads released together; each has its own connection."""
    barrier = threading.Barrier(n)
    results, errors = [], []

    def target():
        try:
            barrier.wait()
            results.append(fn())
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=target) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors
    return results


# Review reminders and escalations --------------------------------------------------------


@pytest.mark.django_db
def test_reviewers_are_reminded_once_the_threshold_has_passed_and_not_before(
    submitted, panel_member, panel_chair, team
):
    wait(submitted, 4)
    counts = reminders_send(today=TODAY)
    assert counts[K.REVIEW_REMINDER] == 0 and not reminded().exists()

    wait(submitted, 5)
    counts = reminders_send(today=TODAY)
    assert counts == {
        K.REVIEW_REMINDER: 8,
        K.REVIEW_ESCALATION: 0,
        K.DECLARATION_MISSING: 0,
        K.ANNUAL_DECLARATION_DUE: 0,
    }
    for reviewer in (panel_member, panel_chair):
        rows = reminded(recipient=reviewer)
        assert {n.subject for n in rows} == gate_subjects(submitted)
        assert {n.day for n in rows} == {TODAY}
    # The team is not on the panel.
    assert not reminded(recipient__in=team).exists()
    n = reminded(recipient=panel_member, subject__startswith="gate:").first()
    gate = Gate.objects.get(pk=n.subject.split(":")[1])
    assert n.url == reverse("governance:gate-detail", args=[submitted.pk, gate.kind])
    assert "is waiting for your review" in n.title and TITLE in n.title
    assert "waited 5 working days" in n.body
    assert "declare" not in n.body  # they have declared


@pytest.mark.django_db
def test_the_next_day_reminds_again_and_the_same_day_does_not(submitted, panel_member):
    wait(submitted, 5)
    assert reminders_send(today=TODAY)[K.REVIEW_REMINDER] == 8
    assert reminders_send(today=TODAY)[K.REVIEW_REMINDER] == 0
    tomorrow = TODAY + datetime.timedelta(days=1)
    assert reminders_send(today=tomorrow)[K.REVIEW_REMINDER] == 8
    assert {n.day for n in reminded(recipient=panel_member)} == {TODAY, tomorrow}
    assert reminded(recipient=panel_member).count() == 8


@pytest.mark.django_db
def test_a_reviewer_who_has_decided_this_round_is_not_reminded_of_that_gate(
    submitted, panel_member, panel_chair
):
    approve(submitted, Gate.Kind.SHARED_PURPOSE, panel_member)
    shared = Gate.objects.get(project=submitted, kind=Gate.Kind.SHARED_PURPOSE)
    assert shared.status == Gate.Status.IN_REVIEW  # the quorum is two
    wait(submitted, 5)
    reminders_send(today=TODAY)
    subject = f"gate:{shared.pk}:{shared.round}"
    assert reminded(recipient=panel_member).count() == 3
    assert not reminded(recipient=panel_member, subject=subject).exists()
    assert reminded(recipient=panel_chair, subject=subject).exists()


@pytest.mark.parametrize("why", ["declared a conflict", "member of a partner organisation"])
@pytest.mark.django_db
def test_a_structurally_ineligible_reviewer_is_not_reminded_and_the_chair_hears_who_is_left(
    submitted, panel_member, panel_chair, company, why
):
    if why == "declared a conflict":
        conflict(panel_member, submitted)
    else:
        account_services.membership_add(
            user=panel_member, organisation=company, role=Membership.Role.AUDITOR
        )
    wait(submitted, 10)
    reminders_send(today=TODAY)
    assert not reminded(recipient=panel_member).exists()
    assert reminded(recipient=panel_chair).count() == 4
    escalation = reminded(K.REVIEW_ESCALATION, recipient=panel_chair).first()
    assert "Still to decide: " in escalation.body
    assert str(panel_chair) in escalation.body and str(panel_member) not in escalation.body


@pytest.mark.django_db
def test_a_reviewer_who_has_not_declared_is_reminded_and_told_to_declare_first(
    undeclared, panel_member
):
    wait(undeclared, 5)
    reminders_send(today=TODAY)
    n = reminded(recipient=panel_member).first()
    assert "You have not declared your interests in this project yet" in n.body
    assert notification_email_send(notification_id=n.pk)
    (email,) = mail.outbox
    declare = "http://testserver" + reverse(
        "governance:declaration-project-new", args=[undeclared.pk]
    )
    assert declare in email.body and declare in email.alternatives[0][0]
    assert "http://testserver" + n.url in email.body


@pytest.mark.django_db
def test_closed_gates_and_projects_no_longer_submitted_are_not_reminded(
    submitted, partnership_lead
):
    wait(submitted, 12)
    project_transition(project=submitted, action="withdraw", actor=partnership_lead, reason="x")
    counts = reminders_send(today=TODAY)
    assert counts[K.REVIEW_REMINDER] == counts[K.REVIEW_ESCALATION] == 0


# Declarations ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_team_and_panel_members_who_have_not_declared_are_reminded_weekly(
    undeclared, team, panel, deputy
):
    counts = reminders_send(today=TODAY)
    assert counts[K.DECLARATION_MISSING] == 5
    url = reverse("governance:declaration-project-new", args=[undeclared.pk])
    rows = reminded(K.DECLARATION_MISSING)
    assert {n.recipient for n in rows} == {*team, *panel}
    assert {(n.subject, n.url) for n in rows} == {(f"project:{undeclared.pk}", url)}
    assert "on the team of this project" in rows.get(recipient=deputy).body

    nil(deputy, undeclared)
    for days in range(1, 7):
        later = TODAY + datetime.timedelta(days=days)
        assert reminders_send(today=later)[K.DECLARATION_MISSING] == 0
    week_later = TODAY + datetime.timedelta(days=7)
    assert reminders_send(today=week_later)[K.DECLARATION_MISSING] == 4
    assert not reminded(K.DECLARATION_MISSING, recipient=deputy, day=week_later).exists()


@pytest.mark.django_db
def test_panel_members_and_chairs_without_this_years_annual_declaration_are_reminded_weekly(
    undeclared, panel_member, panel_chair, auditor
):
    nil(panel_chair)  # this year's annual declaration
    assert reminders_send(today=TODAY)[K.ANNUAL_DECLARATION_DUE] == 1
    (n,) = reminded(K.ANNUAL_DECLARATION_DUE)
    assert n.recipient == panel_member and n.subject == f"annual:{TODAY.year}"
    assert n.url == reverse("governance:declaration-annual-new")
    assert reminders_send(today=TODAY + datetime.timedelta(days=3))[K.ANNUAL_DECLARATION_DUE] == 0
    assert reminders_send(today=TODAY + datetime.timedelta(days=7))[K.ANNUAL_DECLARATION_DUE] == 1
    nil(panel_member)
    assert reminders_send(today=TODAY + datetime.timedelta(days=14))[K.ANNUAL_DECLARATION_DUE] == 0


# Through a real worker -------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_escalation_reaches_the_chair_by_email_with_a_link_to_the_gate(
    worker, submitted, panel_member, panel_chair
):
    wait(submitted, 9)
    assert reminders_send()[K.REVIEW_ESCALATION] == 0
    wait(submitted, 10)
    counts = reminders_send()
    assert counts[K.REVIEW_ESCALATION] == 4
    outbox = emails_settle(8 + 4)
    escalations = [m for m in sent_to(outbox, panel_chair) if "Overdue review" in m.subject]
    assert len(escalations) == 4
    assert not [m for m in sent_to(outbox, panel_member) if "Overdue review" in m.subject]
    email = escalations[0]
    gate_urls = {
        "http://testserver" + reverse("governance:gate-detail", args=[submitted.pk, kind])
        for kind in Gate.Kind.values
    }
    assert any(u in email.body for u in gate_urls)
    assert "waited 10 working days" in email.body and str(panel_member) in email.body
    html = email.alternatives[0][0]
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert TITLE in email.subject and TITLE in email.body  # plain text is not HTML-escaped
    assert all(n.emailed_at for n in Notification.objects.all())


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_each_reminder_and_email_once(
    worker, undeclared, panel_member, panel_chair
):
    wait(undeclared, 10)
    results = concurrently(2, reminders_send)
    created = {kind: sum(r[kind] for r in results) for kind in results[0]}
    # 4 gates x 2 reviewers; 4 escalations; 5 people to declare; 2 annual declarations.
    assert created == {
        K.REVIEW_REMINDER: 8,
        K.REVIEW_ESCALATION: 4,
        K.DECLARATION_MISSING: 5,
        K.ANNUAL_DECLARATION_DUE: 2,
    }
    assert Notification.objects.count() == 19
    outbox = emails_settle(19)
    assert len(outbox) == 19
    keys = [(m.to[0], m.subject) for m in outbox]
    assert len(set(keys)) == 19

    # Two more runs through the worker on the same day add nothing.
    reminders_send_task.delay()
    reminders_send_task.delay()
    time.sleep(3)
    assert Notification.objects.count() == 19 and len(mail.outbox) == 19

    # A redelivered email task finds its notification claimed and sends nothing.
    n = Notification.objects.first()
    assert not notification_email_send(notification_id=n.pk)
    assert len(mail.outbox) == 19


@pytest.mark.django_db(transaction=True)
def test_two_inserts_of_the_same_notification_at_once_make_one(panel_member):
    def create():
        return notification_create(
            recipient=panel_member,
            kind=K.REVIEW_REMINDER,
            subject="gate:1:1",
            day=TODAY,
            title="A gate is waiting for your review",
            body="",
            url="/reviews/",
        )

    results = concurrently(4, create)
    assert sum(r is not None for r in results) == 1
    assert Notification.objects.count() == 1


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_opting_out_stops_the_email_but_keeps_the_notification(
    worker, submitted, panel_member, panel_chair
):
    email_preferences_set(user=panel_member, opt_outs={K.REVIEW_REMINDER}, actor=panel_member)
    wait(submitted, 5)
    reminders_send()
    assert reminded(recipient=panel_member).count() == 4
    outbox = emails_settle(4)
    assert len(sent_to(outbox, panel_chair)) == 4
    assert sent_to(outbox, panel_member) == []
    assert not reminded(recipient=panel_member, emailed_at__isnull=False).exists()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_escalations_are_emailed_even_to_a_chair_who_tried_to_turn_them_off(
    worker, submitted, panel_chair
):
    with pytest.raises(ValidationError, match="always emailed"):
        email_preferences_set(
            user=panel_chair,
            opt_outs={K.REVIEW_ESCALATION, K.REVIEW_REMINDER},
            actor=panel_chair,
        )
    for escalation in Notification.ESCALATION_KINDS:
        with pytest.raises(IntegrityError), transaction.atomic():
            EmailOptOut.objects.create(user=panel_chair, kind=escalation)
    # Every kind that may be turned off, is.
    email_preferences_set(
        user=panel_chair, opt_outs=set(Notification.OPTIONAL_KINDS), actor=panel_chair
    )
    wait(submitted, 10)
    reminders_send()
    outbox = emails_settle(4 + 4)  # the member's reminders and the chair's escalations
    mine = sent_to(outbox, panel_chair)
    assert len(mine) == 4 and all("Overdue review" in m.subject for m in mine)
    assert reminded(recipient=panel_chair).count() == 4  # still in the portal


# Scale -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_number_of_queries_does_not_grow_with_the_gates(
    submitted, partnership_lead, deputy, company, icb
):
    def run(day):
        with CaptureQueriesContext(connection) as queries:
            counts = reminders_send(today=day)
        return len(queries), counts

    wait(submitted, 10)
    few, counts = run(TODAY)
    assert counts[K.REVIEW_ESCALATION] == 4
    for n in range(3):
        project = draft_project(
            lead_user=partnership_lead, lead_organisation=icb, title=f"Heart failure {n}"
        )
        complete_proposal(
            project=project, lead_user=partnership_lead, deputy_user=deputy, company=company
        )
        wait(submit(project, partnership_lead), 10)
    many, counts = run(TODAY + datetime.timedelta(days=1))
    assert counts[K.REVIEW_ESCALATION] == 16
    assert many == few


# The pages -------------------------------------------------------------------------------


def make(user, title, **extra):
    return notification_create(
        recipient=user,
        kind=extra.pop("kind", K.DECLARATION_MISSING),
        subject=extra.pop("subject", title),
        day=TODAY,
        title=title,
        body=extra.pop("body", ""),
        url="/declarations/",
    )


@pytest.mark.django_db
def test_pages_need_signing_in(client):
    for name in ("governance:notification-list", "governance:notification-settings"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_the_list_shows_only_your_own_notifications_newest_first_with_unread_marked(
    client, panel_member, deputy
):
    older = make(panel_member, "Older <b>reminder</b>")
    Notification.objects.filter(pk=older.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=1), read_at=timezone.now()
    )
    newer = make(panel_member, "Newer reminder")
    make(deputy, "Someone else's reminder")
    client.force_login(panel_member)
    page = client.get(reverse("governance:notification-list")).content.decode()
    assert "Someone else" not in page
    assert page.index("Newer reminder") < page.index("Older &lt;b&gt;reminder&lt;/b&gt;")
    assert f'data-testid="notification-{newer.pk}"' in page
    assert page.count('data-testid="unread"') == 1
    assert "You have 1 unread notification." in page
    assert "Notifications (1<span" in page  # the header link


@pytest.mark.django_db
def test_mark_all_read_marks_only_your_own(client, panel_member, deputy):
    for n in range(3):
        make(panel_member, f"Reminder {n}")
    theirs = make(deputy, "Theirs")
    client.force_login(panel_member)
    response = client.post(reverse("governance:notification-list"))
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=panel_member, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None
    page = client.get(reverse("governance:notification-list")).content.decode()
    assert 'data-testid="unread"' not in page and "Mark all as read" not in page
    assert "Notifications (" not in page


@pytest.mark.django_db
def test_the_list_is_paginated(client, panel_member):
    for n in range(30):
        make(panel_member, f"Reminder number {n:02}")
    client.force_login(panel_member)
    first = client.get(reverse("governance:notification-list")).content.decode()
    second = client.get(reverse("governance:notification-list") + "?page=2").content.decode()
    assert first.count('class="nhsuk-card"') == 25 and second.count('class="nhsuk-card"') == 5
    assert "Reminder number 29" in first and "Reminder number 00" in second


@pytest.mark.django_db
def test_email_settings_turn_kinds_off_and_show_escalations_always_emailed(client, panel_chair):
    client.force_login(panel_chair)
    url = reverse("governance:notification-settings")
    page = client.get(url).content.decode()
    assert "Send me these by email" in page
    for kind in Notification.OPTIONAL_KINDS:
        assert f'value="{kind}"' in page and kind.label in page
    assert page.count("checked") == len(Notification.OPTIONAL_KINDS) == 7
    assert 'value="review_escalation"' not in page
    assert 'value="final_report_escalation"' not in page
    assert "Escalations of overdue reviews to panel chairs are always emailed" in page
    assert "So are escalations of overdue final reports" in page

    response = client.post(url, {"emailed": [K.REVIEW_REMINDER]})
    assert response.status_code == 302
    assert set(EmailOptOut.objects.filter(user=panel_chair).values_list("kind", flat=True)) == {
        K.DECLARATION_MISSING,
        K.ANNUAL_DECLARATION_DUE,
        K.OUTCOME_REPORT_DUE,
        K.OUTCOME_REPORT_OVERDUE,
        K.FINAL_REPORT_DUE,
        K.FINAL_REPORT_OVERDUE,
    }
    assert AuditEvent.objects.filter(action="notification.email_preferences").count() == 1
    assert client.get(url).content.decode().count("checked") == 1

    for escalation in Notification.ESCALATION_KINDS:
        response = client.post(url, {"emailed": [escalation]})
        assert response.status_code == 200
        assert "Select a valid choice" in response.content.decode()

    client.post(url, {"emailed": list(Notification.OPTIONAL_KINDS)})
    assert not EmailOptOut.objects.filter(user=panel_chair).exists()


@pytest.mark.django_db
def test_nobody_changes_anyone_elses_email_settings(panel_member, panel_chair):
    with pytest.raises(ValidationError):
        email_preferences_set(user=panel_chair, opt_outs={K.REVIEW_REMINDER}, actor=panel_member)
    assert not EmailOptOut.objects.exists()


def test_email_tasks_try_again_when_the_database_is_unavailable(db, panel_member, monkeypatch):
    from governance.services import notifications
    from governance.tasks import notification_email_send_task, notification_emails_send_task

    first, second = (
        notification_create(
            recipient=panel_member,
            kind=K.REVIEW_REMINDER,
            subject=f"gate:{n}:1",
            day=TODAY,
            title=f"Gate {n} is waiting for your review",
            body="",
            url="/reviews/",
        )
        for n in (1, 2)
    )
    send = notifications.notification_email_send
    failures = []

    def unavailable_once(**kwargs):
        if len(failures) < 1:
            failures.append(kwargs)
            raise OperationalError("server closed the connection unexpectedly")
        return send(**kwargs)

    monkeypatch.setattr(notifications, "notification_email_send", unavailable_once)
    assert notification_emails_send_task.apply(args=[[first.pk, second.pk]]).get() == 2
    failures.clear()
    assert notification_email_send_task.apply(args=[first.pk]).get() is False  # sent already
    assert len(mail.outbox) == 2
