"""A disclosure PDF made through the filesystem broker by a real Celery worker, a process of
its own on the same SQLite file, as `make run` starts it."""

import hashlib
import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from outbox.models import OutboxMessage
from outcomes.models import DisclosureDocument
from partnerships.models import Project
from tests.sqlite.conftest import seed_demo, sign_in

pytestmark = [pytest.mark.sqlite, pytest.mark.django_db(transaction=True)]

S = DisclosureDocument.Status
WORKER = [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo"]


@pytest.fixture
def worker(tmp_path):
    """`celery worker` as runportal starts it, on this test's database and broker folder."""
    log_path = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{connection.settings_dict['NAME']}",
        "REDIS_URL": "",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_BROKER_FOLDER": str(settings.CELERY_BROKER_FOLDER),
        "PORTAL_MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [*WORKER, "--loglevel=INFO", "--without-gossip", "--without-mingle"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    process.log = lambda: log_path.read_text(errors="replace")[-4000:]
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def test_an_auditor_gets_a_disclosure_pdf_made_by_the_worker(client, worker):
    seed_demo()
    project = Project.objects.get(reference="CW-2026-0001")
    sign_in(client, "auditor@audit.example")
    before = set(DisclosureDocument.objects.values_list("pk", flat=True))

    response = client.post(reverse("outcomes:disclosure-project-request", args=[project.pk]))

    assert response.status_code == 302
    document = DisclosureDocument.objects.exclude(pk__in=before).get(project=project)
    # Published to the filesystem broker after the request's commit, not left for the relay.
    task = OutboxMessage.objects.get(
        task="outcomes.tasks.disclosure_render_task", args=[document.pk]
    )
    assert task.published_at is not None, task.last_error
    deadline = time.monotonic() + 90
    while document.status != S.READY and time.monotonic() < deadline:
        assert worker.poll() is None, worker.log()
        assert document.status != S.FAILED, document.error
        time.sleep(0.5)
        document.refresh_from_db()
    assert document.status == S.READY, worker.log()

    download = client.get(reverse("outcomes:disclosure-download", args=[document.pk]))

    assert download.status_code == 200
    body = b"".join(download.streaming_content)
    assert body.startswith(b"%PDF")
    assert hashlib.sha256(body).hexdigest() == document.sha256
    status = client.get(reverse("outcomes:disclosure-project-status", args=[project.pk]))
    assert status.status_code == 200
