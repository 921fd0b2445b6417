"""Back up the portal: the PostgreSQL database (pg_dump, custom format) and the stored files,
read through the storage API from wherever they are kept (PORTAL_STORAGE: the local disk,
S3-compatible object storage or Azure Blob Storage)."""

import hashlib
import json
import os
import posixpath
import subprocess
import tarfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.files.storage import Storage, default_storage
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


def stored_names(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file's name in the storage, folder by folder."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # nothing stored yet on the local disk
        return
    for name in sorted(files):
        yield posixpath.join(folder, name)
    for name in sorted(folders):
        yield from stored_names(storage, posixpath.join(folder, name))


def media_archive_write(path: Path, storage: Storage) -> int:
    """A gzipped tar of every stored file under media/; returns how many it holds."""
    count = 0
    with tarfile.open(path, "w:gz") as archive:
        for name in stored_names(storage):
            info = tarfile.TarInfo(f"media/{name}")
            info.size = storage.size(name)
            try:
                info.mtime = int(storage.get_modified_time(name).timestamp())
            except NotImplementedError:
                info.mtime = int(datetime.now(UTC).timestamp())
            with storage.open(name, "rb") as handle:
                archive.addfile(info, handle)
            count += 1
    return count


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
        stored = media_archive_write(media, default_storage)
        manifest = {
            "created_at": stamp,
            "database": db["NAME"],
            "stored_files": stored,
            "files": {p.name: sha256_of(p) for p in (dump, media)},
        }
        (folder / "manifest.json").write_text(json.dumps(manifest, indent=2))
        self.stdout.write(str(folder))
