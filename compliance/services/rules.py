"""The rules of DESIGN.md as an auditor checks them afterwards: one small function each.

Each takes the Scope (the projects in scope and the facts read about them) and yields
(project id, evidence) for every breach it finds. They apply the portal's own rules where
the services already state them (the gate rule, reviewer eligibility, measure
completeness, the final report deadline, the outcome report schedule), fed with what was
true at the time, rather than stating the rules again.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterator
from types import SimpleNamespace

from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from compliance.services.facts import Scope, SignOffRow
from governance.gates import GATES_BY_KIND, gate_state
from governance.models import Gate, Panel, SignOff
from outcomes.models import OutcomeReport
from outcomes.schedule import report_periods
from partnerships.models import (
    Document,
    DocumentVersion,
    Objective,
    OutcomeMeasure,
    Partner,
    Project,
)
from partnerships.sections import measure_problems_of
from partnerships.selectors.final_reports import final_reports_overdue

S = Project.Status
Found = Iterator[tuple[int, str]]
# Statuses a project reaches only by starting delivery.
STARTED = (S.ACTIVE, S.COMPLETED, S.CLOSED)
# Statuses a project reaches only through submission, and keeps the submitted data in.
SUBMITTED_ON = (S.SUBMITTED, S.APPROVED, S.ACTIVE, S.COMPLETED, S.CLOSED)


def _day(value) -> str:
    if isinstance(value, datetime.datetime):
        value = timezone.localdate(value)
    return f"{value:%-d %B %Y}"


def _gate_title(kind: str) -> str:
    return GATES_BY_KIND[kind].title.lower()


# DESIGN rule 4 --------------------------------------------------------------------------


def summary_after_start(scope: Scope) -> Found:
    """A project that has started whose executive summary was published after its start
    date, or never."""
    late = Q(summary_published_at__isnull=True) | Q(summary_published_at__date__gt=F("start_date"))
    rows = (
        scope.projects.filter(status__in=STARTED, start_date__isnull=False)
        .filter(late)
        .order_by()
        .values_list("pk", "start_date", "summary_published_at")
    )
    for pk, start, published in rows.iterator(chunk_size=5000):
        if published is None:
            yield pk, f"Started on {_day(start)}; the executive summary has not been published"
        else:
            yield (
                pk,
                (
                    f"Started on {_day(start)}; the executive summary was published on "
                    f"{_day(published)}"
                ),
            )


def agreement_missing(scope: Scope) -> Found:
    """A project that has started (active, completed or closed) with no signed written
    agreement uploaded."""
    signed = DocumentVersion.objects.filter(
        document__project=OuterRef("pk"), document__kind=Document.Kind.AGREEMENT
    )
    rows = (
        scope.projects.filter(status__in=STARTED)
        .filter(~Exists(signed))
        .order_by()
        .values_list("pk", "status")
    )
    for pk, status in rows.iterator(chunk_size=5000):
        yield pk, f"The project is {S(status).label.lower()} and no signed agreement is uploaded"


# Gates and sign-offs (DESIGN rule 6 and the gate rule) ------------------------------------


def _sign_off_problems(scope: Scope, sign_off: SignOffRow) -> list[str]:
    """Why the reviewer was not eligible when they signed off (governance's rule, with the
    facts of that moment). Panel seats keep no history, so whoever signed off is taken to
    have sat on the panel then. Worked out once a sign-off, for the rules that ask."""
    known = scope.memo.setdefault("sign_off_problems", {})
    if sign_off.pk not in known:
        known[sign_off.pk] = _eligibility_then(scope, sign_off)
    return known[sign_off.pk]


def _eligibility_then(scope: Scope, sign_off: SignOffRow) -> list[str]:
    return scope.eligibility_problems_at(
        sign_off.project_id, sign_off.reviewer_id, sign_off.created_at
    )


def third_person(problem: str) -> str:
    """An eligibility problem, said of the reviewer in the past: "you are on the project
    team" becomes "was on the project team"."""
    for mine, theirs in (("you are", "was"), ("you have", "had"), ("your", "their")):
        problem = problem.replace(mine, theirs)
    return problem


