"""The portal on several machines: two web nodes behind haproxy and two Celery workers share
one PostgreSQL, one Redis and one object store (azurite, through the azure storage backend).
What one node or worker did, the other sees: sessions, uploaded documents, disclosure PDFs;
and the reminder sweep, run on both workers at the same moment, sends each reminder once."""

import json
import os
import subprocess
import sys
import tarfile
import time

import pytest
import requests
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password
from storages.backends.azure_storage import AzureStorage

from accounts.models import User
from governance.models import Notification
from governance.tasks import reminders_send_task
from outcomes.models import DisclosureDocument
from partnerships.models import DocumentVersion, Project
from portal.management.commands.restore import media_archive_restore
from tests.factories import PASSWORD
from tests.governance.test_reminders import submit, wait
from tests.nodes.conftest import sha256, until

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
S = DisclosureDocument.Status


def sign_in(base: str, user: User) -> requests.Session:
    """Sign in through the real form on ``base``; the nodes hash passwords as in production."""
    User.objects.filter(pk=user.pk).update(
        password=make_password(PASSWORD, hasher=PBKDF2PasswordHasher())
    )
    session = requests.Session()
    session.get(f"{base}/accounts/login/", timeout=30).raise_for_status()
    response = session.post(
        f"{base}/accounts/login/",
        data={
            "login": user.email,
            "password": PASSWORD,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302, response.text[-2000:]
    assert "sessionid" in session.cookies
    return session


def on(base: str, session: requests.Session) -> requests.Session:
    """A new client for ``base`` that carries only ``session``'s cookies."""
    other = requests.Session()
    other.cookies.update(session.cookies)
    return other


def served(process, marker: str) -> int:
    return process.log_path.read_text(errors="replace").count(marker)


def check_a_session_made_on_one_node_works_on_the_other_and_behind_the_proxy(
    cluster, ready_proposal, partnership_lead
):
    node_a, node_b = cluster.nodes
    project_url = f"/projects/{ready_proposal.pk}/"
    anonymous = requests.get(node_b + project_url, allow_redirects=False, timeout=30)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous.headers["Location"]

    session = sign_in(node_a, partnership_lead)
    page = on(node_b, session).get(node_b + project_url, allow_redirects=False, timeout=30)
    assert page.status_code == 200
    assert ready_proposal.title in page.text

    # Behind haproxy, the requests go to both nodes in turn, and every one is signed in.
    proxied = sign_in(cluster.proxy, partnership_lead)
    for i in range(6):
        response = proxied.get(f"{cluster.proxy}{project_url}?probe={i}", timeout=30)
        assert response.status_code == 200 and ready_proposal.title in response.text
    node_a_log, node_b_log = cluster.node_processes
    assert served(node_a_log, "?probe=") >= 2 and served(node_b_log, "?probe=") >= 2


def check_a_document_uploaded_through_one_node_downloads_through_the_other(
    cluster, ready_proposal, partnership_lead
):
    node_a, node_b = cluster.nodes
    # Larger than what the storage keeps in memory (2 MB): it goes through a file on disk.
    data = b"%PDF-1.7\n" + os.urandom(3 * 1024 * 1024) + b"\n%%EOF\n"
    session = sign_in(node_a, partnership_lead)
    response = session.post(
        f"{node_a}/projects/{ready_proposal.pk}/documents/upload/",
        data={
            "kind": "agreement",
            "title": "Signed agreement",
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        files={"file": ("agreement.pdf", data, "application/pdf")},
        allow_redirects=False,
        timeout=60,
    )
    assert response.status_code == 302, response.text[-2000:]
    version = DocumentVersion.objects.get(document__project=ready_proposal)
    assert version.sha256 == sha256(data) and version.size == len(data)
    assert version.file.name in cluster.blob_names()

    url = f"/projects/{ready_proposal.pk}/documents/versions/{version.pk}/download/"
    download = on(node_b, session).get(node_b + url, timeout=60)
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert sha256(download.content) == sha256(data)
    # Still behind the permission check on every node: signed out, no file.
    for node in cluster.nodes:
        refused = requests.get(node + url, allow_redirects=False, timeout=30)
        assert refused.status_code == 302 and "/accounts/login/" in refused.headers["Location"]
    assert not cluster.local_media.exists()  # nothing went to a node's own disk


def check_a_disclosure_pdf_made_by_either_worker_downloads_from_both_nodes(
    cluster, ready_proposal, partnership_lead
):
    node_a, node_b = cluster.nodes
    request_url = f"/projects/{ready_proposal.pk}/disclosure/request/"
    first = sign_in(node_a, partnership_lead)
    second = on(node_b, first)
    pids = {worker.process.pid for worker in cluster.workers}

    def rendering() -> set[int]:
        return {int(p.name.split("-")[1]) for p in cluster.barriers.glob("render-[0-9]*")}

    response = first.post(
        node_a + request_url,
        data={"csrfmiddlewaretoken": first.cookies["csrftoken"]},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302, response.text[-2000:]
    until(lambda: len(rendering()) == 1, "the first render", logs=cluster.logs())
    # The data changed, so the second request is a new document, for the other worker.
    Project.objects.filter(pk=ready_proposal.pk).update(title="Renal pathway, revised")
    response = second.post(
        node_b + request_url,
        data={"csrfmiddlewaretoken": second.cookies["csrftoken"]},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302, response.text[-2000:]
    until(lambda: rendering() == pids, "both workers rendering", logs=cluster.logs())
    (cluster.barriers / "render-go").write_text("go")

    documents = DisclosureDocument.objects.filter(project=ready_proposal)
    until(
        lambda: [d.status for d in documents.all()] == [S.READY, S.READY],
        "both PDFs ready",
        logs=cluster.logs(),
    )
    documents = list(documents)
    names = cluster.blob_names()
    for document in documents:
        assert document.file.name in names
        for node, client in ((node_a, first), (node_b, second)):
            download = client.get(f"{node}/disclosure/documents/{document.pk}/download/")
            assert download.status_code == 200
            assert download.content.startswith(b"%PDF-")
            assert sha256(download.content) == document.sha256
            assert len(download.content) == document.size
    assert not cluster.local_media.exists()


def check_a_backup_reads_the_object_store_and_restores_into_another(cluster, tmp_path):
    """manage.py backup on a node's settings takes every stored file from azurite; restoring
    the archive into a second container gives the same files."""
    stored = {v.file.name: v.sha256 for v in DocumentVersion.objects.all()}
    stored |= {d.file.name: d.sha256 for d in DisclosureDocument.objects.all()}
    result = subprocess.run(
        [sys.executable, "manage.py", "backup", "--output", str(tmp_path / "backup")],
        env=cluster.env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["stored_files"] == len(stored) == 3
    with tarfile.open(tmp_path / "backup" / "media.tar.gz") as archive:
        archived = {
            m.name.removeprefix("media/"): sha256(archive.extractfile(m).read())
            for m in archive.getmembers()
        }
    assert archived == stored

    restored = AzureStorage(
        connection_string=cluster.connection_string, azure_container="portal-restored"
    )
    restored.service_client.create_container("portal-restored")
    assert media_archive_restore(tmp_path / "backup" / "media.tar.gz", restored) == 3
    for name, digest in stored.items():
        with restored.open(name, "rb") as handle:
            assert sha256(handle.read()) == digest


def check_the_reminder_sweep_on_both_workers_at_once_sends_each_reminder_once(
    cluster, ready_proposal, partnership_lead
):
    # Submitted, nobody declared: 8 review reminders, 4 escalations, 5 reminders to declare
    # for the project and 2 of the annual declaration (as in tests/faults).
    wait(submit(Project.objects.get(pk=ready_proposal.pk), partnership_lead), 10)
    for worker in cluster.workers:  # only this test's emails count
        for path in worker.mail_dir.iterdir():
            path.unlink()
    pids = {worker.process.pid for worker in cluster.workers}

    def sweeping() -> set[int]:
        return {int(p.name.split("-")[1]) for p in cluster.barriers.glob("sweep-[0-9]*")}

    reminders_send_task.apply_async(queue=cluster.queue)
    reminders_send_task.apply_async(queue=cluster.queue)
    until(lambda: sweeping() == pids, "both workers sweeping", logs=cluster.logs())
    (cluster.barriers / "sweep-go").write_text("go")

    wanted = Notification.objects.filter(emailed_at__isnull=True)
    until(
        lambda: (
            Notification.objects.count() == 19
            and not wanted.exists()
            and len(cluster.emails()) >= 19
        ),
        "the reminders sent",
        logs=cluster.logs(),
    )
    time.sleep(3)  # a duplicate would show by now
    emails = cluster.emails()
    assert len(emails) == 19
    assert len({(m["To"], m["Subject"]) for m in emails}) == 19
    assert Notification.objects.count() == 19


def test_two_web_nodes_and_two_workers_share_sessions_files_and_the_work(
    cluster,
    ready_proposal,
    partnership_lead,
    deputy,
    industry_member,
    panel_member,
    panel_chair,
    tmp_path,
):
    """One test, one set of data: the nodes' processes keep what Django caches per process
    (content types, which a flush between tests would renumber), as a real deployment does."""
    check_a_session_made_on_one_node_works_on_the_other_and_behind_the_proxy(
        cluster, ready_proposal, partnership_lead
    )
    check_a_document_uploaded_through_one_node_downloads_through_the_other(
        cluster, ready_proposal, partnership_lead
    )
    check_a_disclosure_pdf_made_by_either_worker_downloads_from_both_nodes(
        cluster, ready_proposal, partnership_lead
    )
    check_a_backup_reads_the_object_store_and_restores_into_another(cluster, tmp_path)
    check_the_reminder_sweep_on_both_workers_at_once_sends_each_reminder_once(
        cluster, ready_proposal, partnership_lead
    )
