"""Permission-scoped reads for declarations of interest."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import Membership, Organisation, User
from accounts.selectors import is_administrator
from governance.models import Declaration, Interest, PanelMember, Review
from governance.selectors.register import filter_number
from governance.services.declarations import PANEL_ROLES, can_manage_conflict
from partnerships.models import Project, TeamMember

Role = Membership.Role
REGISTER_ROLES = (Role.PANEL_MEMBER, Role.PANEL_CHAIR, Role.AUDITOR)


def _latest_first(queryset):
    return queryset.order_by("-declared_at", "-pk")


def current_declaration(user, project) -> Declaration | None:
    """The person's latest declaration for the project (for project None: this year's annual)."""
    declarations = Declaration.objects.filter(person=user)
    if project is None:
        declarations = declarations.filter(project__isnull=True, year=timezone.localdate().year)
    else:
        declarations = declarations.filter(project=project)
    return _latest_first(declarations).prefetch_related("interests").first()


def has_declared_conflict(user, project) -> bool:
    """Whether the person's current declaration for the project declares any interest."""
    declaration = current_declaration(user, project)
    return bool(declaration and declaration.interests.all())


def annual_declaration_due(user) -> bool:
    """A decision-maker (panel member or chair) with no annual declaration for this year."""
    if not user.is_authenticated:
        return False
    if not Membership.objects.filter(user=user, role__in=PANEL_ROLES).exists():
        return False
    return not Declaration.objects.filter(
        person=user, project__isnull=True, year=timezone.localdate().year
    ).exists()


@dataclass
class DeclarationStatus:
    person: User
    required_as: str
    declaration: Declaration | None

    @property
    def declared(self) -> bool:
        return self.declaration is not None

    @property
    def conflict(self) -> bool:
        return bool(self.declaration and self.declaration.interests.all())


def declaration_status_for_project(project) -> list[DeclarationStatus]:
    """Everyone who must declare for the project (its team, and everyone on the panel that
    reviews it: before submission, every panel member and chair of its lead ICB), with
    their current declaration, if any. A fixed number of queries."""
    required: dict[int, tuple[User, str]] = {}
    for member in TeamMember.objects.filter(project=project).select_related("user"):
        required.setdefault(member.user_id, (member.user, Declaration.Role.TEAM_MEMBER.label))
    review = Review.objects.filter(project=project).first()
    if review is not None:
        # Once the gates are open: whoever sits on the reviewing panel.
        seats = PanelMember.objects.filter(panel_id=review.panel_id).select_related("user")
        panel = [(seat.user, seat.is_chair) for seat in seats]
    else:
        memberships = Membership.objects.filter(
            organisation_id=project.lead_organisation_id, role__in=PANEL_ROLES
        ).select_related("user")
        panel = [(m.user, m.role == Role.PANEL_CHAIR) for m in memberships]
    for user, is_chair in panel:
        label = (
            Declaration.Role.DECISION_MAKER.label if is_chair else Declaration.Role.REVIEWER.label
        )
        required.setdefault(user.pk, (user, label))
    latest: dict[int, Declaration] = {}
    declarations = _latest_first(
        Declaration.objects.filter(project=project, person_id__in=required)
    ).prefetch_related("interests")
    for declaration in declarations:
        latest.setdefault(declaration.person_id, declaration)
    rows = [
        DeclarationStatus(person=user, required_as=label, declaration=latest.get(pk))
        for pk, (user, label) in required.items()
    ]
    return sorted(rows, key=lambda r: (r.person.last_name, r.person.first_name, r.person.email))


# The user's own declarations ------------------------------------------------------------


def declarations_for(*, user) -> QuerySet[Declaration]:
    return _latest_first(
        Declaration.objects.filter(person=user)
        .select_related("project")
        .prefetch_related("interests__management")
    )


def declarable_projects(*, user) -> QuerySet[Project]:
    """Projects the user declares for: on the team, or on the lead ICB's panel."""
    if not user.is_authenticated:
        return Project.objects.none()
    on_team = TeamMember.objects.filter(project=OuterRef("pk"), user=user)
    on_panel = Membership.objects.filter(
        user=user, role__in=PANEL_ROLES, organisation=OuterRef("lead_organisation")
    )
    return (
        Project.objects.filter(Exists(on_team) | Exists(on_panel))
        .select_related("lead_organisation")
        .order_by("-updated_at")
    )


def project_for_declaration(*, user, pk) -> Project:
    return get_object_or_404(declarable_projects(user=user), pk=pk)


