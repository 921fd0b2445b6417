"""The user's own notifications: marking them read, and which kinds are emailed."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import audit_record
from governance.models import EmailOptOut, Notification

Kind = Notification.Kind


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
