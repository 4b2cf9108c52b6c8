"""The no-double-booking constraint: PostgreSQL enforces it, other databases are told nothing.

`PostgresExclusionConstraint` is an `ExclusionConstraint` that emits its SQL only on PostgreSQL.
It stays in the model's Meta (so `makemigrations --check` sees the same state on every database
and readers find the invariant where the model is), while SQLite, which has no exclusion
constraints, gets no DDL at all: there every transaction is `BEGIN IMMEDIATE`, so bookings are
serialized and the re-check inside the booking transaction is the guarantee.
"""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Func

__all__ = ["PostgresExclusionConstraint", "TsTzRange"]


class TsTzRange(Func):
    """``tstzrange(lower, upper, '[)')``: half-open, so back-to-back bookings do not collide."""

    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class PostgresExclusionConstraint(ExclusionConstraint):
    def _on_postgres(self, schema_editor: Any) -> bool:
        return bool(schema_editor.connection.vendor == "postgresql")

    def constraint_sql(self, model: Any, schema_editor: Any) -> Any:
        return (
            super().constraint_sql(model, schema_editor)
            if self._on_postgres(schema_editor)
            else None
        )

    def create_sql(self, model: Any, schema_editor: Any) -> Any:
        return (
            super().create_sql(model, schema_editor) if self._on_postgres(schema_editor) else None
        )

    def remove_sql(self, model: Any, schema_editor: Any) -> Any:
        return (
            super().remove_sql(model, schema_editor) if self._on_postgres(schema_editor) else None
        )

    def validate(
        self, model: Any, instance: Any, exclude: Any = None, using: str = DEFAULT_DB_ALIAS
    ) -> None:
        if connections[using].vendor == "postgresql":
            super().validate(model, instance, exclude=exclude, using=using)
