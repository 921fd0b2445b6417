"""Backups read and write stored files through the storage API, so they work with any storage
(here Django's in-memory one stands in for S3 or Azure), and refuse an archive that would
write outside the storage."""

import io
import tarfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import InMemoryStorage, default_storage
from django.core.management import CommandError

from portal.management.commands.backup import media_archive_write, stored_names
from portal.management.commands.restore import media_archive_restore

FILES = {
    "documents/2026/12/a.pdf": b"%PDF-1.7 first",
    "documents/2026/12/b.docx": b"PK\x03\x04 second",
    "disclosures/2026/12/DD-2026-000001.pdf": b"%PDF-1.7 third" * 1000,
}


def storage_with(files: dict[str, bytes]) -> InMemoryStorage:
    storage = InMemoryStorage()
    for name, data in files.items():
        assert storage.save(name, ContentFile(data)) == name
    return storage


def contents(storage) -> dict[str, bytes]:
    found = {}
    for name in stored_names(storage):
        with storage.open(name, "rb") as handle:
            found[name] = handle.read()
    return found


def test_every_stored_file_goes_into_the_archive_and_back(tmp_path):
    archive = tmp_path / "media.tar.gz"
    assert media_archive_write(archive, storage_with(FILES)) == 3
    with tarfile.open(archive) as opened:
        assert sorted(m.name for m in opened) == sorted(f"media/{n}" for n in FILES)

    # Into a storage that already holds an older copy of one file: the backup's wins.
    target = storage_with({"documents/2026/12/a.pdf": b"older"})
    assert media_archive_restore(archive, target) == 3
    assert contents(target) == FILES


def test_an_empty_storage_gives_an_empty_archive(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "never-made"
    archive = tmp_path / "media.tar.gz"
    assert media_archive_write(archive, default_storage) == 0
    assert media_archive_restore(archive, InMemoryStorage()) == 0


@pytest.mark.parametrize("name", ["media/../../etc/cron.d/evil", "media//etc/passwd"])
def test_an_archive_reaching_outside_the_storage_is_refused(tmp_path, name):
    archive = tmp_path / "media.tar.gz"
    with tarfile.open(archive, "w:gz") as writing:
        info = tarfile.TarInfo(name)
        info.size = 4
        writing.addfile(info, io.BytesIO(b"evil"))
    target = InMemoryStorage()
    with pytest.raises(CommandError, match="outside the media folder"):
        media_archive_restore(archive, target)
    assert contents(target) == {}
