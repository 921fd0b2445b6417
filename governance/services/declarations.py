"""Recording declarations of interest and how each conflict is managed."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Membership
from accounts.selectors import is_administrator
from audit.services import audit_record
from governance.models import ConflictManagement, Declaration, Interest, PanelMember
from partnerships.models import TeamMember

Role = Membership.Role
PANEL_ROLES = (Role.PANEL_MEMBER, Role.PANEL_CHAIR)
INTEREST_FIELDS = (
    "category",
    "interest_type",
    "description",
    "organisation_name",
    "start_date",
    "end_date",
    "became_aware_on",
)
REQUIRED_MESSAGES = {
    "category": "Select the category of the interest",
    "interest_type": "Select the type of interest",
    "description": "Describe the interest",
    "organisation_name": "Enter the name of the organisation concerned",
    "start_date": "Enter the date the interest started",
    "became_aware_on": "Enter the date you became aware of the interest",
}


def interest_errors(data: dict, *, today: datetime.date | None = None) -> dict[str, str]:
    """What is wrong with one interest, by field: shared by the form and the service."""
    today = today or timezone.localdate()
    errors = {}
    for field, message in REQUIRED_MESSAGES.items():
        if data.get(field) in (None, ""):
            errors[field] = message
    if data.get("category") and data["category"] not in Interest.Category.values:
        errors["category"] = "Select a category from the list"
    if data.get("interest_type") and data["interest_type"] not in Interest.Type.values:
        errors["interest_type"] = "Select a type of interest from the list"
    if len(data.get("organisation_name") or "") > 200:
        errors["organisation_name"] = "Organisation name must be 200 characters or fewer"
    start, end, aware = data.get("start_date"), data.get("end_date"), data.get("became_aware_on")
    if start and end and end < start:
        errors["end_date"] = (
            "The date the interest ended must be the same as or after the date it started"
        )
    if aware and aware > today:
        errors["became_aware_on"] = "The date you became aware must be today or in the past"
    return errors


def can_declare_for_project(person, project) -> bool:
    """On the project team, or a panel member or chair of the project's lead organisation."""
    if TeamMember.objects.filter(project=project, user=person).exists():
        return True
    if Membership.objects.filter(
        user=person, organisation_id=project.lead_organisation_id, role__in=PANEL_ROLES
    ).exists():
        return True
    return PanelMember.objects.filter(user=person, panel__reviews__project=project).exists()


def is_decision_maker(person) -> bool:
    return Membership.objects.filter(user=person, role__in=PANEL_ROLES).exists()


def _snapshot(declaration: Declaration, interests: list[Interest]) -> dict:
    return {
        "project": declaration.project_id,
        "year": declaration.year,
        "role": declaration.role,
        "nil_return": declaration.nil_return,
        "interests": [
            {
                "category": i.category,
                "interest_type": i.interest_type,
                "description": i.description,
                "organisation_name": i.organisation_name,
                "start_date": i.start_date.isoformat(),
                "end_date": i.end_date.isoformat() if i.end_date else None,
                "became_aware_on": i.became_aware_on.isoformat(),
            }
            for i in interests
        ],
    }


def declaration_record(
    *,
    person,
    project=None,
    role: str,
    nil_return: bool,
    interests: list[dict],
    actor,
) -> Declaration:
    """Record a nil return or one or more interests; the latest declaration is the current one."""
    if actor is None or actor.pk != person.pk:
        raise PermissionDenied("People make their own declarations of interest")
    if project is not None:
        if not can_declare_for_project(person, project):
            raise PermissionDenied(
                "Only the project team and the lead ICB's panel declare interests in this project"
            )
    elif not is_decision_maker(person):
        raise PermissionDenied("Annual declarations are made by panel members and chairs")
    if role not in Declaration.Role.values:
        raise ValidationError({"role": "Select the role you are declaring as"})

    interests = [dict(row) for row in interests or []]
    if nil_return and interests:
        raise ValidationError(
            "A nil return has no interests: remove the interests or say you have some to declare"
        )
    if not nil_return and not interests:
        raise ValidationError("Enter at least one interest, or make a nil return")
    problems = []
    for number, row in enumerate(interests, start=1):
        for message in interest_errors(row).values():
            problems.append(f"Interest {number}: {message}")
    if problems:
        raise ValidationError(problems)

    today = timezone.localdate()
    with transaction.atomic():
        declaration = Declaration.objects.create(
            person=person,
            project=project,
            role=role,
            nil_return=nil_return,
            year=None if project is not None else today.year,
        )
        created = Interest.objects.bulk_create(
            [
                Interest(
                    declaration=declaration,
                    **{f: row.get(f) for f in INTEREST_FIELDS if f != "end_date"},
                    end_date=row.get("end_date") or None,
                )
                for row in interests
            ]
        )
        audit_record(
            actor=actor,
            action="declaration.record",
            obj=declaration,
            before={},
            after=_snapshot(declaration, created),
        )
    return declaration


def can_manage_conflict(user, interest: Interest) -> bool:
    """A panel chair of the project's lead ICB (or of the person's organisation, for an
    annual declaration), or an administrator."""
    if is_administrator(user):
        return True
    declaration = interest.declaration
    if declaration.project_id is not None:
        organisations = [declaration.project.lead_organisation_id]
    else:
        organisations = list(
            Membership.objects.filter(user_id=declaration.person_id).values_list(
                "organisation_id", flat=True
            )
        )
    return Membership.objects.filter(
        user=user, role=Role.PANEL_CHAIR, organisation_id__in=organisations
    ).exists()


def conflict_manage(
    *, interest: Interest, action: str, excludes_from_decision: bool, actor
) -> ConflictManagement:
    """Record (or change) how a declared interest is managed."""
    if not can_manage_conflict(actor, interest):
        raise PermissionDenied(
            "Only the panel chair or an administrator records how a conflict is managed"
        )
    action = (action or "").strip()
    if not action:
        raise ValidationError({"action": "Enter how the conflict is managed"})
    with transaction.atomic():
        existing = ConflictManagement.objects.select_for_update().filter(interest=interest).first()
        before = (
            {
                "action": existing.action,
                "excludes_from_decision": existing.excludes_from_decision,
                "recorded_by": existing.recorded_by_id,
            }
            if existing
            else {}
        )
        management = existing or ConflictManagement(interest=interest)
        management.action = action
        management.excludes_from_decision = bool(excludes_from_decision)
        management.recorded_by = actor
        management.recorded_at = timezone.now()
        management.save()
        audit_record(
            actor=actor,
            action="declaration.manage",
            obj=management,
            before=before,
            after={
                "interest": interest.pk,
                "declaration": interest.declaration_id,
                "action": management.action,
                "excludes_from_decision": management.excludes_from_decision,
                "recorded_by": actor.pk,
            },
        )
    return management
