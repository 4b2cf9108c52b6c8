"""Exit 0 when the PostgreSQL server in argv[1] (a URL) answers, 1 otherwise.

The Makefile uses this to decide whether the PostgreSQL pass runs (and, under CI, to fail loudly).
It creates the target database when the server is up but the database is not there yet.
"""

from __future__ import annotations

import sys

import dj_database_url
import psycopg
from psycopg import sql


def main(url: str) -> int:
    cfg = dj_database_url.parse(url)
    try:
        with psycopg.connect(
            host=cfg["HOST"],
            port=cfg["PORT"] or 5432,
            user=cfg["USER"],
            password=cfg["PASSWORD"] or None,
            dbname="postgres",
            connect_timeout=3,
            autocommit=True,
        ) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [cfg["NAME"]]
            ).fetchone()
            if not exists:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(cfg["NAME"])))
    except psycopg.Error as exc:
        print(f"PostgreSQL probe: {exc}".strip(), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
