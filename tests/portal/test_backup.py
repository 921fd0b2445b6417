"""make backup and make restore: a restore into a fresh database finds every project,
event and document, and the audit chain still verifies."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

from audit.models import AuditEvent
from partnerships.models import DocumentVersion, Project, ProjectEvent
from partnerships.services.documents import document_upload
from partnerships.services.projects import project_transition

ROOT = Path(__file__).resolve().parents[2]
COUNT_SCRIPT = (
    "import json; from partnerships.models import Project, ProjectEvent, DocumentVersion; "
    "from audit.models import AuditEvent; "
    "print(json.dumps({'projects': Project.objects.count(), "
    "'events': ProjectEvent.objects.count(), 'audit': AuditEvent.objects.count(), "
    "'documents': DocumentVersion.objects.count(), "
    "'reference': Project.objects.get(pk=PK).reference}))"
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def run_manage(*args, database, media_root):
    env = {**os.environ, "PORTAL_MEDIA_ROOT": str(media_root)}
    db = settings.DATABASES["default"]
    env["DATABASE_URL"] = (
        f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{database}"
    )
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_backup_restores_into_a_fresh_database(
    ready_proposal, partnership_lead, tmp_path, settings
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    document_upload(
        project=ready_proposal,
        kind="agreement",
        title="Agreement",
        uploaded_file=SimpleUploadedFile("agreement.pdf", PDF),
        actor=partnership_lead,
    )
    project_transition(project=ready_proposal, action="submit", actor=partnership_lead)
    expected = {
        "projects": Project.objects.count(),
        "events": ProjectEvent.objects.count(),
        "audit": AuditEvent.objects.count(),
        "documents": DocumentVersion.objects.count(),
    }
    version = DocumentVersion.objects.get()

    call_command("backup", output=str(tmp_path / "backup"))
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert set(manifest["files"]) == {"database.dump", "media.tar.gz"}

    fresh = f"{connection.settings_dict['NAME']}_restored"
    restored_media = tmp_path / "restored-media"
    subprocess.run(
        ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", fresh], check=True
    )
    try:
        result = run_manage(
            "restore", str(tmp_path / "backup"), database=fresh, media_root=restored_media
        )
        assert result.returncode == 0, result.stderr
        counts = run_manage(
            "shell",
            "-c",
            COUNT_SCRIPT.replace("PK", str(ready_proposal.pk)),
            database=fresh,
            media_root=restored_media,
        )
        assert counts.returncode == 0, counts.stderr
        found = json.loads(counts.stdout.strip().splitlines()[-1])
        assert found.pop("reference") == Project.objects.get(pk=ready_proposal.pk).reference
        assert found == expected
        assert (restored_media / version.file.name).read_bytes() == PDF
        verified = run_manage("verify_audit", database=fresh, media_root=restored_media)
        assert verified.returncode == 0, verified.stderr
        assert "Audit trail intact" in verified.stdout
    finally:
        subprocess.run(
            ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", fresh], check=False
        )


@pytest.mark.django_db
def test_restore_refuses_a_tampered_backup(tmp_path, draft):
    from django.core.management import CommandError

    call_command("backup", output=str(tmp_path / "backup"))
    with (tmp_path / "backup" / "database.dump").open("ab") as dump:
        dump.write(b"tampered")
    with pytest.raises(CommandError, match="does not match its SHA-256"):
        call_command("restore", str(tmp_path / "backup"))
