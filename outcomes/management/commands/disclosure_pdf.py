"""Render a project's disclosure PDF now, without the queue, and record it like any other."""

import shutil
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from outcomes.models import DisclosureDocument
from outcomes.services import disclosure as services
from partnerships.models import Project


class Command(BaseCommand):
    help = "Make the disclosure PDF of a project (by its reference) and write it to a file."

    def add_arguments(self, parser):
        parser.add_argument("reference", help="The project's reference, for example CW-2026-0042")
        parser.add_argument(
            "-o", "--output", required=True, help="Where to write the PDF, for example out.pdf"
        )

    def handle(self, *args, reference, output, **options):
        project = Project.objects.filter(reference__iexact=reference.strip()).first()
        if project is None:
            raise CommandError(f"No project has the reference {reference}")
        document = services.disclosure_request(
            kind=DisclosureDocument.Kind.PROJECT, project=project, actor=None, queue=False
        )
        if document.status == DisclosureDocument.Status.RUNNING:
            raise CommandError(
                f"{document.document_number} is being made by a worker now; try again shortly"
            )
        if document.status != DisclosureDocument.Status.READY:
            try:
                document = services.disclosure_render(document_id=document.pk)
            except Exception as exc:
                raise CommandError(f"{document.document_number} could not be made: {exc}") from exc
        else:
            self.stdout.write(f"Nothing has changed since {document.document_number} was made.")
        with document.file.open("rb") as source, Path(output).open("wb") as target:
            shutil.copyfileobj(source, target)
        self.stdout.write(
            self.style.SUCCESS(
                f"{document.document_number} written to {output} "
                f"({document.size} bytes, SHA-256 {document.sha256})"
            )
        )
