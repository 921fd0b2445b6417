from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from accounts.models import Organisation, User
from partnerships.models import Partner, Project
from partnerships.selectors import projects as selectors
from partnerships.services.projects import _lock_editable, event_record, grant_organisation_view

CONTRIBUTION_FIELDS = (
    "accountable_lead_name",
    "accountable_lead_job_title",
    "accountable_lead_email",
    "signatory_name",
    "financial_contribution",
    "in_kind_description",
    "in_kind_value",
)


def partner_add(*, project: Project, organisation: Organisation, actor: User) -> Partner:
    """Add an organisation from the directory; its members may then see the project."""
    if not selectors.is_project_lead(actor, project):
        raise PermissionDenied("Only the project lead or deputy can add partners")
    with transaction.atomic():
        locked = _lock_editable(project)
        try:
            with transaction.atomic():
                partner = Partner.objects.create(project=locked, organisation=organisation)
        except IntegrityError as exc:
            raise ValidationError(
                {"organisation": f"{organisation.name} is already a partner"}
            ) from exc
        grant_organisation_view(project=locked, organisation=organisation)
        event_record(
            project=locked,
            actor=actor,
            action="partner_add",
            description=f"Added {organisation.name} as a partner",
        )
    return partner


def partner_update(*, partner: Partner, data: dict, actor: User) -> Partner:
    if not selectors.can_edit_partner(actor, partner.project, partner):
        raise PermissionDenied("You cannot change this partner's contribution")
    for name in ("financial_contribution", "in_kind_value"):
        if name in data and data[name] is not None and Decimal(data[name]) < 0:
            raise ValidationError({name: "Enter an amount of £0 or more"})
    with transaction.atomic():
        _lock_editable(partner.project)
        locked = Partner.objects.select_for_update().get(pk=partner.pk)
        for name in CONTRIBUTION_FIELDS:
            if name in data:
                setattr(
                    locked, name, data[name] if data[name] is not None else getattr(locked, name)
                )
        locked.full_clean()
        locked.save()
        event_record(
            project=partner.project,
            actor=actor,
            action="partner_update",
            description=f"Changed {locked.organisation.name}'s contribution",
        )
    return locked


def partner_remove(*, partner: Partner, actor: User) -> None:
    if not selectors.is_project_lead(actor, partner.project):
        raise PermissionDenied("Only the project lead or deputy can remove partners")
    if partner.is_lead:
        raise ValidationError("The lead organisation cannot be removed")
    with transaction.atomic():
        project = _lock_editable(partner.project)
        if project.team.filter(organisation=partner.organisation).exists():
            raise ValidationError(
                f"Remove {partner.organisation.name}'s people from the team "
                "before removing the organisation"
            )
        if partner.measures.exists():
            raise ValidationError(
                f"{partner.organisation.name} owns outcome measures: give them another owner "
                "before removing the organisation"
            )
        from guardian.shortcuts import remove_perm

        from accounts.services import organisation_group

        remove_perm("partnerships.view_project", organisation_group(partner.organisation), project)
        name = partner.organisation.name
        partner.delete()
        event_record(
            project=project, actor=actor, action="partner_remove", description=f"Removed {name}"
        )


def partner_invite(
    *,
    project: Project,
    partner: Partner,
    email: str,
    first_name: str,
    last_name: str,
    actor: User,
    job_title: str = "",
):
    """The project lead invites someone from a partner company or other partner to the portal,
    as an industry member of that organisation; once they accept, the lead adds them to the team."""
    from accounts.services import invitation_create

    if not selectors.is_project_lead(actor, project):
        raise PermissionDenied("Only the project lead or deputy can invite partners' staff")
    if partner.project_id != project.pk:
        raise PermissionDenied("That organisation is not a partner on this project")
    if partner.organisation.is_nhs:
        raise ValidationError(
            "NHS colleagues are invited by their own organisation's partnership lead"
        )
    with transaction.atomic():
        invitation = invitation_create(
            organisation=partner.organisation,
            email=email,
            first_name=first_name,
            last_name=last_name,
            job_title=job_title,
            role="industry_member",
            actor=actor,
            authorised_by=f"project {project.pk} lead",
        )
        event_record(
            project=project,
            actor=actor,
            action="partner_invite",
            description=f"Invited {invitation.first_name} {invitation.last_name} "
            f"of {partner.organisation.name} to the portal",
        )
    return invitation
