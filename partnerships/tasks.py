from celery import shared_task
from django.db import OperationalError

from partnerships.services import projects


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def projects_advance_task() -> dict[str, int]:
    """The daily sweep: start projects whose day has come, complete those whose end date
    has passed. Running it again (a retry, a second worker) moves nothing twice."""
    return projects.projects_advance()
