"""Notifications: creating them (one at a time, or a sweep's many in batches) and queueing
their emails, marking them read, and which kinds are emailed.

A notification is created at most once per recipient, kind, subject (a gate's round, a
project, a year) and day: the unique constraint on Notification decides, so two runs or two
workers inserting the same one at once block on the index and the loser inserts nothing.
Nothing here checks before inserting. Emails are queued in the transactional outbox with
the notifications (published after commit): one task per notification, or one per batch of
a sweep's; each email's row is claimed with a conditional update before sending.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.services import email_send
from audit.services import audit_record
from governance.models import Declaration, EmailOptOut, Gate, Notification
from outbox.services import outbox_enqueue, outbox_enqueue_many

Kind = Notification.Kind
INSERT_BATCH = 1000
TITLE_MAX = Notification._meta.get_field("title").max_length


def _one_line(text: str, limit: int = TITLE_MAX) -> str:
    """Titles become email subjects: one line, within the column."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# Creating notifications and queueing their emails ---------------------------------------


def wants_email(user_id: int, kind: str) -> bool:
    """Escalations are always emailed; other kinds unless the user turned them off."""
    if kind not in Notification.OPTIONAL_KINDS:
        return True
    return not EmailOptOut.objects.filter(user_id=user_id, kind=kind).exists()


EMAIL_TASK = "governance.tasks.notification_email_send_task"
EMAILS_TASK = "governance.tasks.notification_emails_send_task"


def _email_queue(notification_ids: list[int]) -> None:
    """Email these notifications from a worker once the transaction commits (through the
    outbox, so a committed reminder is emailed even if Redis was down at the time)."""
    outbox_enqueue_many(task=EMAIL_TASK, args_list=[[pk] for pk in notification_ids])


def _emails_queue(notification_ids: list[int]) -> None:
    """The sweep's emails: one task for the batch (queueing a task for each of thousands of
    emails took most of the sweep), through the outbox as one message."""
    outbox_enqueue(task=EMAILS_TASK, args=[notification_ids])


def notification_create(
    *, recipient: User, kind: str, subject: str, day: datetime.date, title: str, body: str, url: str
) -> Notification | None:
    """Record one notification and queue its email after commit (unless the recipient
    turned that kind off). None if the same one exists for that day: the insert runs in its
    own savepoint, and the unique constraint, not a look beforehand, decides."""
    if kind not in Kind.values:
        raise ValidationError(f"Unknown kind of notification: {kind}")
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=recipient,
                kind=kind,
                subject=subject,
                day=day,
                title=_one_line(title),
                body=body,
                url=url,
            )
    except IntegrityError:
        return None
    if wants_email(recipient.pk, kind):
        _email_queue([notification.pk])
    return notification


@dataclass(frozen=True)
class Draft:
    """A notification a sweep wants to create. ``day`` fixes the day of the once-a-day
    constraint for a reminder meant to go once in all (a report's due date); without it,
    the sweep's day is used."""

    recipient_id: int
    kind: str
    subject: str
    title: str
    body: str
    url: str
    day: datetime.date | None = None


def _columns(*names: str) -> str:
    meta = Notification._meta
    return ", ".join(connection.ops.quote_name(meta.get_field(n).column) for n in names)


def notifications_create(
    drafts: Iterable[Draft], *, day: datetime.date, opted_out: set[tuple[int, str]]
) -> list[tuple[int, int, str]]:
    """Insert many notifications for ``day`` (or each draft's own day), a batch per
    statement and transaction, and queue the email of each one inserted. Returns (id,
    recipient id, kind) of those inserted.

    INSERT ... ON CONFLICT DO NOTHING on the once-a-day constraint: a row another run
    inserted first (committed, or still in flight: the insert waits for it) is skipped, and
    RETURNING names only the rows this run inserted, so only those are emailed (one task
    per batch). Rows go in
    the same order in every run, so two runs at once wait on each other instead of
    deadlocking."""
    drafts = sorted(set(drafts), key=lambda d: (d.recipient_id, d.kind, d.subject, d.day or day))
    table = connection.ops.quote_name(Notification._meta.db_table)
    names = ("recipient", "kind", "subject", "day", "title", "body", "url", "created_at")
    conflict = _columns("recipient", "kind", "subject", "day")
    returning = _columns("id", "recipient", "kind")
    created: list[tuple[int, int, str]] = []
    now = timezone.now()
    for start in range(0, len(drafts), INSERT_BATCH):
        batch = drafts[start : start + INSERT_BATCH]
        values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s)"] * len(batch))
        params = []
        for d in batch:
            params += [d.recipient_id, d.kind, d.subject, d.day or day]
            params += [_one_line(d.title), d.body]
            params += [d.url, now]
        # Only quoted names from the model's _meta and placeholders go into the text.
        sql = (
            f"INSERT INTO {table} ({_columns(*names)}) VALUES {values} "  # noqa: S608  # nosec B608
            f"ON CONFLICT ({conflict}) DO NOTHING RETURNING {returning}"
        )
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
            inserted = cursor.fetchall()
            to_email = [
                notification_id
                for notification_id, recipient_id, kind in inserted
                if kind not in Notification.OPTIONAL_KINDS or (recipient_id, kind) not in opted_out
            ]
            if to_email:
                _emails_queue(to_email)
        created += inserted
    return created


