"""What the compliance rules read, each a set-based query over the projects in scope.

A rule asks the scope for a fact (the declarations, the team, the panel seats, the
sign-offs); each fact is read once per check, by one query whatever the number of
projects, and kept for the other rules. Times matter: a sign-off is judged by what was
true when it was made, and a gate by what was true when it was approved.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

from django.db.models import QuerySet

from accounts.models import Membership, Organisation, User
from audit.models import AuditEvent
from governance.models import Declaration, Gate, Interest, PanelMember, Review, SignOff
from governance.selectors.gates import eligibility_problems
from partnerships.models import Partner, Project, TeamMember


@dataclass(frozen=True, slots=True)
class DeclarationRow:
    pk: int
    declared_at: datetime.datetime
    conflicted: bool


@dataclass(frozen=True, slots=True)
class ReviewRow:
    panel_id: int
    panel_name: str
    panel_quorum: int
    low_risk: bool


@dataclass(frozen=True, slots=True)
class SignOffRow:
    pk: int
    gate_id: int
    project_id: int
    kind: str
    gate_status: str
    gate_round: int
    decided_at: datetime.datetime | None
    reviewer_id: int
    round: int
    decision: str
    created_at: datetime.datetime
    low_risk_route: bool


def person_label(first: str, last: str, email: str) -> str:
    name = f"{first} {last}".strip()
    return f"{name} ({email})" if name else email


class Scope:
    """The projects the check reads (all, or those one ICB leads) and the facts about them."""

    def __init__(self, *, today: datetime.date, icb: Organisation | None = None):
        self.today = today
        self.icb = icb
        self.memo: dict = {}  # what the rules work out once and share

    def scoped(self, queryset: QuerySet, path: str = "project") -> QuerySet:
        """``queryset`` limited to the projects in scope (``path`` leads to the project)."""
        if self.icb is None:
            return queryset
        prefix = f"{path}__" if path else ""
        return queryset.filter(**{f"{prefix}lead_organisation": self.icb})

    @property
    def projects(self) -> QuerySet[Project]:
        return self.scoped(Project.objects.all(), path="")

    # Declarations ---------------------------------------------------------------------

    @cached_property
    def declarations(self) -> dict[tuple[int, int], list[DeclarationRow]]:
        """Each person's project declarations, oldest first, keyed by (project, person)."""
        rows = (
            self.scoped(Declaration.objects.filter(project__isnull=False))
            .order_by("declared_at", "pk")
            .values_list("project_id", "person_id", "pk", "declared_at")
        )
        with_interests = self.interests  # a declaration with any interest declares a conflict
        found: dict[tuple[int, int], list[DeclarationRow]] = defaultdict(list)
        for project_id, person_id, pk, declared_at in rows.iterator(chunk_size=5000):
            found[(project_id, person_id)].append(
                DeclarationRow(pk, declared_at, pk in with_interests)
            )
        return found

    def declaration_at(self, project_id: int, person_id: int, when) -> DeclarationRow | None:
        """The person's current declaration for the project at ``when``: their latest
        made by then."""
        current = None
        for row in self.declarations.get((project_id, person_id), ()):
            if row.declared_at > when:
                break
            current = row
        return current

    @cached_property
    def interests(self) -> dict[int, list[tuple[str, str, datetime.datetime | None]]]:
        """Each declaration's interests: (category, organisation concerned, when its
        management was recorded, or None)."""
        rows = self.scoped(
            Interest.objects.filter(declaration__project__isnull=False), "declaration__project"
        ).values_list("declaration_id", "category", "organisation_name", "management__recorded_at")
        found: dict[int, list] = defaultdict(list)
        for declaration_id, category, organisation, managed_at in rows.iterator(chunk_size=5000):
            found[declaration_id].append((category, organisation, managed_at))
        return found

    # Who is on what -------------------------------------------------------------------

    @cached_property
    def team(self) -> dict[int, dict[int, datetime.datetime]]:
        """Each project's team: person -> when they joined it."""
        found: dict[int, dict[int, datetime.datetime]] = defaultdict(dict)
        rows = self.scoped(TeamMember.objects.all()).values_list(
            "project_id", "user_id", "created_at"
        )
        for project_id, user_id, joined in rows.iterator(chunk_size=5000):
            found[project_id][user_id] = joined
        return found

    @cached_property
    def reviews(self) -> dict[int, ReviewRow]:
        rows = self.scoped(Review.objects.all()).values_list(
            "project_id", "panel_id", "panel__name", "panel__quorum", "low_risk"
        )
        return {row[0]: ReviewRow(*row[1:]) for row in rows.iterator(chunk_size=5000)}

    @cached_property
    def seats(self) -> dict[int, dict[int, datetime.datetime]]:
        """Each panel's members: person -> when they joined it."""
        found: dict[int, dict[int, datetime.datetime]] = defaultdict(dict)
        for panel_id, user_id, joined in PanelMember.objects.values_list(
            "panel_id", "user_id", "created_at"
        ):
            found[panel_id][user_id] = joined
        return found

    @cached_property
    def partner_companies(self) -> dict[int, dict[int, str]]:
        """Each project's partners other than the lead body: organisation -> name."""
        found: dict[int, dict[int, str]] = defaultdict(dict)
        rows = self.scoped(Partner.objects.filter(is_lead=False)).values_list(
            "project_id", "organisation_id", "organisation__name"
        )
        for project_id, organisation_id, name in rows.iterator(chunk_size=5000):
            found[project_id][organisation_id] = name
        return found

    @cached_property
    def partner_memberships(self) -> dict[int, dict[int, datetime.datetime]]:
        """People's memberships of organisations that are a partner (not the lead) on some
        project in scope: person -> organisation -> when they joined it."""
        partners = self.scoped(Partner.objects.filter(is_lead=False)).values("organisation_id")
        found: dict[int, dict[int, datetime.datetime]] = defaultdict(dict)
        rows = Membership.objects.filter(organisation_id__in=partners).values_list(
            "user_id", "organisation_id", "created_at"
        )
        for user_id, organisation_id, joined in rows.iterator(chunk_size=5000):
            found[user_id].setdefault(organisation_id, joined)
        return found

    def people(self, ids) -> dict[int, str]:
        """Names and emails of the people a breach mentions (one query)."""
        rows = User.objects.filter(pk__in=set(ids)).values_list(
            "pk", "first_name", "last_name", "email"
        )
        return {pk: person_label(first, last, email) for pk, first, last, email in rows}

    # Gates and sign-offs --------------------------------------------------------------

    @cached_property
    def sign_offs(self) -> list[SignOffRow]:
        rows = (
            self.scoped(SignOff.objects.all(), "gate__project")
            .order_by("gate_id", "created_at", "pk")
            .values_list(
                "pk",
                "gate_id",
                "gate__project_id",
                "gate__kind",
                "gate__status",
                "gate__round",
                "gate__decided_at",
                "reviewer_id",
                "round",
                "decision",
                "created_at",
                "low_risk_route",
            )
        )
        return [SignOffRow(*row) for row in rows.iterator(chunk_size=5000)]

    def approved_gates(self, kind: str | None = None) -> QuerySet[Gate]:
        gates = self.scoped(Gate.objects.filter(status=Gate.Status.APPROVED))
        return gates.filter(kind=kind) if kind else gates

    @cached_property
    def approval_quorums(self) -> dict[int, int]:
        """The quorum each gate was approved under, as the audit trail recorded it at the
        time (the latest approval of each gate)."""
        events = (
            AuditEvent.objects.filter(
                object_type="governance.gate", action="gate.status", after__status="approved"
            )
            .order_by("seq")
            .values_list("object_id", "after__quorum")
        )
        found = {}
        for object_id, quorum in events.iterator(chunk_size=5000):
            if isinstance(quorum, int) and object_id.isdigit():
                found[int(object_id)] = quorum
        return found

    def partner_names_at(self, project_id: int, person_id: int, when) -> list[str]:
        """The partner companies of the project the person was a member of at ``when``."""
        joined = self.partner_memberships.get(person_id, {})
        return [
            name
            for organisation_id, name in self.partner_companies.get(project_id, {}).items()
            if organisation_id in joined and joined[organisation_id] <= when
        ]

    def on_team_at(self, project_id: int, person_id: int, when) -> bool:
        joined = self.team.get(project_id, {}).get(person_id)
        return joined is not None and joined <= when

    def eligibility_problems_at(self, project_id: int, person_id: int, when) -> list[str]:
        """Why the person could not sign off the project's gates at ``when`` (governance's
        rule, with the facts of that moment); empty when they could. Panel seats keep no
        history of removals, so the person is taken to sit on the reviewing panel."""
        review = self.reviews.get(project_id)
        declaration = self.declaration_at(project_id, person_id, when)
        return eligibility_problems(
            panel_name=review.panel_name if review else None,
            on_panel=True,
            on_team=self.on_team_at(project_id, person_id, when),
            partner_names=self.partner_names_at(project_id, person_id, when),
            declared=declaration is not None,
            conflicted=bool(declaration and declaration.conflicted),
        )

    def panel_at(self, project_id: int, when) -> list[int]:
        """The members of the project's reviewing panel who had joined it by ``when``."""
        review = self.reviews.get(project_id)
        if review is None:
            return []
        return [
            person
            for person, joined in self.seats.get(review.panel_id, {}).items()
            if joined <= when
        ]
