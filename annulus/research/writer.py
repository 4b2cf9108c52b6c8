"""Write tables as CSV (formula characters escaped) or Parquet, plus the data dictionary."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from annulus.research.deid import escape_cell
from annulus.research.dictionary import TABLES, dictionary_rows

FORMATS = ("csv", "parquet")


def write_tables(tables: dict[str, list[dict[str, Any]]], folder: Path, fmt: str) -> list[Path]:
    if fmt not in FORMATS:
        raise ValueError(f"format: choose csv or parquet, not {fmt!r}")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for table, rows in tables.items():
        columns = [c.name for c in TABLES[table]]
        path = folder / f"{table}.{fmt}"
        if fmt == "csv":
            _write_csv(path, columns, rows)
        else:
            _write_parquet(path, columns, rows)
        written.append(path)
    dictionary = folder / "data_dictionary.csv"
    _write_csv(dictionary, ["table", "column", "kind", "description", "allowed_values"],
               dictionary_rows())  # fmt: skip
    written.append(dictionary)
    return written


def _write_csv(path: Path, columns: list[str], rows: list[dict[str, Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.DictWriter(handle, fieldnames=columns, extrasaction="raise")
        out.writeheader()
        for row in rows:
            out.writerow({k: escape_cell(v) for k, v in row.items()})


def _write_parquet(path: Path, columns: list[str], rows: list[dict[str, Any]]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    data = {name: [row.get(name) for row in rows] for name in columns}
    pq.write_table(pa.table(data), path)
