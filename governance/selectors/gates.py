"""Permission-scoped reads for panels, gates and sign-offs, and the eligibility rule."""

import datetime
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import Membership
from accounts.selectors import is_administrator
from governance.gates import GATES, GATES_BY_KIND
from governance.models import Declaration, Gate, Panel, PanelMember, Review, SignOff
from partnerships.models import Partner, Project, TeamMember
from partnerships.sections import measure_problems
from partnerships.selectors import projects as project_selectors

GS = Gate.Status


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Monday-to-Friday days after ``start`` up to and including ``end`` (bank holidays are
    not known to the portal, so they count as working days)."""
    if end <= start:
        return 0
    weeks, extra = divmod((end - start).days, 7)
    days = weeks * 5
    for offset in range(1, extra + 1):
        if (start + datetime.timedelta(days=offset)).weekday() < 5:
            days += 1
    return days


# Panels ----------------------------------------------------------------------------------


def default_panel(organisation_id) -> Panel | None:
    return Panel.objects.filter(organisation_id=organisation_id, is_default=True).first()


def panel_for_project(project: Project) -> Panel | None:
    """The panel reviewing the project: the one its review opened with, or (before
    submission) the lead organisation's default panel."""
    review = review_for(project)
    if review is not None:
        return review.panel
    return default_panel(project.lead_organisation_id)


def review_for(project: Project) -> Review | None:
    cache = project.__dict__
    if "_review" not in cache:
        cache["_review"] = (
            Review.objects.select_related("panel__organisation").filter(project=project).first()
        )
    return cache["_review"]


def panel_member(user, panel: Panel | None) -> PanelMember | None:
    if panel is None or not user.is_authenticated:
        return None
    return PanelMember.objects.filter(panel=panel, user=user).first()


def is_panel_chair(user, panel: Panel | None) -> bool:
    member = panel_member(user, panel)
    return bool(member and member.is_chair)


def panel_chair(panel: Panel):
    member = PanelMember.objects.filter(panel=panel, is_chair=True).select_related("user").first()
    return member.user if member else None


# Eligibility -----------------------------------------------------------------------------


@dataclass
class Eligibility:
    """Why a reviewer may not sign off a project's gates (empty: they may)."""

    problems: list[str] = field(default_factory=list)

    @property
    def eligible(self) -> bool:
        return not self.problems


def eligibility_problems(
    *,
    panel_name: str | None,
    on_panel: bool,
    on_team: bool,
    partner_names: list[str],
    declared: bool,
    conflicted: bool,
) -> list[str]:
    """DESIGN rule 6 from the facts about one reviewer and one project: why they may not
    sign off its gates (empty: they may). ``eligibility`` gathers the facts for one person
    now; the compliance check gathers them for every sign-off at the time it was made."""
    problems = []
    if panel_name is None:
        problems.append("the lead organisation has no governance panel")
    elif not on_panel:
        problems.append(f"you do not sit on the {panel_name}, which reviews this project")
    if on_team:
        problems.append("you are on the project team")
    if partner_names:
        problems.append(
            "you are a member of a partner organisation (" + ", ".join(sorted(partner_names)) + ")"
        )
    if not declared:
        problems.append("you have not declared your interests in this project")
    elif conflicted:
        problems.append("you have declared an interest in this project")
    return problems


def eligibility(user, project: Project, panel: Panel | None = None) -> Eligibility:
    """DESIGN rule 6, in one place: the reviewer sits on the panel, is not on the team or a
    member of a partner organisation (other than the lead body whose panel it is), has a
    current declaration for the project, and has declared no conflict in it."""
    panel = panel or panel_for_project(project)
    partner_names = list(
        Membership.objects.filter(
            user=user,
            organisation__partnerships__project=project,
            organisation__partnerships__is_lead=False,
        )
        .values_list("organisation__name", flat=True)
        .distinct()
    )
    declaration = (
        Declaration.objects.filter(person=user, project=project)
        .order_by("-declared_at", "-pk")
        .prefetch_related("interests")
        .first()
    )
    problems = eligibility_problems(
        panel_name=panel.name if panel is not None else None,
        on_panel=panel is not None and PanelMember.objects.filter(panel=panel, user=user).exists(),
        on_team=TeamMember.objects.filter(project=project, user=user).exists(),
        partner_names=partner_names,
        declared=declaration is not None,
        conflicted=bool(declaration and declaration.interests.all()),
    )
    return Eligibility(problems)


