from celery import shared_task

from outbox import services


@shared_task
def outbox_relay_task() -> int:
    """Publish the tasks whose publishing after commit failed (the broker was down)."""
    return services.outbox_relay()
