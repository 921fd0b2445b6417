"""Redis stopped: pages keep working, actions that queue work still commit (a redirect, not
a 500, and quickly), and the work runs once Redis is back, exactly once.

Before the outbox, publishing after commit raised kombu's OperationalError out of the
request: the invitation was saved, the person saw a 500, and its email was never sent.
"""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.urls import reverse

from accounts.models import Invitation, Membership
from outbox.models import OutboxMessage
from outbox.services import outbox_relay
from outbox.tasks import outbox_relay_task
from outcomes.models import DisclosureDocument
from portal.celery import app

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def until(predicate, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def invite(client, icb, email):
    return client.post(
        reverse("accounts:invitation-create"),
        {
            "organisation": icb.pk,
            "first_name": "Grace",
            "last_name": "Hopper",
            "email": email,
            "role": Membership.Role.PARTNERSHIP_LEAD,
        },
    )


def test_an_invitation_commits_while_redis_is_down_and_is_emailed_once_it_is_back(
    client, redis_server, worker_process, partnership_lead, icb
):
    # A real worker process runs before, during and after the outage.
    worker_process.start()
    client.force_login(partnership_lead)
    redis_server.stop()

    started = time.monotonic()
    response = invite(client, icb, "grace.hopper@example.org")
    assert response.status_code == 302
    assert time.monotonic() - started < 5, "publishing must not hold the request"
    invitation = Invitation.objects.get(email="grace.hopper@example.org")
    message = OutboxMessage.objects.get()
    assert message.task == "accounts.tasks.invitation_send_task"
    assert message.args == [invitation.pk]
    assert message.published_at is None and message.attempts == 1
    assert "Connection refused" in message.last_error
    # The list of invitations still shows, with the new one.
    assert "grace.hopper@example.org" in client.get(response["Location"]).content.decode()
    assert outbox_relay() == 0  # still down: nothing lost, nothing published
    time.sleep(3)  # the worker keeps trying to reconnect meanwhile

    redis_server.start()
    assert outbox_relay() == 1
    assert until(lambda: len(worker_process.emails()) == 1, timeout=60), worker_process.log()
    assert outbox_relay() == 0  # published once only
    time.sleep(2)
    assert [m["To"] for m in worker_process.emails()] == ["grace.hopper@example.org"]
    assert OutboxMessage.objects.get().published_at is not None
    invitation.refresh_from_db()
    assert invitation.emailed_at is not None


def test_a_disclosure_pdf_requested_while_redis_is_down_is_made_once_it_is_back(
    client, redis_server, settings, tmp_path, ready_proposal, industry_member
):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(industry_member)
    redis_server.stop()

    response = client.post(
        reverse("outcomes:disclosure-project-request", args=[ready_proposal.pk]), follow=True
    )
    assert response.status_code == 200
    document = DisclosureDocument.objects.get()
    assert f"{document.document_number} is being made" in response.content.decode()
    assert document.status == DisclosureDocument.Status.QUEUED
    assert OutboxMessage.objects.filter(published_at__isnull=True).count() == 1

    # Redis back: beat's next relay task reaches a worker, which publishes the render.
    redis_server.start()
    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=30):
        outbox_relay_task.delay()
        assert until(lambda: not DisclosureDocument.objects.get().is_pending, timeout=60)
    document.refresh_from_db()
    assert document.status == DisclosureDocument.Status.READY, document.error
    assert document.attempts == 1
    assert not OutboxMessage.objects.filter(published_at__isnull=True).exists()


def test_a_hung_redis_holds_neither_a_request_nor_healthz_for_long(
    client, redis_server, partnership_lead, icb
):
    client.force_login(partnership_lead)
    redis_server.pause()
    try:
        started = time.monotonic()
        response = invite(client, icb, "hung@example.org")
        assert response.status_code == 302
        assert time.monotonic() - started < 6, "publishing must give up within seconds"
        message = OutboxMessage.objects.get()
        assert message.published_at is None and "Timeout" in message.last_error

        started = time.monotonic()
        health = client.get("/healthz")
        assert health.status_code == 503 and health.json()["failing"] == ["broker"]
        assert time.monotonic() - started < 6
    finally:
        redis_server.resume()
    assert outbox_relay() == 1


def test_pages_and_sign_in_work_with_redis_down(
    client, redis_server, settings, partnership_lead, password
):
    """The cache (sign-in throttling, used two-factor codes) is on Redis in production."""
    settings.CACHES = {
        "default": {"BACKEND": "portal.cache.ResilientRedisCache", "LOCATION": redis_server.url}
    }
    redis_server.stop()
    response = client.post(
        "/accounts/login/", {"login": partnership_lead.email, "password": password}
    )
    assert response.status_code == 302
    assert "Welcome, Priya" in client.get("/").content.decode()
    assert client.get("/register/").status_code == 200
    assert client.get("/projects/").status_code == 200
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json()["failing"] == ["broker"]

    # Throttling still counts failed sign-ins while Redis is down.
    client.logout()
    for _ in range(5):
        client.post("/accounts/login/", {"login": partnership_lead.email, "password": "wrong"})
    refused = client.post(
        "/accounts/login/", {"login": partnership_lead.email, "password": password}
    )
    assert refused.status_code in (200, 429)
    assert "_auth_user_id" not in client.session

    redis_server.start()
    assert client.get("/healthz").status_code == 200
