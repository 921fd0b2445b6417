"""One document made by a real Celery worker, through the broker, after commit."""

import time

import pytest
from celery.contrib.testing.worker import start_worker

from outcomes.models import DisclosureDocument
from outcomes.services import disclosure as services
from portal.celery import app


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_worker_renders_the_queued_document(approved, partnership_lead):
    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=30):
        document = services.disclosure_request(
            kind=DisclosureDocument.Kind.PROJECT, project=approved, actor=partnership_lead
        )
        for _ in range(150):
            document.refresh_from_db()
            if not document.is_pending:
                break
            time.sleep(0.2)
    assert document.status == DisclosureDocument.Status.READY, document.error
    assert document.sha256 and document.size
