"""Checking a stretch of the audit chain from plain database rows, fast.

No Django models here: the worker processes of a parallel check (audit_verify with more than
one job) import this module alone, connect with psycopg2 and read the rows in the snapshot
the parent exported, so every process sees the same chain.
"""

import hashlib
import json
from dataclasses import dataclass
from json.encoder import encode_basestring_ascii

from django.core.serializers.json import DjangoJSONEncoder

# The columns AuditEvent.content() covers, in this order; JSON as text, decoded here.
COLUMNS = (
    "seq, created_at, actor_id, actor_label, action, object_type, object_id, object_repr, "
    "before::text, after::text, ip, prev_hash, hash"
)
# SQLite keeps JSON as text already (the embedded database of `make run`).
COLUMNS_SQLITE = COLUMNS.replace("::text", "")
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


# How many distinct before/after texts to remember at most (see check_rows).
MEMO_SIZE = 50_000


def check_rows(rows_in_batches, *, start: int, expected_prev: str | None) -> Stretch:
    """Check events in seq order from ``start``. ``expected_prev`` None leaves the first
    event's link to the caller.

    The text hashed is what AuditEvent.compute_hash() makes (json.dumps of content() with
    sorted keys and no spaces), written out here key by key in sorted order: the strings
    escaped by json's own encoder, the before and after objects encoded as json.dumps
    encodes them. Most events share a handful of before and after texts ({"status": ...},
    a decision), so their encodings are remembered rather than made again."""
    loads, sha256, escape = json.loads, hashlib.sha256, encode_basestring_ascii
    encode = DjangoJSONEncoder(sort_keys=True, separators=(",", ":")).encode
    memo = {"{}": "{}"}
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
            if (after_json := memo.get(after)) is None:
                after_json = memo[after] = encode(loads(after))
            if (before_json := memo.get(before)) is None:
                before_json = memo[before] = encode(loads(before))
            if len(memo) > MEMO_SIZE:
                memo = {"{}": "{}"}
            text = (
                f'{{"action":{escape(action)},"actor":{"null" if actor is None else int(actor)},'
                f'"actor_label":{escape(actor_label)},"after":{after_json},'
                f'"before":{before_json},"created_at":{escape(created_at.isoformat())},'
                f'"ip":{"null" if ip is None else escape(ip)},"object_id":{escape(object_id)},'
                f'"object_repr":{escape(object_repr)},"object_type":{escape(object_type)},'
                f'"prev_hash":{escape(prev_hash)},"seq":{int(seq)}}}'
            )
            if sha256(text.encode()).hexdigest() != digest:
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
