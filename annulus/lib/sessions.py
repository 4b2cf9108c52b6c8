"""The database session store, except that a database outage is not a "session interrupted".

Django's store turns any DatabaseError while updating the session row into UpdateError, which
SessionMiddleware answers with SessionInterrupted, a 400 "Bad request": meant for a session
deleted by a concurrent logout, it also blamed the visitor when the database went away. Here an
outage is raised as itself, so the error page answers 503 (annulus/website/views.server_error).
A row that is really gone still gives UpdateError.
"""

from __future__ import annotations

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import UpdateError

from annulus.lib.outage import is_database_outage


class SessionStore(db.SessionStore):
    def save(self, must_create: bool = False) -> None:
        try:
            super().save(must_create=must_create)
        except UpdateError as exc:
            cause = exc.__context__
            if cause is not None and is_database_outage(cause):
                raise cause from None
            raise
