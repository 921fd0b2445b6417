"""Throwaway Redis and PostgreSQL servers that fault tests start, stop and start again, and
real Celery worker processes on the test database (the fault tests' and the two-node test's).

The throwaway servers never touch the shared ones on 5432 and 6379: each runs on a free
port with its data in a temporary directory, and is stopped when the test ends.
"""

import email
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from glob import glob
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(predicate, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise TimeoutError(f"{what} did not answer within {timeout} seconds")


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class ThrowawayRedis:
    """redis-server on a free port, nothing saved to disk."""

    def __init__(self, directory: Path):
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port", str(self.port),
                "--bind", "127.0.0.1",
                "--save", "",
                "--appendonly", "no",
                "--dir", str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        _wait(lambda: _answers(self.port), "Redis")

    def pause(self) -> None:
        """SIGSTOP: connections are still accepted (by the kernel), nothing is answered; as a
        hung server, or one behind a network that dropped, looks to a client."""
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None
        _wait(lambda: not _answers(self.port), "Redis stopping")


def postgres_bin() -> Path | None:
    found = sorted(glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


class ThrowawayPostgres:
    """A PostgreSQL cluster of its own (initdb, pg_ctl) on a free port, trust
    authentication on 127.0.0.1, in a directory of its own under the system's temporary
    directory (removed by ``cleanup``). As root, the cluster runs as the postgres user
    (initdb refuses root), which must be able to reach that directory."""

    def __init__(self):
        self.bin = postgres_bin()
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="portal-fault-pg-"))
        self.data = self.directory / "data"
        self.run_as: str | None = None
        if os.geteuid() == 0:
            self.run_as = "postgres"
            pwd.getpwnam(self.run_as)  # KeyError: no such user
            shutil.chown(self.directory, user=self.run_as)

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.run_as:
            command = ["runuser", "-u", self.run_as, "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True, timeout=120)

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8")

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.directory} -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.directory / "log"),
                  "-w", "start")  # fmt: skip
        _wait(lambda: _answers(self.port), "PostgreSQL")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop", check=False)


class WorkerProcess:
    """``python -m tests.faults.worker`` (or ``module``) against the test database and a
    Redis (a throwaway one in the fault tests), with ``env`` added to its environment."""

    def __init__(
        self,
        *,
        redis_url: str,
        directory,
        database: dict,
        module: str = "tests.faults.worker",
        env: dict | None = None,
    ):
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
            **(env or {}),
        }
        self.module = module
        self.process: subprocess.Popen | None = None
        self.started = 0

    def start(self, pause: str = "") -> None:
        self.started += 1
        self.marker.unlink(missing_ok=True)
        log = open(self.directory / f"worker-{self.started}.log", "wb")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", self.module],
            env={**self.env, "FAULT_PAUSE": pause},
            cwd=BASE_DIR,
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
