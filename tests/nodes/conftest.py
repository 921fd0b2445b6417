"""Two web nodes behind haproxy and two Celery workers, on the suite's PostgreSQL (its test
database) and Redis, with stored files in azurite (Microsoft's Azure Storage emulator) through
the azure storage backend: the portal as it runs on several machines, on loopback."""

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
import redis
import requests
from azure.storage.blob import BlobServiceClient
from django.conf import settings
from django.db import connection

from tests.faults.services import WorkerProcess, free_port

BASE_DIR = Path(settings.BASE_DIR)
AZURITE = BASE_DIR / "node_modules" / ".bin" / "azurite-blob"
HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"
# Azurite's well-known development account (published by Microsoft; not a secret).
AZURITE_ACCOUNT = "devstoreaccount1"
AZURITE_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)
CONTAINER = "portal-media"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def until(predicate, what: str, timeout: float = 60, logs=()):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"{what}: not within {timeout} s\n" + "\n".join(log() for log in logs))


def answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2, allow_redirects=False).status_code == 200
    except requests.RequestException:
        return False


class Process:
    """A server process in a session of its own, its output in a log file."""

    def __init__(self, name: str, command: list[str], *, env: dict, directory: Path):
        self.name = name
        self.log_path = directory / f"{name}.log"
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command,
                env=env,
                cwd=BASE_DIR,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def log(self) -> str:
        text = self.log_path.read_text(errors="replace")[-3000:]
        return f"--- {self.name} (exit {self.process.poll()}) ---\n{text}"

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


