"""Write many new rows fast: ``COPY … FROM STDIN`` on PostgreSQL, ``bulk_create`` elsewhere.

For seed data only (no actions, no audit, no signals; the same as ``bulk_create``). Rows are plain
tuples in the order of ``columns`` (attribute names). Parents take their ids from
``reserve_ids`` so that children can be written without reading ids back; tables nobody points
at leave ``id`` out and let the database number them.

On PostgreSQL a model's other columns are filled the way ``bulk_create`` would: ``auto_now`` and
``default=timezone.now`` with one timestamp per call, defaults that give the same value twice
once, other callable defaults (unique references) once per row.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db import DatabaseError, IntegrityError, connection, models, transaction
from django.utils import timezone

__all__ = ["check_references", "reserve_ids", "skip_reference_triggers", "write"]

Row = tuple[Any, ...]


def reserve_ids(model: type[models.Model], count: int) -> int:
    """The first of ``count`` consecutive new primary keys of ``model``.

    Seeding is the only writer of these tables while it runs: on SQLite the ids follow the
    largest one used so far, so write them before reserving again for the same table.
    """
    table, pk = model._meta.db_table, _column(model._meta.pk)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # nextval() is evaluated before setval(): the sequence jumps past the whole block.
            cursor.execute(
                "SELECT setval(s, nextval(s) + %s - 1) FROM pg_get_serial_sequence(%s, %s) s",
                [max(count, 1), table, pk],
            )
            (last,) = cursor.fetchone()
            return int(last) - max(count, 1) + 1
        quoted = connection.ops.quote_name(table)
        cursor.execute(f"SELECT MAX({connection.ops.quote_name(pk)}) FROM {quoted}")  # noqa: S608
        (largest,) = cursor.fetchone()
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        used = cursor.fetchone()
        return max(largest or 0, used[0] if used else 0) + 1


def skip_reference_triggers() -> bool:
    """For the rest of this transaction, skip PostgreSQL's per-row foreign-key checks, if allowed.

    Those checks (a trigger per row and key, run at commit) were half of the database's work
    when seeding. ``session_replication_role`` needs a superuser, as on a developer's or the
    benchmark's database; elsewhere the checks stay on. It skips every trigger, not only the
    keys': call ``check_references`` afterwards, which checks the same in one query per key.
    """
    if connection.vendor != "postgresql":
        return False
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
    except DatabaseError:
        return False
    return True


def check_references(tables: Iterable[type[models.Model]]) -> None:
    """Raise ``IntegrityError`` if a row of these tables points at a row that does not exist."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in tables:
            for field in model._meta.concrete_fields:
                if not field.is_relation:
                    continue
                target = field.target_field  # type: ignore[attr-defined]
                key, parent = quote(_column(field)), quote(target.model._meta.db_table)
                cursor.execute(
                    f"SELECT c.{key} FROM {quote(model._meta.db_table)} c "  # noqa: S608
                    f"WHERE c.{key} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {parent} p "
                    f"WHERE p.{quote(_column(target))} = c.{key}) LIMIT 1"
                )
                missing = cursor.fetchone()
                if missing is not None:
                    raise IntegrityError(
                        f"{model.__name__}.{field.name} = {missing[0]} points at no row"
                    )


def write(model: type[models.Model], columns: Sequence[str], rows: Iterable[Row]) -> None:
    """Insert ``rows`` (tuples of ``columns``) into ``model``'s table in one statement."""
    if connection.vendor != "postgresql":
        objects = [model(**dict(zip(columns, row, strict=True))) for row in rows]
        model._default_manager.bulk_create(objects, batch_size=2000)
        return
    plan = _CopyPlan(model, columns, timezone.now())
    quote = connection.ops.quote_name
    names = ", ".join(quote(name) for name in plan.columns)
    with (
        connection.cursor() as cursor,
        cursor.copy(
            f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN (NULL 'None')"
        ) as copy,
    ):
        plan.copy_rows(copy, rows)


