"""Keep secret link tokens out of every log line (M1).

Patient links (`/intake/<token>/`, `/survey/<token>/`, `/book/manage/<token>/`,
`/screen/result/<token>/`, `/guide/unsubscribe/<token>/`) and password-reset links carry a secret
in the path. Whoever reads a log line with one could open the link. `scrub()` replaces those
segments (and any other long token-like segment or `token=` query value) with `[token]`.

It runs in three places, so no log line escapes it: a log record factory installed with the
logging configuration (every logger in the process, Django's "Not Found: /survey/…" included),
a filter on the handlers, and gunicorn's access logger (`GunicornLogger` in gunicorn_logger.py,
used by `annulus serve`), which also scrubs the Referer.
"""

from __future__ import annotations

import logging
import logging.config
import re
from typing import Any

# The path prefixes whose next segment is a secret (see the apps' urls.py).
TOKEN_PREFIXES = (
    "intake",
    "survey",
    "book/manage",
    "screen/result",
    "guide/unsubscribe",
    "referral-note",
)
MASK = "[token]"
_PREFIXED = re.compile(
    r"(/(?:" + "|".join(re.escape(p) for p in TOKEN_PREFIXES) + r")/)(?!\[token\])[^/\s?#\"']+"
)
# Password reset: /accounts/password-reset/<uidb64>/<token>/ (but not .../sent/ or .../complete/).
_RESET = re.compile(r"(/accounts/password-reset/)(?!sent/|complete/)[^/\s?#\"']+/[^/\s?#\"']+")
_QUERY = re.compile(r"((?:^|[?&\s])(?:token|key|code|t)=)[^&\s#\"']+", re.IGNORECASE)
# Any other path segment that looks like a random token: 32+ URL-safe characters that are not a
# plain lower-case slug (articles' slugs stay readable).
_LONG = re.compile(
    r"(?<=/)(?![a-z0-9]+(?:-[a-z0-9]+)*(?:/|$|[\s?#\"']))[A-Za-z0-9_:-]{32,}(?=/|$|[\s?#\"'])"
)


def scrub(text: str) -> str:
    if "/" not in text and "=" not in text:
        return text
    text = _PREFIXED.sub(rf"\g<1>{MASK}", text)
    text = _RESET.sub(rf"\g<1>{MASK}/{MASK}", text)
    text = _QUERY.sub(rf"\g<1>{MASK}", text)
    return _LONG.sub(MASK, text)


def scrub_record(record: logging.LogRecord) -> logging.LogRecord:
    if getattr(record, "_annulus_scrubbed", False):
        return record
    try:
        message = record.getMessage()
    except Exception:  # a broken format string: leave it to logging's own error path
        return record
    clean = scrub(message)
    if clean != message:
        record.msg, record.args = clean, ()
    record._annulus_scrubbed = True
    return record


class ScrubTokens(logging.Filter):
    """A handler filter: rewrites the record's message without token segments."""

    def filter(self, record: logging.LogRecord) -> bool:
        scrub_record(record)
        return True


_base_factory = logging.getLogRecordFactory()


def _scrubbing_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
    return scrub_record(_base_factory(*args, **kwargs))


def install_record_factory() -> None:
    if logging.getLogRecordFactory() is not _scrubbing_factory:
        logging.setLogRecordFactory(_scrubbing_factory)


def configure(logging_settings: dict[str, Any]) -> None:
    """`LOGGING_CONFIG`: the usual dictConfig, plus the scrubbing record factory."""
    install_record_factory()
    if logging_settings:
        logging.config.dictConfig(logging_settings)
