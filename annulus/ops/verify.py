"""Checks a restored database (the current `default`) against a backup manifest."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor

from annulus.audit.anchor import AnchorError, read_anchors
from annulus.audit.record import Anchor, verify_chain


def row_count_problems(manifest: dict[str, Any]) -> list[str]:
    expected: dict[str, int] = manifest["tables"]
    present = set(connection.introspection.table_names())
    problems = []
    for table, count in sorted(expected.items()):
        if table not in present:
            problems.append(f"table {table} is missing")
            continue
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            actual = int(cursor.fetchone()[0])
        if actual != count:
            problems.append(f"table {table} has {actual} rows, the manifest says {count}")
    extra = present - set(expected)
    if extra:
        problems.append(f"tables not in the manifest: {', '.join(sorted(extra))}")
    return problems


def audit_problems(manifest: dict[str, Any], anchors_file: Path | None = None) -> list[str]:
    """The chain must verify and end at the manifest's head.

    With `anchors_file` (the production anchor file), every head anchored before the backup
    started must be in the restored chain too, so a dump whose tail was cut and whose manifest
    was rewritten to match is still caught.
    """
    head = manifest["audit_head"]
    anchors: dict[int, Anchor] = {}
    if anchors_file is not None:
        try:
            started = datetime.fromisoformat(manifest["started_at"])
            anchors = {
                last_id: anchor
                for last_id, anchor in read_anchors(anchors_file).items()
                # Anchors keep whole seconds: count one only when surely before the snapshot.
                if anchor.at and datetime.fromisoformat(anchor.at) + timedelta(seconds=1) <= started
            }
        except (AnchorError, OSError, KeyError, ValueError) as exc:
            return [f"cannot check against the anchor file: {exc}"]
    if head.get("last_id") is not None:
        anchors[int(head["last_id"])] = Anchor(
            count=int(head["count"]),
            last_id=int(head["last_id"]),
            last_hash=str(head["last_hash"]),
            at=f"backup {manifest.get('created_at', '')}".strip(),
        )
    report = verify_chain(anchors)
    if not report.ok:
        where = f" at event #{report.broken_id}" if report.broken_id else ""
        return [f"audit chain broken{where}: {report.reason}"]
    if report.checked != int(head["count"]) or report.last_id != head.get("last_id"):
        return [
            f"audit chain ends at #{report.last_id} after {report.checked} events, the backup's "
            f"head is #{head.get('last_id')} after {head['count']}"
        ]
    return []


def smoke_problems() -> list[str]:
    problems = []
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        problems.append(
            f"{len(plan)} migration(s) of this release are not applied in the backup "
            f"(first: {plan[0][0].app_label}.{plan[0][0].name}); restore with the release "
            "that made the backup"
        )
    for model in apps.get_models():
        if not model._meta.managed or model._meta.proxy:
            continue
        try:
            model._default_manager.order_by().first()
        except DatabaseError as exc:
            problems.append(f"cannot read {model._meta.label} ({type(exc).__name__})")
    return problems


def verify_restored(manifest: dict[str, Any], anchors_file: Path | None = None) -> list[str]:
    return row_count_problems(manifest) + audit_problems(manifest, anchors_file) + smoke_problems()
