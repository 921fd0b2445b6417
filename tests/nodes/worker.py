"""A real Celery worker for the two-node test, run as its own process (``python -m
tests.nodes.worker``), two at once.

Each waits at a barrier before rendering a disclosure PDF and before the reminder sweep
writes its notifications: it writes ``<NODES_BARRIER_DIR>/<point>-<pid>`` and goes on once
the test writes ``<point>-go`` (after seeing both workers there), so the two workers are
known to be in the same step at the same time. Emails go to files in FAULT_MAIL_DIR.
"""

import os
import time
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
django.setup()

from django.conf import settings  # noqa: E402

from governance.services import reminders  # noqa: E402
from outcomes.services import disclosure  # noqa: E402
from portal.celery import app  # noqa: E402

settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
settings.EMAIL_FILE_PATH = os.environ["FAULT_MAIL_DIR"]
barriers = Path(os.environ["NODES_BARRIER_DIR"])


def barrier(point: str, timeout: float = 60) -> None:
    (barriers / f"{point}-{os.getpid()}").write_text(point)
    deadline = time.monotonic() + timeout
    while not (barriers / f"{point}-go").exists() and time.monotonic() < deadline:
        time.sleep(0.05)


def waits_at(point: str, function):
    def wrapped(*args, **kwargs):
        barrier(point)
        return function(*args, **kwargs)

    return wrapped


disclosure.render_pdf = waits_at("render", disclosure.render_pdf)
reminders.notifications_create = waits_at("sweep", reminders.notifications_create)

app.worker_main(
    [
        "worker",
        "--pool=solo",
        "--loglevel=INFO",
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
        f"--hostname=node{os.getpid()}@%h",
    ]
)
