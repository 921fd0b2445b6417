import os
import sys

from django.core.management.base import BaseCommand

from audit.services import audit_verify


class Command(BaseCommand):
    help = (
        "Check the audit trail's hash chain: exit 0 when intact, 1 naming the first broken event."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--jobs",
            type=int,
            default=os.cpu_count() or 1,
            help="Processes checking stretches of a long chain at once (default: one a core).",
        )

    def handle(self, *args, jobs: int, **options):
        result = audit_verify(jobs=max(jobs, 1))
        if result.intact:
            self.stdout.write(f"Audit trail intact: {result.checked} events.")
            return
        self.stderr.write(
            f"Audit trail broken at event #{result.first_broken}: {result.problem} "
            f"({result.checked} events before it are intact)."
        )
        sys.exit(1)
