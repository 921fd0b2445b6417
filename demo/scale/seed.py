"""A national-scale data set for the benchmark: ``manage.py seed_scale --projects N``.

42 ICBs and about 150 companies, with people in every role, a panel per ICB, and N projects
spread over ten years and every status, each with what that status implies: partners and
their contributions, a team, objectives and outcome measures, a review with four gates and
their sign-offs, declarations, outcome reports with measure values, final reports, lessons,
the timeline, object permissions, and audit events whose hash chain verify_audit accepts.

People and organisations go in through the ORM (demo.scale.people); everything per project
through COPY (demo.scale.projects, review and delivery; demo.scale.copy). The same seed gives
the same data.
"""

import datetime
import random

from django.contrib.auth.models import Permission
from django.db import connection, transaction

from demo.scale.copy import Table
from demo.scale.people import Cast, organisations
from demo.scale.projects import ProjectBuilder
from demo.scale.rows import COLUMNS, Audit, Ids, utc
from governance.models import PanelMember
from partnerships.models import ReferenceCounter

MARKER_TABLE = "portal_scale_dataset"
YEARS = 10
FLUSH_EVERY = 2000  # projects generated between COPYs, to bound memory


# The marker: which N the database was built with -------------------------------------


def built_with() -> int | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [MARKER_TABLE])
        if cursor.fetchone()[0] is None:
            return None
        cursor.execute(f"SELECT projects FROM {MARKER_TABLE} ORDER BY built_at DESC LIMIT 1")  # noqa: S608  # nosec B608
        row = cursor.fetchone()
    return row[0] if row else None


def _mark(projects: int, seed: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} "
            "(projects integer NOT NULL, seed integer NOT NULL, built_at timestamptz NOT NULL)"
        )
        cursor.execute(
            f"INSERT INTO {MARKER_TABLE} VALUES (%s, %s, now())",  # noqa: S608  # nosec B608
            [projects, seed],
        )


def seed(
    *, projects: int, seed: int = 2026, years: int = YEARS, prefix: str = "", today=None, log=print
) -> dict:
    """Build the data set in one transaction, the projects started over ``years`` years to
    ``today``. ``prefix`` keeps names apart when it is built more than once in one database."""
    # Made-up data, not secrets: a seeded generator makes the same data set every time.
    rng = random.Random(seed)  # noqa: S311  # nosec B311
    today = today or datetime.date.today()
    with transaction.atomic():
        cast = organisations(rng, prefix)
        # Every panel member sat on the panel before the first project (seats made now
        # would postdate every sign-off of the ten years).
        seated = utc(today - datetime.timedelta(days=365 * years + 30))
        PanelMember.objects.filter(panel_id__in=cast.panel_ids.values()).update(created_at=seated)
        log(f"{len(cast.icbs)} ICBs, {len(cast.companies)} companies, people and panels")
        counts = _projects(rng, cast, projects, today, years, log)
        _mark(projects, seed)
    return counts


def _projects(rng, cast: Cast, n: int, today: datetime.date, years: int, log) -> dict:
    perm = {
        p.codename: p.pk for p in Permission.objects.filter(content_type__app_label="partnerships")
    }
    audit = Audit()
    tables = {model: Table(model, columns) for model, columns in COLUMNS.items()}
    ids = {model: Ids(table) for model, table in tables.items()}
    counts = dict.fromkeys((m._meta.label for m in tables), 0)
    rows = {m: [] for m in ids}
    counters: dict[int, int] = {
        c.year: c.last for c in ReferenceCounter.objects.select_for_update()
    }
    builder = ProjectBuilder(
        rng=rng,
        cast=cast,
        today=today,
        rows=rows,
        ids=ids,
        audit=audit,
        perm=perm,
        counters=counters,
    )
    start_day = today - datetime.timedelta(days=365 * years)
    span = (today - start_day).days
    created_days = sorted(
        start_day + datetime.timedelta(days=rng.randrange(span)) for _ in range(n)
    )

    def flush():
        for model, table in tables.items():
            counts[model._meta.label] += table.copy(rows[model])
            rows[model].clear()
        audit.flush()

    for done, created in enumerate(created_days, 1):
        if done % FLUSH_EVERY == 0:
            flush()
            log(f"{done} projects")
        builder.build(created)

    flush()
    for table in tables.values():
        table.move_sequence()
    for year, last in counters.items():
        ReferenceCounter.objects.update_or_create(year=year, defaults={"last": last})
    counts["audit.AuditEvent"] = audit.finish()
    log(", ".join(f"{label}: {count}" for label, count in counts.items()))
    return counts
