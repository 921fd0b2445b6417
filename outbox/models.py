from django.db import models
from django.db.models import Q


class OutboxMessage(models.Model):
    """A Celery task to run, written in the same transaction as the change that needs it.

    It is published to the broker after commit and marked published; one that could not be
    published (Redis down) stays pending until the relay publishes it. The tasks it names are
    idempotent, so a message published twice (published, then the mark lost) does no harm.
    """

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["id"], condition=Q(published_at__isnull=True), name="outbox_pending"
            ),
            models.Index(fields=["published_at"], name="outbox_published_at"),
        ]

    def __str__(self):
        state = "published" if self.published_at else "pending"
        return f"{self.task}{tuple(self.args)} ({state})"