# Sending one email ------------------------------------------------------------------------


def _absolute(url: str) -> str:
    return settings.SITE_URL + url


def _email_context(notification: Notification) -> dict:
    context = {
        "notification": notification,
        "recipient": notification.recipient,
        "action_url": _absolute(notification.url),
        "settings_url": _absolute(reverse("governance:notification-settings")),
    }
    if notification.kind == Kind.REVIEW_REMINDER:
        # A reviewer who has not declared is still reminded: the email says to declare first.
        gate_pk = notification.subject.split(":")[1]
        project_id = Gate.objects.filter(pk=gate_pk).values_list("project_id", flat=True).first()
        if (
            project_id is not None
            and not Declaration.objects.filter(
                person=notification.recipient_id, project_id=project_id
            ).exists()
        ):
            context["declare_url"] = _absolute(
                reverse("governance:declaration-project-new", args=[project_id])
            )
    return context


def notification_email_send(*, notification_id: int) -> bool:
    """Email one notification, at most once. Returns whether it was sent.

    The row is claimed with a conditional update (emailed_at still empty: exactly one row)
    before sending, in a transaction that a failed send rolls back, so the retry sends it;
    a second delivery of the task, or a retry after success, finds it claimed."""
    notification = (
        Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    )
    if notification is None or notification.emailed_at is not None:
        return False
    recipient = notification.recipient
    if not (recipient.is_active and recipient.email):
        return False
    if not wants_email(recipient.pk, notification.kind):
        return False  # turned off since the reminder was queued
    with transaction.atomic():
        claimed = Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
        if claimed != 1:
            return False
        email_send(
            template=notification.kind,
            to=[recipient.email],
            context=_email_context(notification),
        )
    return True


# The user's own notifications ------------------------------------------------------


def notification_mark_read(*, user: User, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's unread notifications (all, or those given) as read; returns how many.
    Only the user's own: ids of anyone else's are ignored."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    return unread.update(read_at=timezone.now())


def email_preferences_set(*, user: User, opt_outs: Iterable[str], actor: User) -> set[str]:
    """Which kinds of reminder the user does not want by email (they still appear in the
    portal). Escalations to chairs cannot be turned off. Returns the opt-outs now held."""
    if actor.pk != user.pk:
        raise ValidationError("You can only change your own email settings")
    opt_outs = set(opt_outs)
    if opt_outs & set(Notification.ESCALATION_KINDS):
        raise ValidationError({"opt_outs": "Escalations are always emailed to the chair"})
    unknown = opt_outs - set(Notification.OPTIONAL_KINDS)
    if unknown:
        raise ValidationError({"opt_outs": "Select kinds of reminder from the list"})
    with transaction.atomic():
        before = set(
            EmailOptOut.objects.select_for_update().filter(user=user).values_list("kind", flat=True)
        )
        if before == opt_outs:
            return before
        EmailOptOut.objects.filter(user=user).exclude(kind__in=opt_outs).delete()
        EmailOptOut.objects.bulk_create(
            [EmailOptOut(user=user, kind=kind) for kind in sorted(opt_outs - before)],
            ignore_conflicts=True,
        )
        audit_record(
            actor=actor,
            action="notification.email_preferences",
            obj=user,
            before={"not_emailed": sorted(before)},
            after={"not_emailed": sorted(opt_outs)},
        )
    return opt_outs