def conflicts_gate_problems(project: Project) -> list[str]:
    """What stops the conflicts-of-interest gate being approved: anyone required who has not
    declared, and any declared conflict without a recorded management action."""
    from governance.selectors.declarations import declaration_status_for_project

    problems = []
    for row in declaration_status_for_project(project):
        if not row.declared:
            problems.append(f"{row.person} ({row.required_as.lower()}) has not declared")
            continue
        for interest in row.declaration.interests.all():
            if not hasattr(interest, "management"):
                problems.append(
                    f"{row.person}'s interest in {interest.organisation_name} has no recorded "
                    "management action"
                )
    return problems


def outcome_gate_problems(project: Project) -> list[str]:
    """What stops the outcome measures gate being approved (DESIGN rule 5): an objective
    without an outcome measure, or a measure without its baseline, target, data source or
    frequency. The same rule as for submission; it matters here when the data changed after."""
    problems = measure_problems(project)
    return [p[0].upper() + p[1:] for p in problems]


# Gates -----------------------------------------------------------------------------------


def gates_for(project: Project) -> list[Gate]:
    return list(Gate.objects.filter(project=project).order_by("pk"))


def latest_sign_offs(gate: Gate) -> list[SignOff]:
    """Each reviewer's latest decision in the gate's current round."""
    latest: dict[int, SignOff] = {}
    for sign_off in (
        SignOff.objects.filter(gate=gate, round=gate.round)
        .select_related("reviewer")
        .order_by("-created_at", "-pk")
    ):
        latest.setdefault(sign_off.reviewer_id, sign_off)
    return sorted(latest.values(), key=lambda s: s.created_at)


STATE_COLOURS = {
    GS.PENDING: "grey",
    GS.IN_REVIEW: "blue",
    GS.APPROVED: "green",
    GS.CHANGES_REQUESTED: "orange",
    GS.REJECTED: "red",
}


def gate_rows(project: Project) -> list[dict]:
    """Each gate and its state, for the project's status page (one query)."""
    gates = {g.kind: g for g in Gate.objects.filter(project=project)}
    ended = project.status in (Project.Status.REJECTED, Project.Status.WITHDRAWN)
    rows = []
    for spec in GATES:
        gate = gates.get(spec.kind)
        if gate is None:
            state, colour = "Not yet open", "grey"
        elif ended and gate.is_open:
            # The project ended before this gate was decided; nobody reviews it now.
            state, colour = "Closed without a decision", "grey"
        else:
            state, colour = gate.get_status_display(), STATE_COLOURS[gate.status]
        rows.append(
            {
                "name": spec.title,
                "kind": spec.kind,
                "state": state,
                "colour": colour,
                "url": gate.get_absolute_url() if gate else "",
            }
        )
    return rows


def gate_for_view(*, user, project_pk, kind) -> Gate:
    """A gate of a project the user may see; 404 otherwise."""
    if kind not in GATES_BY_KIND:
        raise Http404("No such gate")
    project = project_selectors.project_for_view(user=user, pk=project_pk)
    gate = Gate.objects.filter(project=project, kind=kind).first()
    if gate is None:
        raise Http404("This gate is not open")
    gate.project = project
    return gate


@dataclass
class QueueItem:
    gate: Gate
    days_waiting: int
    decided: SignOff | None


# How many gates a page of the review queue shows.
REVIEW_QUEUE_PAGE_SIZE = 50


def _review_queue_gates(user) -> QuerySet[Gate]:
    """Open gates of submitted projects on the panels the user sits on, oldest first."""
    panels = PanelMember.objects.filter(user=user).values("panel_id")
    return (
        Gate.objects.filter(
            status__in=Gate.OPEN_STATUSES,
            project__status=Project.Status.SUBMITTED,
            project__review__panel__in=panels,
        )
        .select_related("project__lead_organisation", "project__review")
        .prefetch_related(
            Prefetch(
                "project__partners",
                queryset=Partner.objects.filter(is_lead=False).select_related("organisation"),
                to_attr="other_partners",
            )
        )
        .order_by("opened_at", "pk")
    )


def _queue_items(user, gates: list[Gate], today: datetime.date) -> list[QueueItem]:
    """Each gate with the working days it has waited and the user's own latest decision in
    its current round, if any (one query)."""
    mine: dict[tuple[int, int], SignOff] = {}
    for sign_off in SignOff.objects.filter(gate__in=[g.pk for g in gates], reviewer=user).order_by(
        "created_at", "pk"
    ):
        mine[(sign_off.gate_id, sign_off.round)] = sign_off
    return [
        QueueItem(
            gate=g,
            days_waiting=working_days_between(timezone.localdate(g.opened_at), today),
            decided=mine.get((g.pk, g.round)),
        )
        for g in gates
    ]


