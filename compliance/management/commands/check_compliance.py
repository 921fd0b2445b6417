"""manage.py check_compliance [--icb CODE] [--csv FILE]: every breach of the rules.

Exits 0 when every project in scope is compliant, 1 when there are breaches (so a
scheduler or CI job can act on it); a bad option is an error with a clear message.
"""

import csv
import sys

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organisation
from compliance.services.check import CSV_HEADER, breach_row, compliance_check
from governance.views.declarations import csv_cell


class Command(BaseCommand):
    help = (
        "Check every project (or one ICB's) against the rules of collaborative working and "
        "list each breach: project, rule and evidence. Exits 1 when there are breaches."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--icb", metavar="CODE", help="the ODS code of one ICB (or other NHS lead body)"
        )
        parser.add_argument("--csv", metavar="FILE", help="also write the breaches to FILE")

    def handle(self, *args, icb=None, csv=None, **options):
        organisation = None
        if icb:
            organisation = Organisation.objects.filter(
                kind__in=Organisation.NHS_KINDS, ods_code__iexact=icb.strip()
            ).first()
            if organisation is None:
                raise CommandError(f"No ICB or other NHS body has the ODS code {icb!r}")
        breaches = compliance_check(icb=organisation)
        if csv:
            self._write_csv(csv, breaches)
        scope = organisation.name if organisation else "every project"
        if not breaches:
            self.stdout.write(self.style.SUCCESS(f"Compliant: no breaches found ({scope})."))
            return
        for breach in breaches:
            self.stdout.write(
                f"{breach.project_label} [{breach.icb}]\n"
                f"  {breach.code}: {breach.rule}\n"
                f"  {breach.evidence}"
            )
        projects = len({b.project_id for b in breaches})
        self.stdout.write(
            self.style.ERROR(
                f"{len(breaches)} breach{'es' if len(breaches) != 1 else ''} in {projects} "
                f"project{'s' if projects != 1 else ''} ({scope})."
            )
        )
        sys.exit(1)

    def _write_csv(self, path: str, breaches) -> None:
        try:
            with open(path, "w", newline="", encoding="utf-8-sig") as handle:
                writer = csv.writer(handle)
                writer.writerow(CSV_HEADER)
                for breach in breaches:
                    writer.writerow([csv_cell(value) for value in breach_row(breach)])
        except OSError as exc:
            raise CommandError(f"Cannot write {path}: {exc.strerror}") from exc
