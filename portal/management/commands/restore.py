"""Restore a backup made by `manage.py backup` into the configured database and MEDIA_ROOT."""

import json
import subprocess
import tarfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from portal.management.commands.backup import pg_environment, sha256_of


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
        media_root = Path(settings.MEDIA_ROOT)
        media_root.mkdir(parents=True, exist_ok=True)
        with tarfile.open(folder / "media.tar.gz") as archive:
            members = [m for m in archive.getmembers() if m.name.startswith("media/")]
            for member in members:
                member.name = member.name.removeprefix("media/")
            archive.extractall(media_root, members=[m for m in members if m.name], filter="data")
        self.stdout.write(f"Restored {manifest['database']} from {folder}")
