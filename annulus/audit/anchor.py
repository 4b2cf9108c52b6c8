"""Anchor the audit chain's head outside the database.

`anchor_chain_head()` appends one JSON line (event count, last id, last MAC, time) to an
append-only file (`ANNULUS_AUDIT_ANCHOR`, default var/audit-anchor.jsonl) and logs the same line
on the `annulus.audit.anchor` logger, so a deployment can also ship it to syslog or a log store.
`annulus audit verify` reads the file back: an anchored head that vanished means rows were
deleted, even at the tail, where the chain alone cannot tell. `annulus serve` anchors every
5 minutes; `annulus audit anchor` does it once (for a systemd timer or cron).

Make the file append-only for the service user (`chattr +a`) or point it at a mount the database
host cannot write; copy it off the machine with the backups.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings

from annulus.audit.models import GENESIS_HASH, AuditEvent
from annulus.audit.record import Anchor, ChainReport, verify_chain

log = logging.getLogger("annulus.audit.anchor")
ANCHOR_EVERY_SECONDS = 300


class AnchorError(RuntimeError):
    pass


def anchor_path() -> Path:
    return Path(settings.AUDIT_ANCHOR_PATH)


def read_anchors(path: Path | None = None) -> dict[int, Anchor]:
    """Every anchored head in the file, by the id of its last event."""
    path = path or anchor_path()
    anchors: dict[int, Anchor] = {}
    if not path.exists():
        return anchors
    with path.open() as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                anchor = Anchor(
                    count=int(data["count"]),
                    last_id=data["last_id"],
                    last_hash=str(data["last_hash"]),
                    at=str(data.get("at", "")),
                )
            except (ValueError, KeyError, TypeError):
                raise AnchorError(f"{path} line {number} is not an anchor record") from None
            if anchor.last_id is not None:
                anchors[int(anchor.last_id)] = anchor
    return anchors


def append_anchor(count: int, last_id: int | None, last_hash: str) -> Anchor:
    path = anchor_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    at = datetime.now(UTC).isoformat(timespec="seconds")
    line = json.dumps(
        {"at": at, "count": count, "last_id": last_id, "last_hash": last_hash}, sort_keys=True
    )
    # O_APPEND: every write lands at the end, even with several writers, and works on a file
    # marked append-only (chattr +a), which refuses any other kind of write.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, (line + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    log.info("audit anchor %s", line)
    return Anchor(count=count, last_id=last_id, last_hash=last_hash, at=at)


def anchor_chain_head() -> Anchor:
    """Record the current head (count and last MAC) in the anchor sink; cheap, no verification.

    A scheduler calls this every 5 minutes. It reads only the newest row and the row count.
    """
    last = AuditEvent.objects.order_by("-id").values_list("id", "hash").first()
    if last is None:
        return append_anchor(0, None, GENESIS_HASH)
    count = AuditEvent.objects.filter(id__lte=last[0]).count()
    return append_anchor(count, last[0], last[1])


def verify_and_anchor() -> ChainReport:
    """Verify the chain against every anchor; when intact, anchor the verified head."""
    report = verify_chain(read_anchors())
    if report.ok:
        append_anchor(report.checked, report.last_id, report.last_hash)
    return report
