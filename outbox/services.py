"""The transactional outbox: background tasks recorded with the change that needs them.

``outbox_enqueue`` writes the task's row in the caller's transaction and, after commit,
tries to publish it at once (so a worker starts within moments, as ``.delay()`` did). If
the broker does not answer the row stays pending, the request carries on (its change is
committed), and ``outbox_relay`` publishes it later: the beat schedule runs the relay every
``PORTAL_OUTBOX_RELAY_SECONDS``, so once Redis is back the relay task reaches a worker and
everything pending goes out in the order it was written. A rolled-back change leaves no row,
so nothing is sent for it.

Publishing after commit without a row (``on_commit`` and ``.delay()``) loses the task when
Redis is down or the process dies between the commit and the publish; the row makes the
task as durable as the change itself.
"""

import datetime
import importlib
import logging
from collections.abc import Iterable
from functools import partial

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from outbox.models import OutboxMessage

logger = logging.getLogger(__name__)

RELAY_BATCH = 500


def _task(name: str):
    """The registered task, or None. Tasks modules are imported lazily: import the one that
    the name says (``app.tasks.name_task`` lives in ``app.tasks``)."""
    if name not in current_app.tasks:
        try:
            importlib.import_module(name.rpartition(".")[0])
        except ImportError:
            return None
    return current_app.tasks.get(name)


def outbox_enqueue(*, task: str, args: Iterable = ()) -> OutboxMessage:
    """Record ``task(*args)`` in the current transaction; publish it after commit."""
    return outbox_enqueue_many(task=task, args_list=[list(args)])[0]


def outbox_enqueue_many(*, task: str, args_list: Iterable[Iterable]) -> list[OutboxMessage]:
    if _task(task) is None:
        raise ValueError(f"No such task: {task}")
    messages = OutboxMessage.objects.bulk_create(
        [OutboxMessage(task=task, args=list(args)) for args in args_list]
    )
    if messages:
        ids = [m.pk for m in messages]
        transaction.on_commit(partial(_publish_after_commit, ids), robust=True)
    return messages


def _publish_after_commit(ids: list[int]) -> None:
    try:
        outbox_publish(ids=ids, limit=len(ids))
    except Exception:  # the change is committed; the relay publishes what is left
        logger.exception("Publishing outbox messages after commit failed")


def _publishing_connection():
    """A broker connection of its own for one batch, that gives up after
    PORTAL_OUTBOX_PUBLISH_TIMEOUT seconds: a Redis that accepts connections but does not
    answer (hung, or the network dropped) must not hold a request for the workers' longer
    socket timeout, let alone once per retry."""
    timeout = settings.PORTAL_OUTBOX_PUBLISH_TIMEOUT
    return current_app.connection_for_write(
        connect_timeout=timeout,
        transport_options={"socket_timeout": timeout, "socket_connect_timeout": timeout},
    )


def outbox_publish(*, ids: list[int] | None = None, limit: int = RELAY_BATCH) -> int:
    """Publish pending messages (these ``ids``, or the oldest ``limit``), in the order they
    were written, and mark them published. Returns how many were published.

    Each row is locked, skipping rows another publisher holds, so a request and the relay
    do not both publish one message. The first failure to reach the broker stops the batch:
    the rest stay pending for the relay, and the request is not held up retrying each."""
    with transaction.atomic():
        pending = OutboxMessage.objects.select_for_update(skip_locked=True).filter(
            published_at__isnull=True
        )
        if ids is not None:
            pending = pending.filter(pk__in=ids)
        rows = list(pending.order_by("pk")[:limit])
        if not rows:
            return 0
        published: list[int] = []
        refused, error = None, ""
        with _publishing_connection() as connection:
            for row in rows:
                task = _task(row.task)
                if task is None:  # renamed or removed since it was written: skip it, keep it
                    OutboxMessage.objects.filter(pk=row.pk).update(
                        attempts=F("attempts") + 1, last_error=f"No such task: {row.task}"
                    )
                    continue
                try:
                    task.apply_async(
                        args=row.args,
                        connection=connection,
                        retry=True,
                        retry_policy=settings.PORTAL_OUTBOX_PUBLISH_RETRY,
                    )
                except Exception as exc:  # kombu's OperationalError, OSError, a timeout...
                    refused, error = row, f"{type(exc).__name__}: {exc}"[:2000]
                    logger.warning("The broker did not take outbox message %s: %s", row.pk, error)
                    break
                published.append(row.pk)
        if published:
            OutboxMessage.objects.filter(pk__in=published).update(published_at=timezone.now())
        if refused is not None:
            OutboxMessage.objects.filter(pk=refused.pk).update(
                attempts=F("attempts") + 1, last_error=error
            )
    return len(published)


def outbox_relay() -> int:
    """Publish everything still pending, a batch at a time, and forget messages published
    more than ``PORTAL_OUTBOX_KEEP_DAYS`` ago. Returns how many were published."""
    total = 0
    while True:
        published = outbox_publish()
        total += published
        if published < RELAY_BATCH:
            break
    cutoff = timezone.now() - datetime.timedelta(days=settings.PORTAL_OUTBOX_KEEP_DAYS)
    OutboxMessage.objects.filter(published_at__lt=cutoff).delete()
    return total
