from django.utils.functional import cached_property

from governance.models import Notification


class NotificationBadge:
    """The signed-in user's unread notifications, counted (one query) only when a template
    asks."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def unread(self) -> int:
        if not self.user.is_authenticated:
            return 0
        return Notification.objects.filter(recipient=self.user, read_at__isnull=True).count()


def notifications(request):
    user = getattr(request, "user", None)
    return {"notification_badge": NotificationBadge(user) if user is not None else None}
