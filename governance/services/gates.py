"""The four governance gates: opening and reopening them, sign-off and the review route.

Every write validates, runs in one transaction with the project row locked (so two
reviewers acting at once are put in order), and writes its audit event there too.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import audit_record
from governance.gates import GATES, GATES_BY_KIND, fingerprint, gate_state
from governance.models import Gate, Review, RouteChange, SignOff
from governance.selectors import gates as selectors
from governance.services.panels import default_panel_for
from partnerships.models import Project
from partnerships.selectors import projects as project_selectors
from partnerships.services.projects import event_record, project_transition

GS = Gate.Status
D = SignOff.Decision


class SignOffRefused(PermissionDenied):
    """The reviewer may not sign off; ``problems`` says each reason."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("You cannot sign off this gate: " + "; ".join(problems))


# Opening and reopening the gates --------------------------------------------------------


def _gate_event(*, gate: Gate, actor, description: str, reason: str = "") -> None:
    event_record(
        project=gate.project,
        actor=actor,
        action=f"gate.{gate.kind}",
        description=description,
        reason=reason,
    )


def gates_open(*, project: Project, actor: User | None) -> list[Gate]:
    """On submission: the first time, open all four gates for the lead organisation's
    panel; on resubmission, reopen the gates that asked for changes and every approved
    gate whose sections have changed since it was approved."""
    review = Review.objects.filter(project=project).first()
    now = timezone.now()
    if review is None:
        panel = default_panel_for(project.lead_organisation)
        review = Review.objects.create(project=project, panel=panel, opened_at=now)
        gates = Gate.objects.bulk_create(
            [Gate(project=project, kind=spec.kind, opened_at=now) for spec in GATES]
        )
        audit_record(
            actor=actor,
            action="review.open",
            obj=review,
            after={"panel": panel.name, "gates": [g.kind for g in gates]},
        )
        event_record(
            project=project,
            actor=actor,
            action="gates.open",
            description=f"The four governance gates opened for the {panel.name}",
        )
        return gates

    project = project_selectors.project_detail_queryset().get(pk=project.pk)
    reopened = []
    for gate in Gate.objects.select_for_update().filter(project=project).order_by("pk"):
        gate.project = project
        why = ""
        if gate.status == GS.CHANGES_REQUESTED:
            why = "changes were requested"
        elif gate.status == GS.APPROVED and gate.approved_fingerprint != fingerprint(
            project, gate.kind
        ):
            why = "its sections changed since it was approved"
        if not why:
            continue
        before = {"status": gate.status, "round": gate.round}
        gate.status = GS.PENDING
        gate.round += 1
        gate.opened_at = now
        gate.decided_at = None
        gate.approved_fingerprint = ""
        gate.save()
        audit_record(
            actor=actor,
            action="gate.reopen",
            obj=gate,
            before=before,
            after={"status": gate.status, "round": gate.round, "why": why},
        )
        _gate_event(
            gate=gate,
            actor=actor,
            description=f"{gate.get_kind_display()} gate reopened: {why}",
        )
        reopened.append(gate)
    return reopened


def gates_on_transition(*, project: Project, action: str, from_status: str, actor) -> None:
    """Registered with partnerships: a submission opens (or reopens) the gates."""
    if action == "submit":
        gates_open(project=project, actor=actor)


# Sign-off ----------------------------------------------------------------------------


def _clean_criteria(spec, *, low_risk: bool, criteria: dict) -> tuple[dict, list[str]]:
    """Each criterion of the route answered yes or no, with a comment for every no."""
    answers, errors = {}, []
    for criterion in spec.criteria_for(low_risk=low_risk):
        answer = (criteria or {}).get(criterion.key) or {}
        met = answer.get("met")
        comment = str(answer.get("comment") or "").strip()
        if met not in (True, False):
            errors.append(f"Answer yes or no: {criterion.text}")
            continue
        if met is False and not comment:
            errors.append(f"Say why not: {criterion.text}")
        answers[criterion.key] = {"met": met, "comment": comment}
    return answers, errors


