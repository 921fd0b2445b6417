from celery import shared_task
from django.db import OperationalError

from governance.services import reminders


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def reminders_send_task() -> dict[str, int]:
    """The daily sweep. Running it again (a retry, a second worker) sends nothing twice."""
    return reminders.reminders_send()


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notification_email_send_task(notification_id: int) -> bool:
    return reminders.notification_email_send(notification_id=notification_id)
