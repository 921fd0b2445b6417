"""Checking a stretch of the audit chain from plain database rows, fast.

No Django models here: the worker processes of a parallel check (audit_verify with more than
one job) import this module alone, connect with psycopg2 and read the rows in the snapshot
the parent exported, so every process sees the same chain.
"""

import hashlib
import json
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder

# The columns AuditEvent.content() covers, in this order; JSON as text, decoded here.
COLUMNS = (
    "seq, created_at, actor_id, actor_label, action, object_type, object_id, object_repr, "
    "before::text, after::text, ip, prev_hash, hash"
)
MISSING = "event #{} is missing"
UNLINKED = "it does not follow the event before it"
ALTERED = "its content does not match its hash"


@dataclass
class Stretch:
    """What one pass over events from ``start`` found: how many were intact before the
    first problem, the first event's prev_hash (its link is checked by whoever knows the
    event before), the last intact event's hash, and the first problem, if any."""

    start: int
    checked: int = 0
    first_prev: str | None = None
    last_hash: str | None = None
    last_seq: int | None = None
    problem_seq: int | None = None
    problem: str = ""


def check_rows(rows_in_batches, *, start: int, expected_prev: str | None) -> Stretch:
    """Check events in seq order from ``start``. ``expected_prev`` None leaves the first
    event's link to the caller."""
    loads, sha256 = json.loads, hashlib.sha256
    encode = DjangoJSONEncoder(sort_keys=True, separators=(",", ":")).encode
    stretch = Stretch(start=start)
    expected_seq = start
    for rows in rows_in_batches:
        for row in rows:
            (seq, created_at, actor, actor_label, action, object_type, object_id,
             object_repr, before, after, ip, prev_hash, digest) = row  # fmt: skip
            if seq != expected_seq:
                stretch.problem_seq, stretch.problem = expected_seq, MISSING.format(expected_seq)
                return stretch
            if stretch.first_prev is None:
                stretch.first_prev = prev_hash
            if expected_prev is not None and prev_hash != expected_prev:
                stretch.problem_seq, stretch.problem = seq, UNLINKED
                return stretch
            content = {
                "seq": seq,
                "created_at": created_at.isoformat(),
                "actor": actor,
                "actor_label": actor_label,
                "action": action,
                "object_type": object_type,
                "object_id": object_id,
                "object_repr": object_repr,
                "before": loads(before),
                "after": loads(after),
                "ip": ip,
                "prev_hash": prev_hash,
            }
            if sha256(encode(content).encode()).hexdigest() != digest:
                stretch.problem_seq, stretch.problem = seq, ALTERED
                return stretch
            expected_prev, expected_seq = digest, seq + 1
            stretch.checked += 1
            stretch.last_hash, stretch.last_seq = digest, seq
    return stretch


def batches(cursor, size: int):
    while rows := cursor.fetchmany(size):
        yield rows


def check_range(params: dict, snapshot: str, start: int, stop: int | None, size: int) -> Stretch:
    """A worker process: events from ``start`` to before ``stop`` (None: to the end)."""
    import psycopg2

    connection = psycopg2.connect(**params, options="-c timezone=UTC")
    try:
        with connection.cursor() as setup:
            setup.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            setup.execute("SET TRANSACTION SNAPSHOT %s", [snapshot])
        with connection.cursor(name="audit_chain_range") as cursor:
            cursor.itersize = size
            where = "seq >= %s" + (" AND seq < %s" if stop is not None else "")
            cursor.execute(
                f"SELECT {COLUMNS} FROM audit_auditevent WHERE {where} ORDER BY seq",  # noqa: S608  # nosec B608
                [start] + ([stop] if stop is not None else []),
            )
            return check_rows(batches(cursor, size), start=start, expected_prev=None)
    finally:
        connection.rollback()
        connection.close()
