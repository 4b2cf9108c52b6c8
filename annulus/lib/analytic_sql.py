"""Settings for a request's few large aggregate queries (the outcomes report, the clinic page).

PostgreSQL decides to JIT-compile a query from the planner's cost estimate, and queries with a
probe per row (EXISTS, correlated subqueries) get estimates in the millions even when the probe
runs for a handful of rows. Compiling then costs seconds (measured at 20,000 patients: 3.1 s of
a 3.3 s count) and saves nothing for a query that runs once. The sorts and hashes of a
100,000-patient clinic also stay in memory instead of spilling to disk.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction

__all__ = ["analytic_queries"]


@contextmanager
def analytic_queries() -> Iterator[None]:
    """One transaction (one snapshot for every count) with JIT off and room to sort."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
                cursor.execute("SET LOCAL work_mem = '64MB'")
        yield
