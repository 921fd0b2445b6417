"""Fault tests: real servers of their own, stopped and started again from the tests."""

import email
import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection

from portal.celery import app
from tests.faults.services import ThrowawayRedis


def point_celery_at(url: str) -> None:
    """Publish to ``url`` from now on (a new connection pool; the old one is left as is)."""
    app.conf.broker_url = url
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None


@pytest.fixture
def redis_server(tmp_path_factory, settings):
    """A throwaway Redis that the Celery app publishes to for the test."""
    server = ThrowawayRedis(tmp_path_factory.mktemp("redis"))
    server.start()
    previous = app.conf.broker_url
    point_celery_at(server.url)
    settings.CELERY_BROKER_URL = server.url
    try:
        yield server
    finally:
        server.stop()
        point_celery_at(previous)


class WorkerProcess:
    """``python -m tests.faults.worker`` against the test database and a throwaway Redis."""

    def __init__(self, *, redis_url: str, directory, database: dict):
        self.directory = directory
        self.mail_dir = directory / "mail"
        self.mail_dir.mkdir(exist_ok=True)
        self.marker = directory / "marker"
        db = database
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "REDIS_URL": redis_url,
            "CELERY_VISIBILITY_TIMEOUT": "2",
            "PORTAL_MEDIA_ROOT": str(directory / "media"),
            "FAULT_MAIL_DIR": str(self.mail_dir),
            "FAULT_MARKER": str(self.marker),
        }
        self.process: subprocess.Popen | None = None
        self.started = 0

    def start(self, pause: str = "") -> None:
        self.started += 1
        self.marker.unlink(missing_ok=True)
        log = open(self.directory / f"worker-{self.started}.log", "wb")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.faults.worker"],
            env={**self.env, "FAULT_PAUSE": pause},
            cwd=settings.BASE_DIR,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_for_marker(self, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.marker.exists():
                return self.marker.read_text()
            assert self.process.poll() is None, self.log()
            time.sleep(0.1)
        raise AssertionError(f"The worker did not get there in {timeout} s:\n{self.log()}")

    def kill(self) -> None:
        """SIGKILL: no clean shutdown, no acknowledgement, nothing handed back."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def log(self) -> str:
        return (self.directory / f"worker-{self.started}.log").read_text(errors="replace")[-4000:]

    def emails(self) -> list[email.message.Message]:
        messages = []
        for path in sorted(self.mail_dir.iterdir()):
            for part in path.read_text().split("-" * 79 + "\n"):
                if part.strip():
                    messages.append(email.message_from_string(part))
        return messages


@pytest.fixture
def worker_process(redis_server, tmp_path_factory, settings):
    worker = WorkerProcess(
        redis_url=redis_server.url,
        directory=tmp_path_factory.mktemp("worker"),
        database=connection.settings_dict,
    )
    try:
        yield worker
    finally:
        worker.stop()
