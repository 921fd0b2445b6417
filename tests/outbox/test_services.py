"""The outbox: a task is recorded with the change, published after commit, kept when the
broker does not take it, and published later by the relay, once."""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from accounts.tasks import sessions_clear_expired_task
from outbox import services
from outbox.models import OutboxMessage

TASK = "accounts.tasks.sessions_clear_expired_task"


@pytest.fixture
def published(monkeypatch):
    """What reached the broker, in order (apply_async replaced: the broker is not under
    test here; tests/faults uses a real one)."""
    sent = []
    task = sessions_clear_expired_task._get_current_object()
    monkeypatch.setattr(
        type(task), "apply_async", lambda self, args=None, **kw: sent.append((self.name, args))
    )
    return sent


def test_a_rolled_back_change_leaves_nothing_to_publish(db, published):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.outbox_enqueue(task=TASK, args=[1])
        raise RuntimeError("the change failed")
    assert not OutboxMessage.objects.exists()
    assert published == []


def test_a_task_is_published_after_commit_once(db, published, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        message = services.outbox_enqueue(task=TASK, args=[7])
        assert published == []  # nothing before the commit
    assert published == [(TASK, [7])]
    message.refresh_from_db()
    assert message.published_at is not None
    assert services.outbox_relay() == 0
    assert published == [(TASK, [7])]


def test_what_the_broker_refused_is_published_by_the_relay_in_order(
    db, published, monkeypatch, django_capture_on_commit_callbacks
):
    task = sessions_clear_expired_task._get_current_object()
    with monkeypatch.context() as down:

        def refuse(self, *args, **kwargs):
            raise OSError("Connection refused")

        down.setattr(type(task), "apply_async", refuse)
        with django_capture_on_commit_callbacks(execute=True):
            services.outbox_enqueue_many(task=TASK, args_list=[[1], [2], [3]])
        assert services.outbox_relay() == 0
    first = OutboxMessage.objects.order_by("pk").first()
    assert first.attempts == 2 and "Connection refused" in first.last_error
    assert OutboxMessage.objects.filter(published_at__isnull=True).count() == 3

    assert services.outbox_relay() == 3
    assert published == [(TASK, [1]), (TASK, [2]), (TASK, [3])]
    assert not OutboxMessage.objects.filter(published_at__isnull=True).exists()


def test_an_unknown_task_is_refused_when_queued_and_skipped_when_relayed(db, published):
    with pytest.raises(ValueError, match="No such task"):
        services.outbox_enqueue(task="accounts.tasks.no_such_task", args=[])
    OutboxMessage.objects.create(task="accounts.tasks.renamed_task", args=[])
    OutboxMessage.objects.create(task=TASK, args=[2])
    assert services.outbox_relay() == 1
    assert published == [(TASK, [2])]
    skipped = OutboxMessage.objects.get(task="accounts.tasks.renamed_task")
    assert skipped.published_at is None and "No such task" in skipped.last_error


def test_the_relay_forgets_messages_published_long_ago(db, settings):
    old = timezone.now() - datetime.timedelta(days=settings.PORTAL_OUTBOX_KEEP_DAYS + 1)
    OutboxMessage.objects.create(task=TASK, args=[], published_at=old)
    recent = OutboxMessage.objects.create(task=TASK, args=[], published_at=timezone.now())
    services.outbox_relay()
    assert list(OutboxMessage.objects.all()) == [recent]


def test_the_relay_is_on_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["outbox-relay"]
    assert entry["task"] == "outbox.tasks.outbox_relay_task"
    assert entry["schedule"] == settings.PORTAL_OUTBOX_RELAY_SECONDS


def test_a_refusal_after_a_skipped_message_is_recorded_on_the_refused_one(db, monkeypatch):
    """The broker's error belongs to the message it refused, not to whichever row happens
    to sit at that position once unknown tasks have been skipped."""
    task = sessions_clear_expired_task._get_current_object()

    def refuse(self, *args, **kwargs):
        raise OSError("Connection refused")

    monkeypatch.setattr(type(task), "apply_async", refuse)
    renamed = OutboxMessage.objects.create(task="accounts.tasks.renamed_task", args=[])
    refused = OutboxMessage.objects.create(task=TASK, args=[1])
    waiting = OutboxMessage.objects.create(task=TASK, args=[2])

    assert services.outbox_publish() == 0

    renamed.refresh_from_db(), refused.refresh_from_db(), waiting.refresh_from_db()
    assert "No such task" in renamed.last_error
    assert refused.attempts == 1 and "Connection refused" in refused.last_error
    assert waiting.attempts == 0 and waiting.last_error == ""
