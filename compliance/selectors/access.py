"""Who may read the compliance check, and the ICBs it can be limited to."""

from django.db.models import QuerySet

from accounts.models import Organisation
from accounts.selectors import can_audit


def can_see_compliance(user) -> bool:
    """Auditors and administrators, as for the audit trail."""
    return can_audit(user)


def compliance_icbs() -> QuerySet[Organisation]:
    """What the check can be limited to: the ICBs, and any other NHS body, that lead
    projects (a project's lead organisation is always an NHS body)."""
    return (
        Organisation.objects.filter(kind__in=Organisation.NHS_KINDS, led_projects__isnull=False)
        .distinct()
        .order_by("name")
    )
