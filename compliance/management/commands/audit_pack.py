"""manage.py audit_pack CODE FROM TO -o FILE: an audit pack made now, without the queue, and
recorded like any other (its SHA-256 known to /verify/)."""

import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organisation
from compliance.services.audit_pack import audit_pack_request
from outcomes.management.documents import document_write


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(f"{text!r} is not a date: write it as 2025-04-01") from None


class Command(BaseCommand):
    help = "Make the audit pack of an ICB's projects in a period and write it to a file."

    def add_arguments(self, parser):
        parser.add_argument("icb", metavar="CODE", help="the ODS code of the ICB (or NHS body)")
        parser.add_argument("period_from", metavar="FROM", help="the first day, e.g. 2025-04-01")
        parser.add_argument("period_to", metavar="TO", help="the last day, e.g. 2026-03-31")
        parser.add_argument("-o", "--output", required=True, help="where to write the PDF")

    def handle(self, *args, icb, period_from, period_to, output, **options):
        organisation = Organisation.objects.filter(
            kind__in=Organisation.NHS_KINDS, ods_code__iexact=icb.strip()
        ).first()
        if organisation is None:
            raise CommandError(f"No ICB or other NHS body has the ODS code {icb!r}")
        try:
            document = audit_pack_request(
                organisation=organisation,
                period_from=_date(period_from),
                period_to=_date(period_to),
                actor=None,
                queue=False,
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        document_write(self, document, output)
