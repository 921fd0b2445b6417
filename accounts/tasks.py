from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts import services


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def invitation_send_task(invitation_id: int) -> bool:
    return services.invitation_send(invitation_id=invitation_id)


@shared_task
def sessions_clear_expired_task() -> int:
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
