"""Permission-scoped reads of projects.

A project is visible to its team, the members of its partner organisations
(the lead ICB's panel among them), auditors and administrators; to anyone
else its id is a 404.
"""

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from guardian.shortcuts import get_objects_for_user

from accounts.models import Membership
from accounts.selectors import is_administrator, profile_for
from partnerships.models import OutcomeMeasure, Partner, Project, TeamMember
from partnerships.sections import OPENABLE_SECTIONS

Role = Membership.Role


def sees_every_project(user) -> bool:
    return is_administrator(user) or profile_for(user).has_role(Role.AUDITOR)


def project_list_for(*, user) -> QuerySet[Project]:
    if not user.is_authenticated:
        return Project.objects.none()
    if sees_every_project(user):
        projects = Project.objects.all()
    else:
        projects = get_objects_for_user(
            user, "partnerships.view_project", klass=Project, accept_global_perms=False
        )
    return projects.select_related("lead_organisation").prefetch_related(
        Prefetch("partners", queryset=Partner.objects.select_related("organisation"))
    )


def project_detail_queryset() -> QuerySet[Project]:
    return Project.objects.select_related("lead_organisation", "created_by").prefetch_related(
        Prefetch("partners", queryset=Partner.objects.select_related("organisation")),
        Prefetch("team", queryset=TeamMember.objects.select_related("user", "organisation")),
        "objectives",
        Prefetch("measures", queryset=measure_queryset()),
    )


def measure_queryset() -> QuerySet[OutcomeMeasure]:
    """Outcome measures with what their pages show: the objective and the owning partner."""
    return OutcomeMeasure.objects.select_related("objective", "owner__organisation")


def project_for_view(*, user, pk) -> Project:
    project = project_detail_queryset().filter(pk=pk).first()
    if project is None or not can_view(user, project):
        raise Http404("No such project")
    return project


def can_view(user, project: Project) -> bool:
    return user.is_authenticated and (
        sees_every_project(user) or user.has_perm("partnerships.view_project", project)
    )


def is_project_lead(user, project: Project) -> bool:
    """The project lead and deputy (and administrators) steer the whole proposal.

    The answer is kept on the project instance, so a page that asks many times
    asks the database once.
    """
    cache = project.__dict__.setdefault("_lead_cache", {})
    if user.pk not in cache:
        cache[user.pk] = is_administrator(user) or user.has_perm(
            "partnerships.edit_proposal", project
        )
    return cache[user.pk]


def team_member(user, project: Project) -> TeamMember | None:
    return next((m for m in project.team.all() if m.user_id == user.pk), None)


def can_edit_section(user, project: Project, key: str) -> bool:
    if not project.is_editable:
        return False
    if is_project_lead(user, project):
        return True
    member = team_member(user, project)
    return bool(member) and key in project.open_sections and key in OPENABLE_SECTIONS


def can_edit_partner(user, project: Project, partner: Partner) -> bool:
    """Leads edit every partner; a team member edits their own organisation's contribution."""
    if not project.is_editable:
        return False
    if is_project_lead(user, project):
        return True
    member = team_member(user, project)
    return bool(member) and member.organisation_id == partner.organisation_id


def can_comment(user, project: Project) -> bool:
    return is_project_lead(user, project) or team_member(user, project) is not None


def projects_needing_action(*, user) -> QuerySet[Project]:
    """Projects waiting on this user as project lead or deputy."""
    return (
        project_list_for(user=user)
        .filter(
            Q(status=Project.Status.CHANGES_REQUESTED) | Q(status=Project.Status.APPROVED),
            team__user=user,
            team__role__in=[TeamMember.Role.LEAD, TeamMember.Role.DEPUTY],
        )
        .distinct()
    )


CLOSED_TO_DOCUMENTS = (Project.Status.WITHDRAWN, Project.Status.REJECTED, Project.Status.CLOSED)


def can_upload_documents(user, project: Project) -> bool:
    """The project lead and deputy, and the rest of the team, while the project is open."""
    if project.status in CLOSED_TO_DOCUMENTS:
        return False
    return is_project_lead(user, project) or team_member(user, project) is not None


def lead_organisations_for(*, user) -> QuerySet:
    """NHS organisations a user may start a proposal for: where they are a partnership lead
    (administrators: any NHS organisation)."""
    from accounts.models import Organisation

    nhs = Organisation.objects.filter(kind__in=Organisation.NHS_KINDS)
    if is_administrator(user):
        return nhs
    return nhs.filter(
        memberships__user=user, memberships__role=Membership.Role.PARTNERSHIP_LEAD
    ).distinct()
