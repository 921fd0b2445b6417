from celery import shared_task
from django.contrib.sessions.models import Session
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from accounts import services

# SMTP failing (OSError) or the database unavailable for a while (a restart, a failover):
# tried ten more times, waiting up to 1, 2, 4... 512 seconds between (about 17 minutes).
RETRY_ON = (OSError, OperationalError, InterfaceError)


@shared_task(autoretry_for=RETRY_ON, retry_backoff=True, max_retries=10)
def invitation_send_task(invitation_id: int) -> bool:
    return services.invitation_send(invitation_id=invitation_id)


@shared_task
def sessions_clear_expired_task() -> int:
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
