"""Permission-scoped reads of projects.

A project is visible to its team, the members of its partner organisations
(the lead ICB's panel among them), auditors and administrators; to anyone
else its id is a 404.
"""

from django.contrib.auth.models import Permission
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404

from accounts.models import Membership
from accounts.selectors import is_administrator, profile_for
from partnerships.models import (
    OutcomeMeasure,
    Partner,
    Project,
    ProjectGroupObjectPermission,
    ProjectUserObjectPermission,
    TeamMember,
)
from partnerships.sections import OPENABLE_SECTIONS

Role = Membership.Role


def sees_every_project(user) -> bool:
    return is_administrator(user) or profile_for(user).has_role(Role.AUDITOR)


def project_list_for(*, user) -> QuerySet[Project]:
    if not user.is_authenticated:
        return Project.objects.none()
    if sees_every_project(user) or user.is_superuser:
        projects = Project.objects.all()
    else:
        projects = Project.objects.filter(pk__in=visible_project_ids(user))
    return _with_organisations(projects)


def _with_organisations(projects: QuerySet[Project]) -> QuerySet[Project]:
    """Projects with their lead organisation and partners, as the lists show them."""
    return projects.select_related("lead_organisation").prefetch_related(
        Prefetch("partners", queryset=Partner.objects.select_related("organisation"))
    )


def _view_permission() -> Subquery:
    """The id of the permission to view a project. Compared by its id, so the planner can
    estimate the rows it finds."""
    return Subquery(
        Permission.objects.filter(
            codename="view_project",
            content_type__app_label="partnerships",
            content_type__model="project",
        ).values("pk")[:1]
    )


def visible_project_ids(user) -> QuerySet:
    """The ids of projects the user may view through django-guardian's object permissions:
    granted to them, or to a group they are in. What get_objects_for_user(user,
    "partnerships.view_project", accept_global_perms=False) finds, as a union that
    PostgreSQL answers from the permission tables' indexes: get_objects_for_user's OR of
    two subqueries reads every project in the table."""
    view = _view_permission()
    by_user = ProjectUserObjectPermission.objects.filter(user=user, permission=view)
    by_group = ProjectGroupObjectPermission.objects.filter(
        group__in=user.groups.values("pk"), permission=view
    )
    return (
        by_user.order_by()
        .values("content_object_id")
        .union(by_group.order_by().values("content_object_id"))
    )


def _visible_row_by_row(user) -> Q:
    """Visibility as two EXISTS joined by OR, rather than visible_project_ids' union.
    PostgreSQL cannot turn this into a join, so it checks each project against the
    permission ids gathered once (hashed subplans) and, reading newest first with a limit,
    walks the project_recent index and stops when it has enough: a few milliseconds however
    many projects a company or an ICB can see, where the union makes it fetch them all and
    sort. For a small set the union is the better plan: see newest_projects_for."""
    view = _view_permission()
    by_user = ProjectUserObjectPermission.objects.filter(
        content_object=OuterRef("pk"), user=user, permission=view
    )
    by_group = ProjectGroupObjectPermission.objects.filter(
        content_object=OuterRef("pk"), group__in=user.groups.values("pk"), permission=view
    )
    return Q(Exists(by_user)) | Q(Exists(by_group))


# From how many matching projects a newest-first list over every status walks the
# project_recent index rather than sorting them: walking reads about limit × (all projects
# / matching) rows, sorting reads every match, so at 100,000 projects and ten to a list
# they cost about the same near a thousand (measured over every company's industry member
# on make bench's data). A list of one status walks that status's index, where its
# projects are denser: pass a lower ``walk_from``.
WALK_NEWEST_FROM = 1000


def newest_projects_for(
    *, user, where: Q, limit: int, cap: int, walk_from: int = WALK_NEWEST_FROM
) -> tuple[list[Project], int]:
    """The newest ``limit`` projects the user may see that match ``where`` (last updated
    first, as project_list_for shows them), and how many match, counted up to ``cap + 1``:
    a count above ``cap`` means "more than cap". Two queries (three with the partners
    prefetched), each stopping early whatever the number of projects: the count stops past
    ``walk_from`` (or ``cap``); up to ``walk_from`` matches the list is read through the
    permission tables and sorted, and past it walks the newest projects until it has
    ``limit``."""
    if not user.is_authenticated:
        return [], 0
    if sees_every_project(user) or user.is_superuser:
        projects = row_by_row = Project.objects.all()
    else:
        projects = Project.objects.filter(pk__in=visible_project_ids(user))
        row_by_row = Project.objects.filter(_visible_row_by_row(user))
    count = projects.filter(where).order_by()[: max(cap, walk_from) + 1].count()
    if count > walk_from:
        projects = row_by_row
    newest = _with_organisations(projects.filter(where).order_by("-updated_at", "-pk"))
    return list(newest[:limit]), min(count, cap + 1)


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


def project_summary_for_view(*, user, pk) -> Project:
    """The project row alone, for a page that checks permission before it reads the rest
    (or finds the rest in its cache): fetched and checked in one query, as can_view decides
    (the same object permissions, through _visible_row_by_row)."""
    if not user.is_authenticated:
        raise Http404("No such project")
    projects = Project.objects.filter(pk=pk)
    if not (sees_every_project(user) or user.is_superuser):
        projects = projects.filter(_visible_row_by_row(user))
    project = projects.first()
    if project is None:
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


def needing_action(user) -> Q:
    """What makes a project wait on this user: changes requested, or approved and waiting
    to start, with the user its project lead or deputy."""
    leading = TeamMember.objects.filter(
        user=user, role__in=[TeamMember.Role.LEAD, TeamMember.Role.DEPUTY]
    ).values("project")
    return Q(status__in=[Project.Status.CHANGES_REQUESTED, Project.Status.APPROVED], pk__in=leading)


def projects_needing_action(*, user) -> QuerySet[Project]:
    """Projects waiting on this user as project lead or deputy."""
    return project_list_for(user=user).filter(needing_action(user))


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
