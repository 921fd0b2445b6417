"""PostgreSQL stopped and started under a running portal (gunicorn, a process of its own)
on a throwaway cluster: during the outage pages answer a 503 page, the API a JSON 503 and
/healthz names the database, never a 500; afterwards the same server process recovers by
itself, with connections kept between requests (CONN_MAX_AGE) checked before reuse."""

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from django.conf import settings

from tests.faults.services import ThrowawayPostgres, _answers, _wait, free_port, postgres_bin

pytestmark = pytest.mark.slow


def get(url: str) -> tuple[int, str, dict]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


@pytest.fixture
def portal_on_throwaway_postgres(tmp_path):
    if postgres_bin() is None:
        pytest.skip("PostgreSQL's server programs (initdb, pg_ctl) are not installed")
    database = ThrowawayPostgres()
    try:
        database.init()
    except subprocess.CalledProcessError as error:
        database.cleanup()
        pytest.skip(f"initdb could not make a throwaway cluster: {error.stderr}")
    database.start()
    subprocess.run(
        [str(database.bin / "createdb"), "-h", "127.0.0.1", "-p", str(database.port),
         "-U", "postgres", "portal"],
        check=True, capture_output=True,
    )  # fmt: skip
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database.url("portal"),
        "DATABASE_CONN_MAX_AGE": "600",
        "DATABASE_CONNECT_TIMEOUT": "3",
        "REDIS_URL": settings.CELERY_BROKER_URL,
        "DJANGO_DEBUG": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"],
        env=env, cwd=settings.BASE_DIR, check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    log = open(tmp_path / "gunicorn.log", "wb")  # noqa: SIM115
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "portal.wsgi:application", "--bind",
         f"127.0.0.1:{port}", "--workers", "1", "--timeout", "60"],
        env=env, cwd=settings.BASE_DIR, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    try:
        _wait(lambda: _answers(port), "gunicorn")
        yield database, f"http://127.0.0.1:{port}", server
    finally:
        server.terminate()
        server.wait(timeout=20)
        database.cleanup()


def test_requests_fail_cleanly_while_postgres_is_down_and_recover_without_a_restart(
    portal_on_throwaway_postgres,
):
    database, base, server = portal_on_throwaway_postgres
    status, body, _ = get(base + "/register/")
    assert status == 200, body
    assert get(base + "/healthz")[0] == 200

    # Restarted while nobody was asking: the kept connection is dead, the next request
    # must notice and connect again (CONN_HEALTH_CHECKS), not fail.
    database.stop()
    database.start()
    status, body, _ = get(base + "/register/")
    assert status == 200, body

    database.stop()
    started = time.monotonic()
    status, body, headers = get(base + "/register/")
    assert status == 503
    assert "Sorry, the service is unavailable" in body
    assert "Traceback" not in body and "OperationalError" not in body
    assert headers["Retry-After"] == "60"
    assert time.monotonic() - started < 10
    status, body, _ = get(base + "/api/v1/register/")
    assert status == 503
    assert '"code":"service_unavailable"' in body.replace(" ", "")
    status, body, _ = get(base + "/healthz")
    assert status == 503
    assert '"failing": ["database"]' in body
    assert get(base + "/accounts/login/")[0] in (200, 503)  # never a 500

    database.start()
    status, body, _ = get(base + "/register/")
    assert status == 200, body
    assert get(base + "/healthz")[0] == 200
    assert server.poll() is None  # the same server process throughout
