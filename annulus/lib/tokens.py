"""Secret links for patients: 256 random bits, only the SHA-256 hash is stored.

A link token is shown once (in an email or on screen); the database keeps `token_hash(token)`,
so a copy of the database cannot be turned back into working links.
"""

from __future__ import annotations

import hashlib
import secrets

TOKEN_BYTES = 32  # 256 bits, well over the 128 the issues require


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def looks_like_token(value: str) -> bool:
    """Cheap shape check before any database lookup (tampered or truncated links)."""
    return 40 <= len(value) <= 64 and all(c.isalnum() or c in "-_" for c in value)