def gate_sign_off(
    *,
    gate: Gate,
    decision: str,
    comment: str = "",
    criteria: dict,
    actor: User,
) -> SignOff:
    """Record a reviewer's decision on a gate, then apply the gate rule; the project
    follows its gates (approved when all four are, changes requested or rejected when
    any is). The latest decision of each reviewer counts while the gate is open."""
    if decision not in D.values:
        raise ValidationError({"decision": "Select approve, request changes or reject"})
    comment = (comment or "").strip()
    if decision == D.REQUEST_CHANGES and not comment:
        raise ValidationError({"comment": "Say what needs to change: the team will see it"})
    if decision == D.REJECT and not comment:
        raise ValidationError({"comment": "Give the reason for rejecting the proposal"})
    spec = GATES_BY_KIND[gate.kind]

    with transaction.atomic():
        project = (
            project_selectors.project_detail_queryset()
            .select_for_update(of=("self",))
            .get(pk=gate.project_id)
        )
        gate = Gate.objects.select_for_update().get(pk=gate.pk)
        gate.project = project
        review = Review.objects.select_related("panel").get(project=project)
        if project.status != Project.Status.SUBMITTED or not gate.is_open:
            raise ValidationError(
                f"The {spec.title.lower()} gate is not open for sign-off: the project is "
                f"{project.get_status_display().lower()} and the gate is "
                f"{gate.get_status_display().lower()}"
            )
        found = selectors.eligibility(actor, project, review.panel)
        if not found.eligible:
            raise SignOffRefused(found.problems)
        answers, errors = _clean_criteria(spec, low_risk=review.low_risk, criteria=criteria)
        if errors:
            raise ValidationError(errors)
        if decision == D.APPROVE:
            unmet = [c.text for c in spec.criteria if answers.get(c.key, {}).get("met") is False]
            if unmet:
                raise ValidationError(
                    "You answered no to a criterion, so you cannot approve: request changes "
                    "or reject instead"
                )
            if gate.kind == Gate.Kind.CONFLICTS:
                problems = selectors.conflicts_gate_problems(project)
                if problems:
                    raise ValidationError(
                        ["The conflicts of interest gate cannot be approved yet:", *problems]
                    )
            if gate.kind == Gate.Kind.OUTCOME_MEASURES:
                problems = selectors.outcome_gate_problems(project)
                if problems:
                    raise ValidationError(
                        ["The outcome measures gate cannot be approved yet:", *problems]
                    )
        sign_off = SignOff.objects.create(
            gate=gate,
            reviewer=actor,
            round=gate.round,
            decision=decision,
            comment=comment,
            criteria=answers,
            low_risk_route=review.low_risk,
        )
        audit_record(
            actor=actor,
            action="gate.sign_off",
            obj=gate,
            after={
                "project": project.reference,
                "round": gate.round,
                "decision": decision,
                "comment": comment,
                "criteria": answers,
                "low_risk_route": review.low_risk,
            },
        )
        _gate_event(
            gate=gate,
            actor=actor,
            description=f"{sign_off.get_decision_display()}: {spec.title.lower()} gate",
            reason=comment,
        )
        _gate_apply_rule(gate=gate, project=project, review=review)
    return sign_off


def _approval_blocked(gate: Gate, project: Project) -> bool:
    """Whether the data behind the gate stops it being approved, whatever the votes."""
    if gate.kind == Gate.Kind.CONFLICTS:
        return bool(selectors.conflicts_gate_problems(project))
    if gate.kind == Gate.Kind.OUTCOME_MEASURES:
        return bool(selectors.outcome_gate_problems(project))
    return False


