"""The append-only audit log.

Each row stores the MAC of the previous row and its own MAC over its content, so deleting,
inserting or editing any row breaks the chain at that point (`annulus audit verify`). The MAC is
HMAC-SHA256 with a key kept outside the database (annulus/audit/keys.py), so someone who can write
the table cannot recompute the chain; `key_id` names the key, so keys rotate. Rows written before
the chain was keyed have an empty `key_id` and a plain SHA-256, and verify as before. The model
refuses updates and deletes, database triggers refuse them too, and on PostgreSQL the runtime role
may only INSERT and SELECT (`annulus db-roles`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any, NoReturn

from django.conf import settings
from django.db import models

GENESIS_HASH = "0" * 64


class Outcome(models.TextChoices):
    SUCCESS = "success", "Success"
    FAILURE = "failure", "Failure"
    DENIED = "denied", "Denied"


class AppendOnlyQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise PermissionError("The audit log is append-only.")

    def delete(self) -> NoReturn:
        raise PermissionError("The audit log is append-only.")


class AuditEvent(models.Model):
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    clinic = models.ForeignKey(
        "accounts.Clinic", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A plain id, not a foreign key: the trail must outlive any patient row and never cascade.
    patient_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS)
    ip = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    details = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    # The id of the HMAC key that signed this row; empty for legacy unkeyed (SHA-256) rows.
    key_id = models.CharField(max_length=24, blank=True, default="")

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["clinic", "patient_id", "at"], name="audit_patient_time")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.outcome}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise PermissionError("The audit log is append-only.")

    def content(self) -> dict[str, Any]:
        """The fields the hash covers, as JSON-ready values."""
        return {
            "at": self.at.isoformat(timespec="microseconds"),
            "actor": self.actor_id,
            "clinic": self.clinic_id,
            "patient": self.patient_id,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "outcome": self.outcome,
            "ip": self.ip,
            "request_id": self.request_id,
            "details": self.details,
            "prev_hash": self.prev_hash,
        } | ({"key_id": self.key_id} if self.key_id else {})

    def compute_hash(self, secret: bytes | None = None) -> str:
        """HMAC-SHA256 with `secret` for keyed rows; the legacy plain SHA-256 without a key id."""
        canonical = json.dumps(self.content(), sort_keys=True, separators=(",", ":"), default=str)
        if not self.key_id:
            return hashlib.sha256(canonical.encode()).hexdigest()
        if secret is None:
            raise LookupError(f"no audit key with id {self.key_id!r}")
        return hmac.new(secret, canonical.encode(), hashlib.sha256).hexdigest()
