"""Governance panels: creating them, seating and unseating members, the chair's settings
(quorum and reminder thresholds), and the default panel a first submission gets.

Every write validates, runs in one transaction and writes its audit event there too.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.models import Membership, Organisation, User
from accounts.selectors import is_administrator
from audit.services import audit_record
from governance.models import Panel, PanelMember
from governance.selectors import gates as selectors

PANEL_ROLES = (Membership.Role.PANEL_MEMBER, Membership.Role.PANEL_CHAIR)
MAX_QUORUM = 20
MAX_DAYS = 250  # about a working year


def _panel_snapshot(panel: Panel) -> dict:
    return {
        "name": panel.name,
        "organisation": panel.organisation_id,
        "quorum": panel.quorum,
        "remind_after_days": panel.remind_after_days,
        "escalate_after_days": panel.escalate_after_days,
    }


def check_thresholds(quorum, remind_after_days, escalate_after_days) -> None:
    errors = {}
    if not isinstance(quorum, int) or not 1 <= quorum <= MAX_QUORUM:
        errors["quorum"] = f"The quorum must be a whole number from 1 to {MAX_QUORUM}"
    if not isinstance(remind_after_days, int) or not 1 <= remind_after_days < MAX_DAYS:
        errors["remind_after_days"] = (
            f"Remind after a whole number of working days, from 1 to {MAX_DAYS - 1}"
        )
    elif (
        not isinstance(escalate_after_days, int)
        or not remind_after_days < escalate_after_days <= MAX_DAYS
    ):
        errors["escalate_after_days"] = (
            "Escalate to the chair later than the reminder: a whole number of working days "
            f"from {remind_after_days + 1} to {MAX_DAYS}"
        )
    if errors:
        raise ValidationError(errors)


def panel_create(
    *,
    organisation: Organisation,
    name: str,
    actor: User | None,
    quorum: int = 2,
    remind_after_days: int = 5,
    escalate_after_days: int = 10,
    is_default: bool = True,
) -> Panel:
    if actor is not None and not is_administrator(actor):
        raise PermissionDenied("Only an administrator sets up governance panels")
    if not organisation.is_nhs:
        raise ValidationError({"organisation": "Only NHS bodies have governance panels"})
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Enter the panel's name"})
    check_thresholds(quorum, remind_after_days, escalate_after_days)
    with transaction.atomic():
        if Panel.objects.filter(organisation=organisation, name=name).exists():
            raise ValidationError({"name": "This organisation already has a panel of that name"})
        if is_default:
            Panel.objects.filter(organisation=organisation, is_default=True).update(
                is_default=False
            )
        panel = Panel.objects.create(
            organisation=organisation,
            name=name,
            quorum=quorum,
            remind_after_days=remind_after_days,
            escalate_after_days=escalate_after_days,
            is_default=is_default,
        )
        audit_record(actor=actor, action="panel.create", obj=panel, after=_panel_snapshot(panel))
    return panel


def panel_member_add(
    *, panel: Panel, user: User, is_chair: bool = False, actor: User | None
) -> PanelMember:
    """Seat a panel member or chair of the panel's organisation on the panel."""
    if actor is not None and not is_administrator(actor):
        raise PermissionDenied("Only an administrator changes who sits on a panel")
    roles = set(
        Membership.objects.filter(user=user, organisation_id=panel.organisation_id).values_list(
            "role", flat=True
        )
    )
    if not roles.intersection(PANEL_ROLES):
        raise ValidationError(
            f"{user} must be a panel member or chair of {panel.organisation} to sit on its panel"
        )
    with transaction.atomic():
        if is_chair:
            PanelMember.objects.filter(panel=panel, is_chair=True).exclude(user=user).update(
                is_chair=False
            )
        member, created = PanelMember.objects.update_or_create(
            panel=panel, user=user, defaults={"is_chair": is_chair}
        )
        audit_record(
            actor=actor,
            action="panel.member_add" if created else "panel.member_change",
            obj=panel,
            after={"user": user.email, "is_chair": is_chair},
        )
    return member


def panel_member_remove(*, member: PanelMember, actor: User | None) -> None:
    if actor is not None and not is_administrator(actor):
        raise PermissionDenied("Only an administrator changes who sits on a panel")
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="panel.member_remove",
            obj=member.panel,
            before={"user": member.user.email, "is_chair": member.is_chair},
        )
        member.delete()


def panel_settings_update(
    *, panel: Panel, quorum: int, remind_after_days: int, escalate_after_days: int, actor: User
) -> Panel:
    """The chair (or an administrator) sets the quorum and the reminder thresholds."""
    if not (is_administrator(actor) or selectors.is_panel_chair(actor, panel)):
        raise PermissionDenied("Only the panel's chair sets its quorum and thresholds")
    check_thresholds(quorum, remind_after_days, escalate_after_days)
    with transaction.atomic():
        locked = Panel.objects.select_for_update().get(pk=panel.pk)
        seats = PanelMember.objects.filter(panel=locked).count()
        if quorum > seats:
            raise ValidationError(
                {
                    "quorum": f"The quorum cannot be more than the {seats} people on the panel, "
                    "or no gate could ever be approved"
                }
            )
        before = _panel_snapshot(locked)
        locked.quorum = quorum
        locked.remind_after_days = remind_after_days
        locked.escalate_after_days = escalate_after_days
        locked.save(update_fields=["quorum", "remind_after_days", "escalate_after_days"])
        audit_record(
            actor=actor,
            action="panel.settings",
            obj=locked,
            before=before,
            after=_panel_snapshot(locked),
        )
    return locked


def default_panel_for(organisation: Organisation) -> Panel:
    """The organisation's default panel; an organisation that has none gets one, seating
    its current panel members and its first panel chair, so a submission never waits on
    set-up. Administrators change it afterwards."""
    panel = selectors.default_panel(organisation.pk)
    if panel is not None:
        return panel
    panel = panel_create(
        organisation=organisation, name=f"{organisation.name} governance panel", actor=None
    )
    chair_seated = False
    for membership in Membership.objects.filter(
        organisation=organisation, role__in=PANEL_ROLES
    ).order_by("role", "created_at", "pk"):
        if PanelMember.objects.filter(panel=panel, user_id=membership.user_id).exists():
            continue
        is_chair = membership.role == Membership.Role.PANEL_CHAIR and not chair_seated
        chair_seated = chair_seated or is_chair
        panel_member_add(panel=panel, user=membership.user, is_chair=is_chair, actor=None)
    return panel
