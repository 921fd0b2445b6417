"""Render a project's disclosure PDF now, without the queue, and record it like any other."""

from django.core.management.base import BaseCommand, CommandError

from outcomes.management.documents import document_write
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
        document_write(self, document, output)
