"""The audit trail: append-only events, each chained to the one before by SHA-256.

It sits below every other app (audit ← accounts ← partnerships ← governance ←
outcomes) so that each of them can write its events in the same transaction
as the change they record.
"""

import hashlib
import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

GENESIS = "0" * 64


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Audit events cannot be changed")

    def delete(self):
        raise PermissionError("Audit events cannot be deleted")


class AuditEvent(models.Model):
    """One thing that happened: who, what, to which object, before and after, when, from where."""

    seq = models.BigAutoField(primary_key=True)
    created_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=254)
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40)
    object_repr = models.CharField(max_length=300)
    before = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    ip = models.GenericIPAddressField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id", "seq"])]

    def __str__(self):
        return f"#{self.seq} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("Audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit events cannot be deleted")

    def content(self) -> dict:
        """What the hash covers: everything but the hash itself."""
        return {
            "seq": self.seq,
            "created_at": self.created_at.isoformat(),
            "actor": self.actor_id,
            "actor_label": self.actor_label,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_repr": self.object_repr,
            "before": self.before,
            "after": self.after,
            "ip": self.ip,
            "prev_hash": self.prev_hash,
        }

    def compute_hash(self) -> str:
        text = json.dumps(
            self.content(), sort_keys=True, cls=DjangoJSONEncoder, separators=(",", ":")
        )
        return hashlib.sha256(text.encode()).hexdigest()


class AuditHead(models.Model):
    """The end of the chain. Locking this one row puts appends in a single order, and
    it remembers the last event so that removing events from the end is caught too."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS)
    count = models.BigIntegerField(default=0)

    def __str__(self):
        return f"audit head at #{self.last_seq}"