class Cluster:
    def __init__(self, directory: Path, database: dict):
        self.directory = directory
        self.barriers = directory / "barriers"
        self.barriers.mkdir()
        self.processes: list[Process] = []
        self.workers: list[WorkerProcess] = []
        self.queue = f"portal-nodes-{uuid.uuid4().hex[:12]}"
        self.local_media = directory / "local-media"
        blob_port, self.proxy_port = free_port(), free_port()
        self.connection_string = (
            f"DefaultEndpointsProtocol=http;AccountName={AZURITE_ACCOUNT};"
            f"AccountKey={AZURITE_KEY};"
            f"BlobEndpoint=http://127.0.0.1:{blob_port}/{AZURITE_ACCOUNT};"
        )
        self.blob_port = blob_port
        db = database
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "REDIS_URL": settings.CELERY_BROKER_URL,
            "CACHE_URL": settings.CELERY_BROKER_URL,
            "CELERY_QUEUE": self.queue,
            "PORTAL_STORAGE": "azure",
            "PORTAL_AZURE_CONTAINER": CONTAINER,
            "PORTAL_AZURE_CONNECTION_STRING": self.connection_string,
            # Nothing may land on a node's own disk: this folder must never appear.
            "PORTAL_MEDIA_ROOT": str(self.local_media),
            "DJANGO_DEBUG": "0",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_SECURE_COOKIES": "0",
            "PORTAL_SITE_URL": f"http://127.0.0.1:{self.proxy_port}",
            "NODES_BARRIER_DIR": str(self.barriers),
        }
        self.nodes: list[str] = []
        self.node_processes: list[Process] = []

    @property
    def proxy(self) -> str:
        return f"http://127.0.0.1:{self.proxy_port}"

    def logs(self):
        return [p.log for p in self.processes] + [w.log for w in self.workers]

    def blob_names(self) -> set[str]:
        client = BlobServiceClient.from_connection_string(self.connection_string)
        return {b.name for b in client.get_container_client(CONTAINER).list_blobs()}

    def start(self, database: dict) -> None:
        self._start_azurite()
        prepared = subprocess.run(
            [sys.executable, "manage.py", "storage_prepare"],
            env=self.env, cwd=BASE_DIR, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert prepared.returncode == 0, prepared.stderr
        assert f"Created the private container {CONTAINER}" in prepared.stdout
        for name in ("node-a", "node-b"):
            port = free_port()
            process = Process(
                name,
                [sys.executable, "-m", "gunicorn", "portal.wsgi:application",
                 "--bind", f"127.0.0.1:{port}", "--workers", "2", "--timeout", "60",
                 "--access-logfile", "-"],
                env=self.env, directory=self.directory,
            )  # fmt: skip
            self.processes.append(process)
            self.node_processes.append(process)
            self.nodes.append(f"http://127.0.0.1:{port}")
        self._start_haproxy()
        for name in ("worker-a", "worker-b"):
            directory = self.directory / name
            directory.mkdir()
            worker = WorkerProcess(
                redis_url=settings.CELERY_BROKER_URL,
                directory=directory,
                database=database,
                module="tests.nodes.worker",
                env=self.env | {"FAULT_MAIL_DIR": str(directory / "mail")},
            )
            worker.start()
            self.workers.append(worker)
        for node in self.nodes:
            until(lambda node=node: answers(node + "/healthz"), node, logs=self.logs())
        until(lambda: answers(self.proxy + "/healthz"), "haproxy", logs=self.logs())
        for worker in self.workers:
            until(
                lambda worker=worker: "ready." in worker.log(),
                "a Celery worker",
                logs=self.logs(),
            )

    def _start_azurite(self) -> None:
        data = self.directory / "azurite"
        data.mkdir()
        self.processes.append(
            Process(
                "azurite",
                [
                    str(AZURITE),
                    "--blobHost",
                    "127.0.0.1",
                    "--blobPort",
                    str(self.blob_port),
                    "--location",
                    str(data),
                    "--skipApiVersionCheck",
                    "--disableTelemetry",
                    "--loose",
                ],
                env=self.env,
                directory=self.directory,
            )
        )
        until(
            lambda: self.processes[-1].process.poll() is not None or self._blob_answers(),
            "azurite",
            logs=self.logs(),
        )
        assert self.processes[-1].process.poll() is None, self.processes[-1].log()

    def _blob_answers(self) -> bool:
        try:
            requests.get(f"http://127.0.0.1:{self.blob_port}/", timeout=1)
        except requests.RequestException:
            return False
        return True

    def _start_haproxy(self) -> None:
        servers = "\n".join(
            f"    server {chr(97 + i)} {node.removeprefix('http://')} check inter 1s"
            for i, node in enumerate(self.nodes)
        )
        config = self.directory / "haproxy.cfg"
        config.write_text(
            f"""global
    maxconn 200

defaults
    mode http
    option forwardfor
    timeout connect 5s
    timeout client 60s
    timeout server 60s

frontend portal
    bind 127.0.0.1:{self.proxy_port}
    default_backend nodes

backend nodes
    balance roundrobin
    option httpchk
    http-check send meth GET uri /healthz hdr Host 127.0.0.1
{servers}
"""
        )
        self.processes.append(
            Process(
                "haproxy",
                [HAPROXY, "-db", "-f", str(config)],
                env=self.env,
                directory=self.directory,
            )
        )

    def stop(self) -> None:
        for worker in self.workers:
            worker.stop()
        for process in reversed(self.processes):
            process.stop()
        # The queue of its own on the suite's Redis goes too.
        broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
        broker.delete(
            self.queue, f"_kombu.binding.{self.queue}", f"_kombu.binding_permanent.{self.queue}"
        )
        broker.close()

    def emails(self):
        return [m for worker in self.workers for m in worker.emails()]


@pytest.fixture(scope="module")
def cluster(django_db_setup, django_db_blocker):
    for program, package in ((AZURITE, "npm install"), (Path(HAPROXY), "apt-get install haproxy")):
        if not program.exists():
            pytest.fail(f"{program} is missing ({package}; make test installs it)")
    directory = Path(tempfile.mkdtemp(prefix="portal-nodes-"))
    database = dict(connection.settings_dict)
    nodes = Cluster(directory, database)
    try:
        nodes.start(database)
        yield nodes
    finally:
        nodes.stop()
        shutil.rmtree(directory, ignore_errors=True)
