"""What the commands that make a disclosure document now (disclosure_pdf, audit_pack) share:
render it unless it is ready, then write it to a file."""

import shutil
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from outcomes.models import DisclosureDocument
from outcomes.services import disclosure as services

S = DisclosureDocument.Status


def document_write(command: BaseCommand, document: DisclosureDocument, output: str) -> None:
    """Renders ``document`` here, without the queue, unless a worker is making it (refused)
    or it is ready already (nothing has changed since), and writes the PDF to ``output``."""
    if document.status == S.RUNNING:
        raise CommandError(
            f"{document.document_number} is being made by a worker now; try again shortly"
        )
    if document.status != S.READY:
        try:
            document = services.disclosure_render(document_id=document.pk)
        except Exception as exc:
            raise CommandError(f"{document.document_number} could not be made: {exc}") from exc
    else:
        command.stdout.write(f"Nothing has changed since {document.document_number} was made.")
    with document.file.open("rb") as source, Path(output).open("wb") as target:
        shutil.copyfileobj(source, target)
    command.stdout.write(
        command.style.SUCCESS(
            f"{document.document_number} written to {output} "
            f"({document.size} bytes, SHA-256 {document.sha256})"
        )
    )