def _counted(scope: Scope) -> dict[int, list[SignOffRow]]:
    """Each approved gate's decisions that counted: each reviewer's latest in the round the
    gate was approved in, made by the time it was approved."""
    latest: dict[int, dict[int, SignOffRow]] = defaultdict(dict)
    for row in scope.sign_offs:
        if row.gate_status != Gate.Status.APPROVED or row.round != row.gate_round:
            continue
        if row.decided_at is not None and row.created_at > row.decided_at:
            continue
        latest[row.gate_id][row.reviewer_id] = row  # rows come oldest first
    return {gate_id: list(rows.values()) for gate_id, rows in latest.items()}


def _quorum_then(scope: Scope, gate_id: int, project_id: int, rows: list[SignOffRow]) -> int:
    """The quorum the gate was approved under: as the audit trail recorded it; failing
    that, the low-risk quorum if the deciding sign-off was on that route, else the panel's."""
    if gate_id in scope.approval_quorums:
        return scope.approval_quorums[gate_id]
    deciding = max(rows, key=lambda r: (r.created_at, r.pk), default=None)
    if deciding is not None and deciding.low_risk_route:
        return Panel.LOW_RISK_QUORUM
    review = scope.reviews.get(project_id)
    return review.panel_quorum if review else Panel._meta.get_field("quorum").default


def gate_below_quorum(scope: Scope) -> Found:
    """An approved gate whose eligible reviewers' decisions, at the time, did not approve it
    under the gate rule: fewer eligible approvals than the quorum (or a request for
    changes still standing)."""
    counted = _counted(scope)
    found = []
    gates = scope.approved_gates().order_by().values_list("pk", "project_id", "kind", "decided_at")
    for gate_id, project_id, kind, decided_at in gates.iterator(chunk_size=5000):
        rows = counted.get(gate_id, [])
        eligible = [r for r in rows if not _sign_off_problems(scope, r)]
        quorum = _quorum_then(scope, gate_id, project_id, rows)
        decisions = [r.decision for r in eligible]
        if gate_state(decisions=decisions, quorum=quorum) == Gate.Status.APPROVED:
            continue
        approvals = decisions.count(SignOff.Decision.APPROVE)
        when = f" on {_day(decided_at)}" if decided_at else ""
        evidence = (
            f"The {_gate_title(kind)} gate was approved{when} with {approvals} eligible "
            f"approval{'s' if approvals != 1 else ''} where its quorum was {quorum}"
        )
        if SignOff.Decision.REQUEST_CHANGES in decisions:
            evidence += ", and a request for changes still stood"
        found.append((project_id, evidence, [r.reviewer_id for r in rows if r not in eligible]))
    names = scope.people(person for _, _, people in found for person in people)
    for project_id, evidence, not_counted in found:
        if not_counted:
            evidence += "; not eligible: " + ", ".join(names[p] for p in not_counted)
        yield project_id, evidence


def ineligible_sign_off(scope: Scope) -> Found:
    """A sign-off by a reviewer on the project team, a member of a partner company, or with
    an interest (or no declaration) in the project when they signed."""
    found = [
        (row, problems) for row in scope.sign_offs if (problems := _sign_off_problems(scope, row))
    ]
    names = scope.people(row.reviewer_id for row, _ in found)
    for row, problems in found:
        reasons = "; ".join(third_person(p) for p in problems)
        yield (
            row.project_id,
            (
                f"{names[row.reviewer_id]} signed off the {_gate_title(row.kind)} gate "
                f"({SignOff.Decision(row.decision).label.lower()}) on {_day(row.created_at)} "
                f"and {reasons}"
            ),
        )


