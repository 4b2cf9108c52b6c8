from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_triggers(sender: Any, using: str = "default", **kwargs: Any) -> None:
    from django.db import connections

    from annulus.audit import triggers

    connection = connections[using]
    if "audit_auditevent" in connection.introspection.table_names():
        triggers.install(connection)


class AuditConfig(AppConfig):
    name = "annulus.audit"
    label = "audit"

    def ready(self) -> None:
        post_migrate.connect(_ensure_triggers, sender=self)
