"""The audit chain's MAC keys, read from the environment (no Django import: settings uses it).

`ANNULUS_AUDIT_KEY` holds one key; `ANNULUS_AUDIT_KEY_FILE` names a file with one key per line,
oldest first, the last one signing new events. A line is `kid:secret` or just `secret` (the id
is then derived from the secret). Every event stores the id of the key that signed it, so keys
rotate by appending a line to the file: old events keep verifying with their own key.

Production refuses to start without a key. Elsewhere a development key is derived from
SECRET_KEY, so tests and the demo need nothing.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

_KID = re.compile(r"^[A-Za-z0-9._-]{1,24}$")
MIN_SECRET_LENGTH = 32


class AuditKeyError(ValueError):
    """A missing or malformed audit key. The message names the variable."""


@dataclass(frozen=True)
class AuditKeys:
    current: str
    keys: Mapping[str, bytes] = field(repr=False)

    def secret(self, kid: str) -> bytes | None:
        return self.keys.get(kid)


def derive_kid(secret: bytes) -> str:
    return "k" + hashlib.sha256(b"annulus-audit-kid:" + secret).hexdigest()[:10]


def _parse_line(line: str, source: str) -> tuple[str, bytes]:
    kid, sep, secret = line.partition(":")
    if not sep:
        kid, secret = "", line
    if sep and not _KID.match(kid):
        raise AuditKeyError(f"{source}: key id {kid!r} may use only letters, digits, . _ -")
    if len(secret) < MIN_SECRET_LENGTH:
        raise AuditKeyError(
            f"{source}: each audit key must be at least {MIN_SECRET_LENGTH} characters "
            "(generate one with: python3 -c 'import secrets; print(secrets.token_urlsafe(48))')"
        )
    raw = secret.encode()
    return (kid or derive_kid(raw)), raw


def load_keys(
    environ: Mapping[str, str],
    *,
    production: bool,
    secret_key: str,
    var: str = "ANNULUS_AUDIT_KEY",
    purpose: str = "the audit chain's MAC key",
) -> AuditKeys:
    """Keys from `<var>` and `<var>_FILE` (the MFA secrets' key uses the same scheme)."""
    inline = environ.get(var, "").strip()
    path = environ.get(f"{var}_FILE", "").strip()
    lines: list[tuple[str, str]] = []
    if path:
        try:
            text = Path(path).read_text()
        except OSError as exc:
            raise AuditKeyError(f"{var}_FILE: cannot read {path} ({exc.strerror})") from None
        for number, line in enumerate(text.splitlines(), 1):
            if line.strip() and not line.lstrip().startswith("#"):
                lines.append((line.strip(), f"{var}_FILE line {number}"))
    if inline:
        lines.append((inline, var))
    if not lines:
        if production:
            raise AuditKeyError(
                f"{var} or {var}_FILE must be set when ANNULUS_ENV=production "
                f"({purpose}; keep it outside the database)"
            )
        dev = hashlib.sha256(f"annulus-dev-key:{var}:{secret_key}".encode()).hexdigest()
        lines.append((f"dev:{dev}", "development key"))
    keys: dict[str, bytes] = {}
    current = ""
    for line, source in lines:
        current, keys[current] = _parse_line(line, source)
    return AuditKeys(current=current, keys=keys)