def declarable_role(user, project) -> str:
    """The role the user declares as: team member, reviewer (panel member) or decision-maker."""
    if TeamMember.objects.filter(project=project, user=user).exists():
        return Declaration.Role.TEAM_MEMBER
    if Membership.objects.filter(
        user=user, organisation_id=project.lead_organisation_id, role=Role.PANEL_CHAIR
    ).exists():
        return Declaration.Role.DECISION_MAKER
    return Declaration.Role.REVIEWER


def can_make_annual_declaration(user) -> bool:
    return Membership.objects.filter(user=user, role__in=PANEL_ROLES).exists()


# The register of declarations -----------------------------------------------------------


def can_see_register(user) -> bool:
    return (
        is_administrator(user)
        or Membership.objects.filter(user=user, role__in=REGISTER_ROLES).exists()
    )


def register_organisations_for(*, user) -> QuerySet[Organisation]:
    """The ICBs whose declarations the user may read."""
    if is_administrator(user):
        return Organisation.objects.filter(kind=Organisation.Kind.ICB).order_by("name")
    return (
        Organisation.objects.filter(memberships__user=user, memberships__role__in=REGISTER_ROLES)
        .distinct()
        .order_by("name")
    )


def _in_organisations(organisation_ids) -> Q:
    """Declarations that belong to these organisations: project declarations by the lead
    organisation; annual ones by the organisations the person belongs to."""
    annual = Membership.objects.filter(
        user=OuterRef("person"), organisation_id__in=organisation_ids
    )
    return Q(project__lead_organisation_id__in=organisation_ids) | Q(
        Exists(annual), project__isnull=True
    )


def register_for(*, user) -> QuerySet[Declaration]:
    """Every declaration the user may see in the register; PermissionDenied for other roles."""
    if not can_see_register(user):
        raise PermissionDenied
    declarations = Declaration.objects.all()
    if not is_administrator(user):
        organisation_ids = list(register_organisations_for(user=user).values_list("pk", flat=True))
        declarations = declarations.filter(_in_organisations(organisation_ids))
    return _latest_first(
        declarations.select_related("person", "project__lead_organisation").prefetch_related(
            Prefetch(
                "interests", queryset=Interest.objects.select_related("management__recorded_by")
            ),
            Prefetch(
                "person__memberships",
                queryset=Membership.objects.select_related("organisation"),
            ),
        )
    )


def register_filter(
    declarations: QuerySet[Declaration], *, icb="", person="", category="", project="", year=""
) -> QuerySet[Declaration]:
    icb, person = filter_number(icb), filter_number(person)
    year = filter_number(year, high=9999)
    if icb is not None:
        declarations = declarations.filter(_in_organisations([icb]))
    if person is not None:
        declarations = declarations.filter(person_id=person)
    if category in Interest.Category.values:
        declarations = declarations.filter(
            Exists(Interest.objects.filter(declaration=OuterRef("pk"), category=category))
        )
    if project == "annual":
        declarations = declarations.filter(project__isnull=True)
    elif (project_id := filter_number(project)) is not None:
        declarations = declarations.filter(project_id=project_id)
    if year is not None:
        declarations = declarations.filter(
            Q(year=year) | Q(project__isnull=False, declared_at__year=year)
        )
    return declarations


def register_choices(declarations: QuerySet[Declaration], *, user) -> dict:
    base = declarations.order_by()
    return {
        "icbs": register_organisations_for(user=user),
        "people": User.objects.filter(declarations__in=base).distinct(),
        "projects": Project.objects.filter(declarations__in=base).distinct().order_by("title"),
        "categories": Interest.Category.choices,
        "years": sorted(
            {d.year for d in base.dates("declared_at", "year")}
            | {y for y in base.values_list("year", flat=True).distinct() if y},
            reverse=True,
        ),
    }


def register_icb_label(declaration: Declaration) -> str:
    if declaration.project_id:
        return declaration.project.lead_organisation.name
    return ", ".join(
        sorted(
            {
                m.organisation.name
                for m in declaration.person.memberships.all()
                if m.organisation.kind == Organisation.Kind.ICB
            }
        )
    )


def interest_for_manage(*, user, pk) -> Interest:
    """An interest the user may manage: 404 when they cannot see it, 403 when not the chair."""
    try:
        visible = register_for(user=user)
    except PermissionDenied:
        raise Http404("No such interest") from None
    interest = get_object_or_404(
        Interest.objects.select_related(
            "declaration__person", "declaration__project__lead_organisation", "management"
        ).filter(declaration__in=visible.order_by()),
        pk=pk,
    )
    if not can_manage_conflict(user, interest):
        raise PermissionDenied
    return interest
