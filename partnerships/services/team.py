from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from guardian.shortcuts import remove_perm

from accounts.models import Membership, User
from partnerships.models import Project, TeamMember
from partnerships.selectors import projects as selectors
from partnerships.services.projects import LEAD_PERMS, _lock_editable, event_record, grant_lead


def team_member_add(
    *, project: Project, user: User, role: str, actor: User, responsibilities: str = ""
) -> TeamMember:
    """Add someone from one of the partner organisations to the team."""
    if not selectors.is_project_lead(actor, project):
        raise PermissionDenied("Only the project lead or deputy can change the team")
    partner_orgs = list(project.partners.values_list("organisation_id", flat=True))
    membership = (
        Membership.objects.filter(user=user, organisation_id__in=partner_orgs)
        .select_related("organisation")
        .order_by("-organisation__kind")
        .first()
    )
    if membership is None:
        raise ValidationError({"user": "Choose someone from one of the partner organisations"})
    organisation = membership.organisation
    if role in (TeamMember.Role.LEAD, TeamMember.Role.DEPUTY) and not organisation.is_nhs:
        raise ValidationError({"role": "The project lead and deputy must be NHS staff"})
    with transaction.atomic():
        locked = _lock_editable(project)
        try:
            with transaction.atomic():
                member = TeamMember.objects.create(
                    project=locked,
                    user=user,
                    organisation=organisation,
                    role=role,
                    responsibilities=responsibilities.strip(),
                )
        except IntegrityError as exc:
            if locked.team.filter(user=user).exists():
                raise ValidationError({"user": f"{user} is already on the team"}) from exc
            raise ValidationError(
                {"role": f"The project already has a {TeamMember.Role(role).label.lower()}"}
            ) from exc
        if role in (TeamMember.Role.LEAD, TeamMember.Role.DEPUTY):
            grant_lead(project=locked, user=user)
        event_record(
            project=locked,
            actor=actor,
            action="team_add",
            description=f"Added {user} to the team as {member.get_role_display().lower()}",
        )
    return member


def team_member_remove(*, member: TeamMember, actor: User) -> None:
    project = member.project
    if not selectors.is_project_lead(actor, project):
        raise PermissionDenied("Only the project lead or deputy can change the team")
    if member.user_id == actor.pk and member.role == TeamMember.Role.LEAD:
        raise ValidationError("Name another project lead before removing yourself")
    with transaction.atomic():
        _lock_editable(project)
        if member.role in (TeamMember.Role.LEAD, TeamMember.Role.DEPUTY):
            for perm in LEAD_PERMS:
                if perm != "view_project":
                    remove_perm(f"partnerships.{perm}", member.user, project)
        name, label = member.user, member.get_role_display().lower()
        member.delete()
        event_record(
            project=project,
            actor=actor,
            action="team_remove",
            description=f"Removed {name} ({label}) from the team",
        )
