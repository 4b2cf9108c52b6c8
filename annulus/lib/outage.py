"""Is this exception the database being unreachable?

An outage (the server stopped, the connection killed, the file unwritable) is the site's fault
and passes: the error page answers it with 503 and Retry-After, not 500 or a 400 that blames the
visitor. Django wraps every driver's errors in its own classes, so these two cover all backends.
"""

from __future__ import annotations

from django.db import InterfaceError, OperationalError

RETRY_AFTER_SECONDS = 30


def is_database_outage(exc: BaseException | None) -> bool:
    """True when `exc`, or an exception it was raised from or while handling, is an outage."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, OperationalError | InterfaceError):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False