def _required_at(scope: Scope, project_id: int, when) -> dict[int, str]:
    """Who had to declare for the project at ``when``: its team, and the reviewing panel."""
    required = {
        person: "team member"
        for person, joined in scope.team.get(project_id, {}).items()
        if joined <= when
    }
    review = scope.reviews.get(project_id)
    if review is not None:
        for person, joined in scope.seats.get(review.panel_id, {}).items():
            if joined <= when:
                required.setdefault(person, "panel member")
    return required


def _at_conflicts_approval(scope: Scope):
    """Each person who had to declare for a project when its conflicts of interest gate was
    approved: (project, person, role, when approved, their declaration then or None)."""
    gates = (
        scope.approved_gates(Gate.Kind.CONFLICTS).order_by().values_list("project_id", "decided_at")
    )
    for project_id, decided_at in gates.iterator(chunk_size=5000):
        if decided_at is None:
            continue
        for person, role in _required_at(scope, project_id, decided_at).items():
            declaration = scope.declaration_at(project_id, person, decided_at)
            yield project_id, person, role, decided_at, declaration


def undeclared_at_conflicts_approval(scope: Scope) -> Found:
    """A team or panel member with no declaration for the project when its conflicts of
    interest gate was approved."""
    missing = [
        (project_id, person, role, decided_at)
        for project_id, person, role, decided_at, declaration in _at_conflicts_approval(scope)
        if declaration is None
    ]
    names = scope.people(person for _, person, _, _ in missing)
    for project_id, person, role, decided_at in missing:
        yield (
            project_id,
            (
                f"{names.get(person, person)} ({role}) had not declared when the conflicts of "
                f"interest gate was approved on {_day(decided_at)}"
            ),
        )


def unmanaged_conflict_at_conflicts_approval(scope: Scope) -> Found:
    """A declared conflict with no recorded management action when the project's conflicts
    of interest gate was approved."""
    unmanaged = []
    for project_id, person, _, decided_at, declaration in _at_conflicts_approval(scope):
        if declaration is None or not declaration.conflicted:
            continue
        for _, organisation, managed_at in scope.interests.get(declaration.pk, ()):
            if managed_at is None or managed_at > decided_at:
                unmanaged.append((project_id, person, organisation, decided_at))
    names = scope.people(person for _, person, _, _ in unmanaged)
    for project_id, person, organisation, decided_at in unmanaged:
        yield (
            project_id,
            (
                f"{names.get(person, person)}'s interest in {organisation} had no recorded "
                f"management action when the conflicts of interest gate was approved on "
                f"{_day(decided_at)}"
            ),
        )


# DESIGN rule 5 --------------------------------------------------------------------------


def measure_incomplete_at_approval(scope: Scope) -> Found:
    """An objective without a complete outcome measure when the outcome measures gate was
    approved (measures added after approval do not count)."""
    gates = scope.approved_gates(Gate.Kind.OUTCOME_MEASURES)
    approved = dict(gates.order_by().values_list("project_id", "decided_at"))
    # The objectives and measures as they were, with the attributes measure_problems_of
    # reads (plain objects: model instances cost more to make than the check itself).
    in_scope = Q(
        project__gates__kind=Gate.Kind.OUTCOME_MEASURES,
        project__gates__status=Gate.Status.APPROVED,
    )
    objectives = defaultdict(list)
    rows = scope.scoped(Objective.objects.filter(in_scope)).values_list(
        "project_id", "pk", "number", "description"
    )
    for project_id, pk, number, description in rows.iterator(chunk_size=5000):
        objectives[project_id].append(
            SimpleNamespace(pk=pk, project_id=project_id, number=number, description=description)
        )
    measures = defaultdict(list)
    fields = (
        "pk",
        "objective_id",
        "name",
        "unit",
        "baseline_value",
        "baseline_date",
        "target_value",
        "target_date",
        "data_source",
        "frequency",
    )
    rows = scope.scoped(OutcomeMeasure.objects.filter(in_scope)).values_list(
        "project_id", "created_at", *fields
    )
    for project_id, created_at, *values in rows.iterator(chunk_size=5000):
        decided_at = approved.get(project_id)
        if decided_at is None or created_at <= decided_at:
            measures[project_id].append(SimpleNamespace(**dict(zip(fields, values, strict=True))))
    for project_id, decided_at in approved.items():
        for problem in measure_problems_of(objectives[project_id], measures[project_id]):
            when = f" on {_day(decided_at)}" if decided_at else ""
            yield project_id, f"When the outcome measures gate was approved{when}, {problem}"