def _gate_apply_rule(*, gate: Gate, project: Project, review: Review) -> None:
    """Work out the gate's state from its eligible reviewers' latest decisions and move it
    (and, when that settles the project, the project) on."""
    decisions = [
        s.decision
        for s in selectors.latest_sign_offs(gate)
        if selectors.eligibility(s.reviewer, project, review.panel).eligible
    ]
    status = gate_state(decisions=decisions, quorum=review.quorum)
    if status == GS.APPROVED and _approval_blocked(gate, project):
        status = GS.IN_REVIEW
    if status == gate.status:
        return
    before = gate.status
    gate.status = status
    gate.decided_at = timezone.now() if status not in Gate.OPEN_STATUSES else None
    gate.approved_fingerprint = fingerprint(project, gate.kind) if status == GS.APPROVED else ""
    gate.save()
    audit_record(
        actor=None,
        action="gate.status",
        obj=gate,
        before={"status": before},
        after={"status": status, "round": gate.round, "quorum": review.quorum},
    )
    if status in Gate.OPEN_STATUSES:
        return
    _gate_event(
        gate=gate, actor=None, description=f"{gate.get_kind_display()} gate {status_label(status)}"
    )
    title = GATES_BY_KIND[gate.kind].title
    if status == GS.APPROVED:
        if not Gate.objects.filter(project=project).exclude(status=GS.APPROVED).exists():
            project_transition(project=project, action="approve", actor=None)
    elif status == GS.CHANGES_REQUESTED:
        comments = "\n".join(
            s.comment for s in selectors.latest_sign_offs(gate) if s.decision == D.REQUEST_CHANGES
        )
        project_transition(
            project=project,
            action="request_changes",
            actor=None,
            reason=f"{title}: {comments}",
        )
    elif status == GS.REJECTED:
        comments = "\n".join(
            s.comment for s in selectors.latest_sign_offs(gate) if s.decision == D.REJECT
        )
        project_transition(
            project=project, action="reject", actor=None, reason=f"{title}: {comments}"
        )


def status_label(status: str) -> str:
    return GS(status).label.lower()


# The route ---------------------------------------------------------------------------


def review_route_set(*, project: Project, low_risk: bool, reason: str, actor: User) -> Review:
    """The chair marks a submitted project low-risk (quorum 1, the shorter criteria) or puts
    it back on the standard route. Every change is recorded with its reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason for the change of route"})
    with transaction.atomic():
        project = (
            project_selectors.project_detail_queryset()
            .select_for_update(of=("self",))
            .get(pk=project.pk)
        )
        if not selectors.can_set_route(actor, project):
            raise PermissionDenied(
                "Only the chair of the reviewing panel changes the route, while the project "
                "is submitted"
            )
        review = Review.objects.select_for_update().select_related("panel").get(project=project)
        low_risk = bool(low_risk)
        if review.low_risk == low_risk:
            raise ValidationError(
                "The project is already on the "
                + ("low-risk" if low_risk else "standard")
                + " route"
            )
        review.low_risk = low_risk
        review.save(update_fields=["low_risk"])
        change = RouteChange.objects.create(
            review=review, low_risk=low_risk, reason=reason, changed_by=actor
        )
        route = "low-risk" if low_risk else "standard"
        audit_record(
            actor=actor,
            action="review.route",
            obj=review,
            before={"low_risk": not low_risk},
            after={"low_risk": low_risk, "reason": reason, "quorum": review.quorum},
        )
        event_record(
            project=project,
            actor=actor,
            action="review.route",
            description=f"Review route changed to {route} (quorum {review.quorum})",
            reason=reason,
        )
        # A smaller quorum may already be met.
        for gate in Gate.objects.select_for_update().filter(
            project=project, status__in=Gate.OPEN_STATUSES
        ):
            gate.project = project
            project.refresh_from_db(fields=["status"])
            if project.status != Project.Status.SUBMITTED:
                break
            _gate_apply_rule(gate=gate, project=project, review=review)
        review.last_change = change
    return review
