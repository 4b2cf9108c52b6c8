"""Concurrent writers on PostgreSQL must still produce one unbroken chain."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from annulus.audit.models import AuditEvent
from annulus.audit.record import record, verify_chain

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def write(n: int) -> None:
    try:
        for i in range(10):
            record("test.concurrent", details={"writer": n, "i": i})
    finally:
        connection.close()


def test_it_keeps_one_chain_under_concurrent_writers():
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(write, range(8)))
    assert AuditEvent.objects.filter(action="test.concurrent").count() == 80
    report = verify_chain()
    assert report.ok, report
    assert len(set(AuditEvent.objects.values_list("prev_hash", flat=True))) == 80