# DESIGN rule 2 --------------------------------------------------------------------------


def partner_contributes_nothing(scope: Scope) -> Found:
    """A partner of a submitted project with neither a financial nor an in-kind
    contribution (Partner.contributes)."""
    rows = (
        scope.scoped(Partner.objects.filter(project__status__in=SUBMITTED_ON))
        .filter(financial_contribution__lte=0, in_kind_value__lte=0)
        .order_by()
        .values_list("project_id", "organisation__name")
    )
    for project_id, name in rows.iterator(chunk_size=5000):
        yield project_id, f"{name} contributes nothing, financial or in kind"


# DESIGN rule 9 --------------------------------------------------------------------------


def final_report_late(scope: Scope) -> Found:
    """A final report past its deadline: not published and overdue, or published after the
    deadline, or a project closed without its outcome summary."""
    overdue = final_reports_overdue(scope.projects, today=scope.today).only(
        "pk", "end_date", "delivery_ended_on"
    )
    for project in overdue.iterator(chunk_size=5000):
        yield (
            project.pk,
            (
                f"The final report was due by {_day(project.final_report_deadline)} and has not "
                "been published"
            ),
        )
    closed = (
        scope.projects.filter(status=S.CLOSED)
        .order_by()
        .only("pk", "end_date", "delivery_ended_on", "outcome_summary_published_at")
    )
    for project in closed.iterator(chunk_size=5000):
        published, deadline = project.outcome_summary_published_at, project.final_report_deadline
        if published is None:
            yield project.pk, "The project is closed and its outcome summary is not published"
        elif deadline is not None and timezone.localdate(published) > deadline:
            yield (
                project.pk,
                (
                    f"The final report was due by {_day(deadline)} and was published on "
                    f"{_day(published)}"
                ),
            )


def outcome_reports_overdue(scope: Scope) -> Found:
    """An active project with outcome reports past their due date and not submitted (the
    schedule of outcomes.schedule)."""
    active = scope.projects.filter(status=S.ACTIVE)
    frequencies = defaultdict(list)
    for project_id, frequency in (
        scope.scoped(OutcomeMeasure.objects.filter(project__status=S.ACTIVE))
        .values_list("project_id", "frequency")
        .iterator(chunk_size=5000)
    ):
        frequencies[project_id].append(frequency)
    submitted = set(
        scope.scoped(
            OutcomeReport.objects.filter(
                project__status=S.ACTIVE, status=OutcomeReport.Status.SUBMITTED
            )
        )
        .values_list("project_id", "period_end")
        .iterator(chunk_size=5000)
    )
    rows = active.order_by().values_list("pk", "start_date", "end_date")
    for pk, start, end in rows.iterator(chunk_size=5000):
        late = [
            period
            for period in report_periods(start, end, frequencies[pk])
            if period.due_date < scope.today and (pk, period.end) not in submitted
        ]
        if late:
            listed = "; ".join(f"to {_day(p.end)}, due {_day(p.due_date)}" for p in late[:3]) + (
                "; …" if len(late) > 3 else ""
            )
            yield (
                pk,
                (f"{len(late)} outcome report{'s' if len(late) != 1 else ''} overdue ({listed})"),
            )
