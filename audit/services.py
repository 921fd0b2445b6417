from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from audit.context import current_ip
from audit.models import GENESIS, AuditEvent, AuditHead


def audit_record(
    *,
    actor,
    action: str,
    obj,
    before: dict | None = None,
    after: dict | None = None,
    ip: str | None = None,
) -> AuditEvent:
    """Append an event to the chain, in the caller's transaction.

    Must run inside ``transaction.atomic`` so the event commits, or not, with the
    change it records.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record must run inside the transaction of the change it records")
    head, _ = AuditHead.objects.select_for_update().get_or_create(id=1)
    event = AuditEvent(
        seq=head.last_seq + 1,
        created_at=timezone.now(),
        actor=actor if actor is not None and actor.pk else None,
        actor_label=(actor.email if actor is not None and actor.pk else "system"),
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:300] if obj is not None else "",
        before=before or {},
        after=after or {},
        ip=ip if ip is not None else current_ip.get(),
        prev_hash=head.last_hash,
    )
    event.hash = event.compute_hash()
    event.save(force_insert=True)
    AuditHead.objects.filter(id=1).update(
        last_seq=event.seq, last_hash=event.hash, count=head.count + 1
    )
    return event


@dataclass
class Verification:
    intact: bool
    checked: int
    first_broken: int | None = None
    problem: str = ""


def audit_verify(*, chunk_size: int = 5000) -> Verification:
    """Walk the whole chain: every event's hash, every link, no gap, and the head."""
    expected_prev, expected_seq, checked = GENESIS, 1, 0
    with transaction.atomic():
        head = AuditHead.objects.filter(id=1).first()
        for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=chunk_size):
            if event.seq != expected_seq:
                return Verification(
                    False, checked, expected_seq, f"event #{expected_seq} is missing"
                )
            if event.prev_hash != expected_prev:
                return Verification(
                    False, checked, event.seq, "it does not follow the event before it"
                )
            if event.compute_hash() != event.hash:
                return Verification(
                    False, checked, event.seq, "its content does not match its hash"
                )
            expected_prev, expected_seq, checked = event.hash, event.seq + 1, checked + 1
        last_seq = head.last_seq if head else 0
        if last_seq != checked or (head and head.last_hash != expected_prev):
            return Verification(
                False, checked, checked + 1, f"the chain should end at event #{last_seq}"
            )
    return Verification(True, checked)
