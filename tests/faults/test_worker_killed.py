"""A Celery worker SIGKILLed in the middle of a task: once another worker runs, the work is
done, once. Real worker processes (tests/faults/worker.py) against a throwaway Redis whose
visibility timeout is two seconds, so the broker hands the unacknowledged task back soon."""

import time

import pytest
from django.core.management import call_command

from audit.models import AuditEvent
from governance.models import Notification
from governance.tasks import reminders_send_task
from outbox.models import OutboxMessage
from outcomes.models import DisclosureDocument
from outcomes.services import disclosure as services
from tests.governance.test_reminders import panel, team, undeclared, wait  # noqa: F401

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
S = DisclosureDocument.Status


def until(predicate, worker, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        assert worker.process.poll() is None, worker.log()
        time.sleep(0.2)
    raise AssertionError(f"Timed out; the worker's log:\n{worker.log()}")


def test_a_pdf_render_killed_midway_is_finished_by_the_next_worker(
    worker_process, ready_proposal, industry_member
):
    document = services.disclosure_request(
        kind=DisclosureDocument.Kind.PROJECT, project=ready_proposal, actor=industry_member
    )
    worker_process.start(pause="render")
    assert worker_process.wait_for_marker() == "rendering"
    document.refresh_from_db()
    assert document.status == S.RUNNING and document.attempts == 1
    worker_process.kill()
    document.refresh_from_db()
    assert document.status == S.RUNNING  # what a dead worker leaves behind

    worker_process.start()
    until(lambda: DisclosureDocument.objects.get(pk=document.pk).status == S.READY, worker_process)
    document.refresh_from_db()
    assert document.attempts == 2 and document.sha256 and document.size
    assert document.error == ""
    assert AuditEvent.objects.filter(action="disclosure.ready").count() == 1
    time.sleep(3)  # a second delivery would show by now
    assert DisclosureDocument.objects.get(pk=document.pk).attempts == 2
    call_command("verify_audit")


def test_a_reminder_sweep_killed_midway_sends_every_email_once_after_restart(
    worker_process, request, panel_member, panel_chair
):
    # Submitted, nobody declared: 8 review reminders, 4 escalations, 5 reminders to declare
    # for the project and 2 of the annual declaration.
    wait(request.getfixturevalue("undeclared"), 10)
    worker_process.start(pause="sweep")
    reminders_send_task.delay()
    worker_process.wait_for_marker()
    # The first batch of five committed, with its emails' task in the outbox; the second
    # did not.
    assert Notification.objects.count() == 5
    assert OutboxMessage.objects.count() == 1
    worker_process.kill()
    assert Notification.objects.count() == 5

    worker_process.start()
    wanted = Notification.objects.filter(emailed_at__isnull=True)
    until(
        lambda: (
            Notification.objects.count() == 19
            and not wanted.exists()
            and len(worker_process.emails()) >= 19
        ),
        worker_process,
    )
    time.sleep(3)  # a duplicate would show by now
    emails = worker_process.emails()
    assert len(emails) == 19
    assert len({(m["To"], m["Subject"]) for m in emails}) == 19
    assert Notification.objects.count() == 19
    assert not OutboxMessage.objects.filter(published_at__isnull=True).exists()