class _CopyPlan:
    """How to turn a caller's tuple into a full row of the table, worked out once per call."""

    def __init__(self, model: type[models.Model], given: Sequence[str], now: datetime) -> None:
        fields = {field.attname: field for field in model._meta.concrete_fields}
        unknown = [name for name in given if name not in fields]
        if unknown:
            raise ValueError(f"{model.__name__} has no column {unknown[0]!r}")
        kinds = [type(fields[name]) for name in given]
        self.given = len(given)
        self.json = [i for i, kind in enumerate(kinds) if issubclass(kind, models.JSONField)]
        self.dates = [i for i, kind in enumerate(kinds) if issubclass(kind, models.DateField)]
        self.columns = [_column(fields[name]) for name in given]
        constants: list[Any] = []
        self.per_row: list[Callable[[], Any]] = []
        per_row_columns = []
        for name, field in fields.items():
            if name in given or field.primary_key:
                continue
            value, changing = _fill(field, now)
            if changing is None:
                self.columns.append(_column(field))
                constants.append(value)
            else:
                per_row_columns.append(_column(field))
                self.per_row.append(changing)
        self.columns += per_row_columns
        self.constants = tuple(constants)

    def copy_rows(self, copy: Any, rows: Iterable[Row]) -> None:
        # Rows share their JSON values and repeat their dates, whose str() is slow (2 µs for a
        # datetime): each is turned into text once per call. A JSON entry keeps its object
        # alive, so that object's id cannot be reused by another value during the call.
        dumped: dict[int, tuple[Any, str]] = {}
        dates: dict[Any, str] = {}
        tail = "".join("\t" + _escaped(value) for value in self.constants)
        per_row, json_at, dates_at, tabs = self.per_row, self.json, self.dates, self.given - 1
        lines: list[str] = []
        for row in rows:
            if json_at or dates_at:
                cells = list(row)
                for i in json_at:
                    key = id(cells[i])
                    if key not in dumped:
                        dumped[key] = (cells[i], json.dumps(cells[i]))
                    cells[i] = dumped[key][1]
                for i in dates_at:
                    value = cells[i]
                    if value is not None:
                        text = dates.get(value)
                        if text is None:
                            text = dates[value] = str(value)
                        cells[i] = text
                row = tuple(cells)
            line = "\t".join(map(str, row))
            if line.count("\t") != tabs or _SPECIAL.search(line) or "None" in row:
                line = "\t".join(map(_escaped, row))
            line += tail
            if per_row:
                line += "".join("\t" + _escaped(make()) for make in per_row)
            lines.append(line)
            if len(lines) == _LINES_PER_WRITE:
                copy.write("\n".join(lines) + "\n")
                lines.clear()
        if lines:
            copy.write("\n".join(lines) + "\n")


# COPY's text format, written here: psycopg's write_row looks up a dumper for every value, and
# even one Python call per value was most of the seeding time, so a row is str() of each value
# joined by tabs. That is COPY's text format as long as no value holds a tab, a line break or a
# backslash and no string is "None" (checked per row; such rows are escaped value by value):
# None prints as None, which the statement declares its NULL marker (matched before backslashes
# are read, so an escaped string \None is the text "None"); True and False are booleans to
# PostgreSQL; numbers, dates and timezone-aware datetimes print as PostgreSQL reads them.
_SPECIAL = re.compile(r"[\\\n\r]")
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_LINES_PER_WRITE = 5000


def _escaped(value: Any) -> str:
    if isinstance(value, str):
        text = value.translate(_ESCAPES)
        return "\\None" if text == "None" else text
    return str(value)


def _column(field: Any) -> str:
    return str(field.column)


def _fill(field: models.Field[Any, Any], now: datetime) -> tuple[Any, Callable[[], Any] | None]:
    """(constant value, None) for a column the caller leaves out, or (None, per-row maker)."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now, None
    if field.has_default() and callable(field.default):
        if field.default is timezone.now:
            return now, None
        first, second = field.default(), field.default()
        if first != second:  # a fresh value each time (a unique reference): one per row
            return None, field.default
    value = field.get_default()
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(field, models.JSONField):
        value = json.dumps(value, cls=field.encoder)
    return value, None