def review_queue_for(*, user, today: datetime.date | None = None) -> list[QueueItem]:
    """Open gates of submitted projects on the panels the user sits on, oldest first, with
    the working days each has waited and the user's own latest decision, if any. A fixed
    number of queries, whatever the number of gates; pages should use
    review_queue_page_for, which reads one page of them."""
    if not user.is_authenticated:
        return []
    gates = list(_review_queue_gates(user))
    return _queue_items(user, gates, today or timezone.localdate())


def review_queue_page_for(*, user, number=None, per_page: int | None = None, today=None) -> Page:
    """One page of review_queue_for (REVIEW_QUEUE_PAGE_SIZE gates unless ``per_page``
    says), oldest first: ``page.object_list`` holds its
    QueueItems and ``page.paginator.count`` how many gates wait in all. A count and the
    page's gates (with their partners and the user's decisions), whatever the number of
    gates. A page number past the end gives the last page, as Paginator.get_page does."""
    per_page = per_page or REVIEW_QUEUE_PAGE_SIZE
    if not user.is_authenticated:
        return Paginator([], per_page).get_page(1)
    page = Paginator(_review_queue_gates(user), per_page).get_page(number)
    page.object_list = _queue_items(user, list(page.object_list), today or timezone.localdate())
    return page


def can_set_route(user, project: Project) -> bool:
    """The chair of the reviewing panel (or an administrator), while the project is
    submitted."""
    if project.status != Project.Status.SUBMITTED or review_for(project) is None:
        return False
    return is_administrator(user) or is_panel_chair(user, review_for(project).panel)


def panels_for(*, user) -> QuerySet[Panel]:
    """Panels the user may see: those they sit on (administrators: all)."""
    if is_administrator(user):
        return Panel.objects.select_related("organisation")
    return Panel.objects.filter(memberships__user=user).select_related("organisation").distinct()


# The pages: who sees the queue, the sign-off form and the panel settings ----------------


def can_see_review_queue(user) -> bool:
    """Panel members and chairs: whoever sits on a panel or holds either role."""
    if not user.is_authenticated:
        return False
    return (
        PanelMember.objects.filter(user=user).exists()
        or Membership.objects.filter(
            user=user, role__in=(Membership.Role.PANEL_MEMBER, Membership.Role.PANEL_CHAIR)
        ).exists()
    )


@dataclass
class SignOffAccess:
    """What the gate page offers the user: the sign-off form, or why not."""

    on_panel: bool  # sits on the panel reviewing the project
    open: bool  # the project is submitted and the gate awaits decisions
    problems: list[str] = field(default_factory=list)  # eligibility, for panel members

    @property
    def can_sign_off(self) -> bool:
        return self.on_panel and self.open and not self.problems


def sign_off_access(user, gate: Gate) -> SignOffAccess:
    """Whether the user may sign off the gate now (``gate.project`` must be loaded)."""
    project = gate.project
    review = review_for(project)
    panel = review.panel if review else None
    on_panel = panel_member(user, panel) is not None
    is_open = project.status == Project.Status.SUBMITTED and gate.is_open
    problems = eligibility(user, project, panel).problems if on_panel and is_open else []
    return SignOffAccess(on_panel=on_panel, open=is_open, problems=problems)


def sign_offs_by_round(gate: Gate) -> list[tuple[int, list[SignOff]]]:
    """Every decision on the gate, newest round first and newest first within each round
    (one query). In the current round each reviewer's latest decision, the one that counts,
    is marked ``counts``."""
    rounds: dict[int, list[SignOff]] = {}
    seen: set[int] = set()
    for sign_off in (
        SignOff.objects.filter(gate=gate)
        .select_related("reviewer")
        .order_by("-round", "-created_at", "-pk")
    ):
        sign_off.counts = sign_off.round == gate.round and sign_off.reviewer_id not in seen
        if sign_off.round == gate.round:
            seen.add(sign_off.reviewer_id)
        rounds.setdefault(sign_off.round, []).append(sign_off)
    return list(rounds.items())


def can_change_panel(user, panel: Panel) -> bool:
    """The panel's chair, or an administrator, sets its quorum and thresholds."""
    return is_administrator(user) or is_panel_chair(user, panel)


def panel_for_view(*, user, pk) -> Panel:
    """A panel the user sits on (administrators: any); 404 otherwise."""
    panel = panels_for(user=user).filter(pk=pk).first()
    if panel is None:
        raise Http404("No such panel")
    return panel


def panel_seats(panel: Panel) -> list[PanelMember]:
    """Who sits on the panel, the chair first."""
    return list(
        PanelMember.objects.filter(panel=panel)
        .select_related("user")
        .order_by("-is_chair", "user__last_name", "user__first_name", "user__email")
    )


def route_changes_for(review: Review):
    return review.route_changes.select_related("changed_by").order_by("-changed_at", "-pk")
