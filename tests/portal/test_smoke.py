"""Start the portal as `make run` does, fetch two pages, stop it with Ctrl-C."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children_of(pid):
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def fetch(url):
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback only
        return response.status, response.read().decode()


@pytest.mark.slow
def test_make_run_starts_web_worker_and_beat_and_ctrl_c_stops_them(tmp_path):
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "CACHE_URL")
    }
    env.update(
        DJANGO_DEBUG="1",
        PORTAL_DEMO="1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'portal.sqlite3'}",
        CELERY_BROKER_FOLDER=str(tmp_path / "broker"),
        PORT=str(port),
        PYTHONUNBUFFERED="1",
    )
    log = open(tmp_path / "run.log", "w+")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runportal"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            try:
                status, _ = fetch(base + "/healthz")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    pytest.fail("the portal did not start:\n" + log.read())
                time.sleep(0.5)
        assert status == 200
        status, home = fetch(base + "/")
        assert status == 200 and "Partnership portal" in home
        status, login = fetch(base + "/accounts/login/")
        assert status == 200 and "Sign in" in login
        children = children_of(process.pid)
        assert len(children) == 3, children  # web, worker, beat
        log.seek(0)
        output = log.read()
        assert "admin@portal.example" in output and "Partnership-demo-2026" in output
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    assert process.returncode == 0
    for pid in children:
        assert (
            not Path(f"/proc/{pid}").exists()
            or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]
        )
