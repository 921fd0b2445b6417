"""Bulk loading with PostgreSQL's COPY: rows of Python values into a model's real table.

Used only by ``seed_scale``. Each model's ids are allocated here, above the highest in the
table, and its sequence moved past them afterwards, so the portal goes on numbering from
there. Run it on a database nobody else is writing to.
"""

import datetime
import io
import json
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.db import connection

BATCH_ROWS = 50_000


def _text(value) -> str:
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, dict | list):
        value = json.dumps(value, separators=(",", ":"))
    return (
        str(value)
        .replace("\\", "\\\\")
        .replace("\t", "\\t")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
    )


class Table:
    """One model's table: which columns the rows fill, and the defaults of the rest."""

    def __init__(self, model, attnames: Sequence[str]):
        self.model = model
        self.attnames = list(attnames)
        fields = {f.attname: f for f in model._meta.concrete_fields}
        unknown = set(self.attnames) - set(fields)
        if unknown:
            raise ValueError(f"{model.__name__} has no fields {sorted(unknown)}")
        self.rest = [f for name, f in fields.items() if name not in self.attnames]
        # Columns the rows leave out take the model's default (the database has none).
        self.rest_text = [_text(self._default(f)) for f in self.rest]
        self.columns = [fields[n].column for n in self.attnames] + [f.column for f in self.rest]
        self.pk_column = model._meta.pk.column

    @staticmethod
    def _default(field):
        if field.primary_key:
            raise ValueError(f"{field.model.__name__}: rows must give the primary key")
        if field.has_default():
            return field.get_default()
        if field.null:
            return None
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            raise ValueError(f"{field.model.__name__}.{field.name}: rows must give it")
        return field.get_default()

    def next_id(self) -> int:
        with connection.cursor() as cursor:
            table = connection.ops.quote_name(self.model._meta.db_table)
            column = connection.ops.quote_name(self.pk_column)
            cursor.execute(f"SELECT COALESCE(MAX({column}), 0) FROM {table}")  # noqa: S608  # nosec B608
            return cursor.fetchone()[0] + 1

    def copy(self, rows: Iterable[Sequence]) -> int:
        """COPY the rows in; returns how many."""
        table = connection.ops.quote_name(self.model._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        sql = f"COPY {table} ({columns}) FROM STDIN"
        tail = "".join("\t" + text for text in self.rest_text)
        count = 0
        buffer = io.StringIO()
        written = 0
        with connection.cursor() as cursor:
            for row in rows:
                buffer.write("\t".join(map(_text, row)) + tail + "\n")
                written += 1
                if written >= BATCH_ROWS:
                    buffer.seek(0)
                    cursor.cursor.copy_expert(sql, buffer)
                    count += written
                    buffer, written = io.StringIO(), 0
            if written:
                buffer.seek(0)
                cursor.cursor.copy_expert(sql, buffer)
                count += written
        return count

    def move_sequence(self) -> None:
        """Move the id sequence past the highest id (serial and identity columns alike)."""
        table = self.model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, self.pk_column])
            sequence = cursor.fetchone()[0]
            if sequence:
                quoted_table = connection.ops.quote_name(table)
                column = connection.ops.quote_name(self.pk_column)
                cursor.execute(
                    f"SELECT setval(%s, GREATEST((SELECT MAX({column}) FROM {quoted_table}), 1))",  # noqa: S608  # nosec B608
                    [sequence],
                )
