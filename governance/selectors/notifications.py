"""The signed-in user's own notifications and email settings."""

from django.db.models import QuerySet

from governance.models import EmailOptOut, Notification


def notifications_for(*, user) -> QuerySet[Notification]:
    """The user's notifications, newest first (nobody sees anyone else's)."""
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")


def unread_count(*, user) -> int:
    return notifications_for(user=user).filter(read_at__isnull=True).count()


def email_opt_outs_for(*, user) -> set[str]:
    return set(EmailOptOut.objects.filter(user=user).values_list("kind", flat=True))
