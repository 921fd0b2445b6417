from celery import shared_task
from django.db import OperationalError

from outcomes.services import disclosure as services
from outcomes.services import reminders
from partnerships.stored_files import STORAGE_ERRORS


@shared_task(
    bind=True,
    autoretry_for=(*STORAGE_ERRORS, OperationalError),
    retry_backoff=True,
    max_retries=3,
    # Well inside the broker's visibility timeout and the stale sweep: a render still going
    # after this is stopped, so a redelivered task is never one whose worker is alive.
    soft_time_limit=9 * 60,
    time_limit=10 * 60,
)
def disclosure_render_task(self, document_id: int) -> str:
    """Render one disclosure document; a failure is recorded on it, and a transient one
    (storage, database connection) is retried. Delivered again because the worker running
    it died (late acknowledgement), it takes over the document left "running"."""
    takeover = bool((self.request.delivery_info or {}).get("redelivered"))
    return services.disclosure_render(document_id=document_id, takeover=takeover).status


@shared_task
def disclosure_sweep_stale_task() -> int:
    return services.disclosure_sweep_stale()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def outcome_reminders_send_task() -> dict[str, int]:
    """The daily sweep of outcome reminders. Running it again (a retry, a second worker, the
    next day) sends nothing twice: each reminder is keyed on the date it is about."""
    return reminders.outcome_reminders_send()
