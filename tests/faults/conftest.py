"""Fault tests: real servers of their own, stopped and started again from the tests."""

import pytest
from django.db import connection

from portal.celery import app
from tests.faults.services import ThrowawayRedis, WorkerProcess


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
