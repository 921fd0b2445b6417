from celery import shared_task
from django.db import InterfaceError, OperationalError

from governance.services import notifications, reminders


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def reminders_send_task() -> dict[str, int]:
    """The daily sweep. Running it again (a retry, a second worker) sends nothing twice."""
    return reminders.reminders_send()


# SMTP failing (OSError) or the database unavailable for a while (a restart, a failover):
# tried ten more times, waiting up to 1, 2, 4... 512 seconds between (about 17 minutes).
EMAIL_RETRY_ON = (OSError, OperationalError, InterfaceError)


@shared_task(autoretry_for=EMAIL_RETRY_ON, retry_backoff=True, max_retries=10)
def notification_email_send_task(notification_id: int) -> bool:
    return notifications.notification_email_send(notification_id=notification_id)


@shared_task(autoretry_for=EMAIL_RETRY_ON, retry_backoff=True, max_retries=10)
def notification_emails_send_task(notification_ids: list[int]) -> int:
    """A batch of the sweep's emails. Each is claimed on its own before sending, so a retry
    after a failed send sends only those not yet sent. Returns how many were sent."""
    return sum(notifications.notification_email_send(notification_id=pk) for pk in notification_ids)
