"""Back up the portal: the PostgreSQL database (pg_dump, custom format) and the stored files."""

import hashlib
import json
import os
import subprocess
import tarfile
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection


def pg_environment(db: dict) -> dict:
    """libpq's environment for a Django database setting: no password on a command line."""
    env = dict(os.environ)
    for key, name in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
    ):
        if db.get(key):
            env[name] = str(db[key])
    return env


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


class Command(BaseCommand):
    help = "Write a backup (database dump and stored files, with their SHA-256) to a new folder."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="Folder to create (default var/backups/<time>).")

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                "Backups need PostgreSQL: make backup dumps a PostgreSQL deployment's database "
                "with pg_dump. This portal runs on the SQLite database of make run "
                f"({connection.settings_dict['NAME']}); set DATABASE_URL to a PostgreSQL "
                "database to back it up."
            )
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        folder = Path(options["output"] or settings.VAR_DIR / "backups" / stamp)
        folder.mkdir(parents=True, exist_ok=False)
        db = settings.DATABASES["default"]
        dump = folder / "database.dump"
        subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", db["NAME"]],
            env=pg_environment(db),
            check=True,
        )
        media = folder / "media.tar.gz"
        media_root = Path(settings.MEDIA_ROOT)
        with tarfile.open(media, "w:gz") as archive:
            if media_root.exists():
                archive.add(media_root, arcname="media")
        manifest = {
            "created_at": stamp,
            "database": db["NAME"],
            "files": {p.name: sha256_of(p) for p in (dump, media)},
        }
        (folder / "manifest.json").write_text(json.dumps(manifest, indent=2))
        self.stdout.write(str(folder))
