"""A real Celery worker for the fault tests, run as its own process (``python -m
tests.faults.worker``) so that a test can SIGKILL it.

FAULT_PAUSE=render makes it wait in the middle of rendering a disclosure PDF (the document
claimed, "running"); FAULT_PAUSE=sweep makes the reminder sweep wait inside its second
batch, after the first has committed. Either writes FAULT_MARKER when it gets there, so the
test knows when to kill it. Emails go to files in FAULT_MAIL_DIR. The broker hands an
unacknowledged task back after CELERY_VISIBILITY_TIMEOUT seconds, looked for every second.
"""

import os
import time
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
django.setup()

from django.conf import settings  # noqa: E402

from portal.celery import app  # noqa: E402

settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
settings.EMAIL_FILE_PATH = os.environ["FAULT_MAIL_DIR"]
app.conf.broker_transport_options.update(unacked_restore_interval=1, unacked_restore_throttle=1)

pause = os.environ.get("FAULT_PAUSE", "")
marker = Path(os.environ.get("FAULT_MARKER", "/nonexistent"))


def _wait_here(what: str) -> None:
    marker.write_text(what)
    time.sleep(300)  # until the test kills the worker


if pause == "render":
    from outcomes.services import disclosure as services

    render = services.render_pdf

    def render_slowly(*args, **kwargs):
        _wait_here("rendering")
        return render(*args, **kwargs)

    services.render_pdf = render_slowly
elif pause == "sweep":
    from governance.services import notifications

    notifications.INSERT_BATCH = 5
    enqueue = notifications.outbox_enqueue
    batches = []

    def enqueue_then_wait(**kwargs):
        message = enqueue(**kwargs)
        batches.append(kwargs)
        if len(batches) == 2:  # inside the second batch's transaction
            _wait_here("second batch, first committed")
        return message

    notifications.outbox_enqueue = enqueue_then_wait

app.worker_main(
    [
        "worker",
        "--pool=solo",
        "--loglevel=INFO",
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
        f"--hostname=fault{os.getpid()}@%h",
    ]
)
