"""Restore a backup made by `manage.py backup` into the configured database and the configured
storage of files (PORTAL_STORAGE: the local disk under MEDIA_ROOT, S3 or Azure Blob Storage)."""

import json
import subprocess
import tarfile
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from portal.management.commands.backup import pg_environment, sha256_of


def media_archive_restore(path: Path, storage: Storage) -> int:
    """Put every file of the backup's media archive back in the storage under its own name
    (replacing what is there); returns how many."""
    count = 0
    with tarfile.open(path) as archive:
        for member in archive:
            name = member.name.removeprefix("media/")
            if not member.isfile() or name == member.name:
                continue
            parts = PurePosixPath(name).parts
            if not name or name.startswith("/") or ".." in parts:
                raise CommandError(f"The backup holds a file outside the media folder: {name}")
            handle = archive.extractfile(member)
            content = File(handle, name=name)
            content.size = member.size
            try:
                if storage.exists(name):
                    storage.delete(name)
                saved = storage.save(name, content)
            except SuspiciousFileOperation as exc:
                raise CommandError(f"The backup holds a file that cannot be stored: {exc}") from exc
            if saved != name:
                raise CommandError(f"{name} was stored as {saved}; restore into empty storage")
            count += 1
    return count


class Command(BaseCommand):
    help = "Restore a backup folder: checks its SHA-256 manifest, then the database and the files."

    def add_arguments(self, parser):
        parser.add_argument("folder")

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Restoring needs PostgreSQL (set DATABASE_URL).")
        folder = Path(options["folder"])
        try:
            manifest = json.loads((folder / "manifest.json").read_text())
        except (OSError, ValueError) as exc:
            raise CommandError(f"{folder} is not a backup: {exc}") from exc
        for name, digest in manifest["files"].items():
            if sha256_of(folder / name) != digest:
                raise CommandError(f"{name} does not match its SHA-256 in the manifest")
        db = settings.DATABASES["default"]
        connection.close()
        env = pg_environment(db)
        subprocess.run(
            ["createdb", db["NAME"]],
            env=env,
            check=False,
            capture_output=True,
        )
        result = subprocess.run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--exit-on-error",
                f"--dbname={db['NAME']}",
                str(folder / "database.dump"),
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode:
            raise CommandError(f"pg_restore failed: {result.stderr.strip()[-2000:]}")
        stored = media_archive_restore(folder / "media.tar.gz", default_storage)
        self.stdout.write(
            f"Restored {manifest['database']} and {stored} stored files from {folder}"
        )
