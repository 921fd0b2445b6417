from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC
from multiprocessing import get_context

from django.db import connection, transaction
from django.utils import timezone

from audit import chain
from audit.context import current_ip
from audit.models import GENESIS, AuditEvent, AuditHead


def audit_record(
    *,
    actor,
    action: str,
    obj,
    before: dict | None = None,
    after: dict | None = None,
    ip: str | None = None,
) -> AuditEvent:
    """Append an event to the chain, in the caller's transaction.

    Must run inside ``transaction.atomic`` so the event commits, or not, with the
    change it records.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record must run inside the transaction of the change it records")
    head, _ = AuditHead.objects.select_for_update().get_or_create(id=1)
    event = AuditEvent(
        seq=head.last_seq + 1,
        created_at=timezone.now(),
        actor=actor if actor is not None and actor.pk else None,
        actor_label=(actor.email if actor is not None and actor.pk else "system"),
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:300] if obj is not None else "",
        before=before or {},
        after=after or {},
        ip=ip if ip is not None else current_ip.get(),
        prev_hash=head.last_hash,
    )
    event.hash = event.compute_hash()
    event.save(force_insert=True)
    AuditHead.objects.filter(id=1).update(
        last_seq=event.seq, last_hash=event.hash, count=head.count + 1
    )
    return event


@dataclass
class Verification:
    intact: bool
    checked: int
    first_broken: int | None = None
    problem: str = ""


# Below this many events a parallel check is not worth starting processes for.
PARALLEL_FROM = 200_000


def audit_verify(*, chunk_size: int = 20000, jobs: int = 1) -> Verification:
    """Walk the whole chain: every event's hash, every link, no gap, and the head.

    The rows stream through a server-side cursor as plain tuples, hashed as
    AuditEvent.compute_hash() hashes them without a model instance per row. With ``jobs``
    above 1 (and a long chain), that many processes each check a stretch of it in the
    same snapshot, and the links between stretches are checked here. Outside any
    transaction only, when parallel: it opens its own, repeatable read. On SQLite (the
    embedded database of `make run`) one process checks it all: there is no snapshot to
    share, and its chains are short."""
    postgresql = connection.vendor == "postgresql"
    parallel = jobs > 1 and not connection.in_atomic_block and postgresql
    with transaction.atomic():
        if parallel:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        head = AuditHead.objects.filter(id=1).first()
        last_seq = head.last_seq if head else 0
        if parallel and last_seq >= PARALLEL_FROM:
            stretches = _check_in_parallel(last_seq, jobs, chunk_size)
        else:
            columns = chain.COLUMNS if postgresql else chain.COLUMNS_SQLITE
            with connection.chunked_cursor() as cursor:
                cursor.itersize = chunk_size
                cursor.execute(f"SELECT {columns} FROM audit_auditevent ORDER BY seq")  # noqa: S608  # nosec B608
                rows = chain.batches(cursor, chunk_size)
                if not postgresql:
                    rows = _in_utc(rows)
                stretches = [chain.check_rows(rows, start=1, expected_prev=GENESIS)]
    checked, expected_prev = 0, GENESIS
    for number, stretch in enumerate(stretches):
        if stretch.first_prev is None and stretch.problem_seq is None:
            if any(later.first_prev is not None for later in stretches[number + 1 :]):
                stretch.problem_seq = stretch.start
                stretch.problem = chain.MISSING.format(stretch.start)
            else:
                break  # no events from here on: the head decides
        if stretch.problem_seq == stretch.start and stretch.first_prev is None:
            return Verification(False, checked, stretch.problem_seq, stretch.problem)
        if stretch.first_prev != expected_prev:
            return Verification(False, checked, stretch.start, chain.UNLINKED)
        if stretch.problem_seq is not None:
            return Verification(
                False, checked + stretch.checked, stretch.problem_seq, stretch.problem
            )
        checked += stretch.checked
        expected_prev = stretch.last_hash
        if number + 1 < len(stretches) and stretch.last_seq + 1 != stretches[number + 1].start:
            # The stretch ended early: the events before the next one's start are missing
            # (or none follow at all, and the head decides).
            if any(later.first_prev is not None for later in stretches[number + 1 :]):
                missing = stretch.last_seq + 1
                return Verification(False, checked, missing, chain.MISSING.format(missing))
            break
    if last_seq != checked or (head and head.last_hash != expected_prev):
        return Verification(
            False, checked, checked + 1, f"the chain should end at event #{last_seq}"
        )
    return Verification(True, checked)


def _in_utc(rows_in_batches):
    """SQLite hands created_at back without its time zone (it stores UTC and no offset);
    the hash was made of the time in UTC with its offset, as PostgreSQL returns it."""
    for rows in rows_in_batches:
        yield [(seq, created_at.replace(tzinfo=UTC), *rest) for seq, created_at, *rest in rows]


def _check_in_parallel(last_seq: int, jobs: int, chunk_size: int) -> list[chain.Stretch]:
    """Each of ``jobs`` processes checks an equal stretch of seq numbers (the last one to
    the end, so events past the head are read too), in this transaction's snapshot."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
    params = {
        key: value
        for key, value in connection.get_connection_params().items()
        if key in ("database", "dbname", "user", "password", "host", "port", "sslmode")
    }
    step = -(-last_seq // jobs)
    starts = [1 + step * n for n in range(jobs)]
    stops = [*starts[1:], None]
    with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn")) as pool:
        futures = [
            pool.submit(chain.check_range, params, snapshot, start, stop, chunk_size)
            for start, stop in zip(starts, stops, strict=True)
        ]
        return [future.result() for future in futures]
