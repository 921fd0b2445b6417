import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from demo.scale import seed as scale_seed


class Command(BaseCommand):
    help = (
        "Build a national-scale data set for the benchmark: 42 ICBs, about 150 companies and "
        "N projects in every state with their gates, sign-offs, declarations, reports and "
        "audit events. For a benchmark database only: the people have a known password."
    )

    def add_arguments(self, parser):
        parser.add_argument("--projects", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=2026, help="The same seed, the same data.")
        parser.add_argument(
            "--reuse",
            action="store_true",
            help="Do nothing if the database was built with this many projects already.",
        )

    def handle(self, *args, projects, seed: int, reuse: bool, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                "seed_scale needs PostgreSQL (it loads the data with COPY): set DATABASE_URL "
                "to a PostgreSQL database of its own. SQLite is only for make run."
            )
        if projects < 1:
            raise CommandError("--projects must be at least 1")
        existing = scale_seed.built_with()
        if existing is not None:
            if reuse and existing == projects:
                self.stdout.write(f"The data set of {projects} projects is already here.")
                return
            raise CommandError(
                f"This database already holds a data set of {existing} projects; "
                "seed an empty database."
            )
        started = time.monotonic()
        counts = scale_seed.seed(projects=projects, seed=seed, log=self.stdout.write)
        self.stdout.write(
            f"Built {projects} projects ({sum(counts.values())} rows) in "
            f"{time.monotonic() - started:.0f} s."
        )
