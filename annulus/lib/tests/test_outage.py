"""A database outage during a request answers 503 with the friendly page, not a 400 or 500.

The database is really stopped at the moment the session row is written back (after the view
ran): SQLite is switched to read-only on that connection, PostgreSQL's backend is killed with
pg_terminate_backend from a second connection. Django's own `execute_wrapper` finds the moment.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import SuspiciousOperation
from django.db import DatabaseError, OperationalError, connection, connections
from django.test import Client
from django.urls import reverse

from annulus.lib.outage import is_database_outage
from annulus.testing import sign_in


def _stop_database() -> None:
    if connection.vendor == "postgresql":
        pid = connection.connection.info.backend_pid
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        finally:
            other.close()
    else:
        # The driver's own connection: every write on it now fails, as on an unwritable file.
        connection.connection.execute("PRAGMA query_only = ON")


@contextmanager
def _before_session_update(action: Callable[[], None]) -> Iterator[None]:
    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if sql.startswith('UPDATE "django_session"'):
            action()
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield


def _signed_in(clinician: Any) -> Client:
    return sign_in(Client(raise_request_exception=False), clinician)


@pytest.mark.django_db(transaction=True)  # PostgreSQL: the killed connection ends the test's
def test_outage_while_saving_the_session_is_503_with_the_friendly_page(clinician: Any) -> None:
    client = _signed_in(clinician)
    try:
        with _before_session_update(_stop_database):
            response = client.get(reverse("workbench:home"))
    finally:
        if connection.vendor == "sqlite" and connection.connection is not None:
            connection.connection.execute("PRAGMA query_only = OFF")
        connection.close()  # PostgreSQL: the killed connection; the next query reconnects
    body = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Something went wrong on our side" in body
    assert "Traceback" not in body and "OperationalError" not in body


def test_a_session_deleted_mid_request_is_still_a_400(db: Any, clinician: Any) -> None:
    """Not an outage: a concurrent logout removed the row, which Django answers with 400."""
    client = _signed_in(clinician)

    def log_out_elsewhere() -> None:
        Session.objects.all().delete()

    with _before_session_update(log_out_elsewhere):
        response = client.get(reverse("workbench:home"))
    assert response.status_code == 400


def test_an_outage_is_found_through_the_exceptions_it_caused() -> None:
    try:
        try:
            raise OperationalError("server closed the connection unexpectedly")
        except OperationalError as exc:
            raise SuspiciousOperation("session interrupted") from exc
    except SuspiciousOperation as outer:
        assert is_database_outage(outer)
    assert not is_database_outage(DatabaseError("Forced update did not affect any rows."))
    assert not is_database_outage(None)


@pytest.mark.parametrize("exc", [ValueError("x"), KeyError("y")])
def test_other_errors_are_not_outages(exc: Exception) -> None:
    assert not is_database_outage(exc)
