"""The four gates: the rule, eligibility, sign-off, resubmission and the route."""

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import close_old_connections

from accounts import services as account_services
from accounts.models import Membership
from audit.models import AuditEvent
from audit.services import audit_verify
from governance.gates import GATES_BY_KIND, gate_state
from governance.models import Gate, Panel, PanelMember, Review, SignOff
from governance.selectors import gates as selectors
from governance.services.declarations import conflict_manage, declaration_record
from governance.services.gates import (
    SignOffRefused,
    gate_sign_off,
    review_route_set,
)
from governance.services.panels import panel_settings_update
from partnerships.models import Project
from partnerships.services.projects import project_transition, section_save
from tests.conftest import _member
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

K = Gate.Kind
GS = Gate.Status
D = SignOff.Decision
A, C, R = D.APPROVE, D.REQUEST_CHANGES, D.REJECT


def yes(kind, low_risk=False):
    return {
        c.key: {"met": True, "comment": ""}
        for c in GATES_BY_KIND[kind].criteria_for(low_risk=low_risk)
    }


def nil(person, project):
    return declaration_record(
        person=person,
        project=project,
        role="team_member",
        nil_return=True,
        interests=[],
        actor=person,
    )


def gate(project, kind):
    return Gate.objects.get(project=project, kind=kind)


def sign(project, kind, reviewer, decision=A, comment="", low_risk=False):
    return gate_sign_off(
        gate=gate(project, kind),
        decision=decision,
        comment=comment,
        criteria=yes(kind, low_risk),
        actor=reviewer,
    )


@pytest.fixture
def everyone(partnership_lead, deputy, industry_member, panel_member, panel_chair):
    return [partnership_lead, deputy, industry_member, panel_member, panel_chair]


@pytest.fixture
def submitted(ready_proposal, everyone, partnership_lead):
    """Submitted, with everyone on the team and the panel declared (nil returns)."""
    for person in everyone:
        nil(person, ready_proposal)
    return project_transition(project=ready_proposal, action="submit", actor=partnership_lead)


# The rule ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("decisions", "quorum", "expected"),
    [
        ([], 2, GS.PENDING),
        ([A], 2, GS.IN_REVIEW),
        ([A, A], 2, GS.APPROVED),
        ([A, A, A], 2, GS.APPROVED),
        ([A], 1, GS.APPROVED),
        ([A, A], 3, GS.IN_REVIEW),
        ([A, A, C], 2, GS.CHANGES_REQUESTED),
        ([C], 1, GS.CHANGES_REQUESTED),
        ([A, R], 1, GS.REJECTED),
        ([C, R], 2, GS.REJECTED),
    ],
)
def test_gate_rule(decisions, quorum, expected):
    assert gate_state(decisions=decisions, quorum=quorum) == expected


# Opening the gates ---------------------------------------------------------------------


def test_submission_opens_four_gates_for_the_default_panel(
    submitted, icb, panel_member, panel_chair
):
    review = Review.objects.get(project=submitted)
    assert review.panel.organisation == icb and review.panel.quorum == 2
    assert {m.user: m.is_chair for m in review.panel.memberships.all()} == {
        panel_member: False,
        panel_chair: True,
    }
    gates = Gate.objects.filter(project=submitted)
    assert sorted(g.kind for g in gates) == sorted(K.values)
    assert {g.status for g in gates} == {GS.PENDING}
    assert AuditEvent.objects.filter(action="review.open").count() == 1


# Eligibility ---------------------------------------------------------------------------


def test_outsider_of_the_panel_is_refused(submitted, icb):
    stranger = _member(icb, Membership.Role.PANEL_MEMBER)  # joined after the panel was set up
    nil(stranger, submitted)
    with pytest.raises(SignOffRefused) as refused:
        sign(submitted, K.SHARED_PURPOSE, stranger)
    assert refused.value.problems == [
        f"you do not sit on the {Review.objects.get(project=submitted).panel.name}, "
        "which reviews this project"
    ]


def test_member_of_a_partner_organisation_is_refused(submitted, company, panel_member):
    account_services.membership_add(
        user=panel_member, organisation=company, role=Membership.Role.AUDITOR
    )
    with pytest.raises(SignOffRefused) as refused:
        sign(submitted, K.SHARED_PURPOSE, panel_member)
    assert refused.value.problems == [
        "you are a member of a partner organisation (Example Pharma UK Ltd)"
    ]


def test_reviewer_without_a_declaration_is_refused(ready_proposal, partnership_lead, panel_member):
    project = project_transition(project=ready_proposal, action="submit", actor=partnership_lead)
    with pytest.raises(SignOffRefused) as refused:
        sign(project, K.SHARED_PURPOSE, panel_member)
    assert refused.value.problems == ["you have not declared your interests in this project"]
    assert not SignOff.objects.exists()


def test_reviewer_with_a_declared_conflict_is_refused(submitted, panel_member):
    declaration_record(
        person=panel_member,
        project=submitted,
        role="reviewer",
        nil_return=False,
        interests=[
            {
                "category": "financial",
                "interest_type": "shareholding",
                "description": "Shares",
                "organisation_name": "Example Pharma UK Ltd",
                "start_date": datetime.date(2024, 1, 1),
                "became_aware_on": datetime.date(2024, 1, 1),
            }
        ],
        actor=panel_member,
    )
    with pytest.raises(SignOffRefused) as refused:
        sign(submitted, K.SHARED_PURPOSE, panel_member)
    assert refused.value.problems == ["you have declared an interest in this project"]


def test_team_member_on_the_panel_is_refused_for_every_reason_that_applies(
    submitted, partnership_lead
):
    with pytest.raises(SignOffRefused) as refused:
        sign(submitted, K.SHARED_PURPOSE, partnership_lead)
    problems = refused.value.problems
    assert any("do not sit on" in p for p in problems)
    assert "you are on the project team" in problems


# Sign-off ---------------------------------------------------------------------------


def test_two_approvals_approve_a_gate_and_four_gates_approve_the_project(
    submitted, panel_member, panel_chair
):
    sign(submitted, K.SHARED_PURPOSE, panel_member)
    assert gate(submitted, K.SHARED_PURPOSE).status == GS.IN_REVIEW
    sign(submitted, K.SHARED_PURPOSE, panel_chair)
    assert gate(submitted, K.SHARED_PURPOSE).status == GS.APPROVED
    for kind in (K.OUTCOME_MEASURES, K.CONFLICTS, K.TRANSPARENCY):
        assert Project.objects.get(pk=submitted.pk).status == Project.Status.SUBMITTED
        sign(submitted, kind, panel_member)
        sign(submitted, kind, panel_chair)
    project = Project.objects.get(pk=submitted.pk)
    assert project.status == Project.Status.APPROVED
    assert project.summary_published_at is not None
    assert project.events.filter(action="approve", actor=None).count() == 1
    assert audit_verify().intact


def test_latest_decision_counts_while_the_gate_is_open(submitted, panel_member, panel_chair):
    sign(submitted, K.TRANSPARENCY, panel_member)
    sign(submitted, K.TRANSPARENCY, panel_member)  # the same reviewer twice is one approval
    assert gate(submitted, K.TRANSPARENCY).status == GS.IN_REVIEW
    sign(submitted, K.TRANSPARENCY, panel_chair)
    assert gate(submitted, K.TRANSPARENCY).status == GS.APPROVED
    with pytest.raises(ValidationError, match="not open for sign-off"):
        sign(submitted, K.TRANSPARENCY, panel_member, C, "Too late")


def test_request_changes_needs_a_comment_and_moves_the_project(
    submitted, panel_member, panel_chair
):
    with pytest.raises(ValidationError):
        sign(submitted, K.OUTCOME_MEASURES, panel_member, C, "")
    sign(submitted, K.OUTCOME_MEASURES, panel_member, C, "Add a baseline for admissions")
    project = Project.objects.get(pk=submitted.pk)
    assert project.status == Project.Status.CHANGES_REQUESTED
    event = project.events.get(action="request_changes")
    assert event.reason == "Outcome measures: Add a baseline for admissions"
    assert gate(submitted, K.OUTCOME_MEASURES).status == GS.CHANGES_REQUESTED
    # The panel cannot carry on while the team makes the changes.
    with pytest.raises(ValidationError):
        sign(submitted, K.SHARED_PURPOSE, panel_chair)


def test_reject_needs_a_reason_and_rejects_the_project(submitted, panel_chair):
    with pytest.raises(ValidationError):
        sign(submitted, K.SHARED_PURPOSE, panel_chair, R, " ")
    sign(submitted, K.SHARED_PURPOSE, panel_chair, R, "This is an inducement")
    project = Project.objects.get(pk=submitted.pk)
    assert project.status == Project.Status.REJECTED
    assert project.events.get(action="reject").reason == "Shared purpose: This is an inducement"


def test_criteria_need_an_answer_and_a_comment_for_no(submitted, panel_member):
    target = gate(submitted, K.SHARED_PURPOSE)
    criteria = yes(K.SHARED_PURPOSE)
    del criteria["prospective"]
    with pytest.raises(ValidationError, match="Answer yes or no: The project is prospective"):
        gate_sign_off(gate=target, decision=A, criteria=criteria, actor=panel_member)
    criteria["prospective"] = {"met": False, "comment": ""}
    with pytest.raises(ValidationError, match="Say why not"):
        gate_sign_off(gate=target, decision=C, comment="x", criteria=criteria, actor=panel_member)
    criteria["prospective"] = {"met": False, "comment": "Started last year"}
    with pytest.raises(ValidationError, match="cannot approve"):
        gate_sign_off(gate=target, decision=A, criteria=criteria, actor=panel_member)
    sign_off = gate_sign_off(
        gate=target, decision=C, comment="Not prospective", criteria=criteria, actor=panel_member
    )
    assert sign_off.criteria["prospective"] == {"met": False, "comment": "Started last year"}


def test_conflicts_gate_cannot_be_approved_while_anyone_has_not_declared(
    ready_proposal, partnership_lead, deputy, industry_member, panel_member, panel_chair
):
    for person in (partnership_lead, industry_member, panel_member, panel_chair):
        nil(person, ready_proposal)
    project = project_transition(project=ready_proposal, action="submit", actor=partnership_lead)
    with pytest.raises(ValidationError) as refused:
        sign(project, K.CONFLICTS, panel_member)
    assert f"{deputy} (team member) has not declared" in refused.value.messages
    nil(deputy, project)
    sign(project, K.CONFLICTS, panel_member)
    sign(project, K.CONFLICTS, panel_chair)
    assert gate(project, K.CONFLICTS).status == GS.APPROVED


def test_conflicts_gate_needs_each_conflict_managed(
    submitted, industry_member, panel_member, panel_chair
):
    declaration = declaration_record(
        person=industry_member,
        project=submitted,
        role="team_member",
        nil_return=False,
        interests=[
            {
                "category": "financial",
                "interest_type": "employment",
                "description": "Employed by the company partner",
                "organisation_name": "Example Pharma UK Ltd",
                "start_date": datetime.date(2020, 1, 1),
                "became_aware_on": datetime.date(2020, 1, 1),
            }
        ],
        actor=industry_member,
    )
    with pytest.raises(ValidationError, match="no recorded management action"):
        sign(submitted, K.CONFLICTS, panel_member)
    conflict_manage(
        interest=declaration.interests.get(),
        action="Takes no part in the evaluation",
        excludes_from_decision=True,
        actor=panel_chair,
    )
    sign(submitted, K.CONFLICTS, panel_member)
    sign(submitted, K.CONFLICTS, panel_chair)
    assert gate(submitted, K.CONFLICTS).status == GS.APPROVED


# Concurrency -------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_approving_at_once_both_count_and_the_gate_approves_once(
    ready_proposal, everyone, partnership_lead, panel_member, panel_chair
):
    for person in everyone:
        nil(person, ready_proposal)
    project = project_transition(project=ready_proposal, action="submit", actor=partnership_lead)
    for kind in (K.SHARED_PURPOSE, K.OUTCOME_MEASURES, K.CONFLICTS):
        sign(project, kind, panel_member)
        sign(project, kind, panel_chair)
    barrier = threading.Barrier(2)
    errors = []

    def approve(reviewer):
        try:
            barrier.wait()
            sign(project, K.TRANSPARENCY, reviewer)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=approve, args=(r,)) for r in (panel_member, panel_chair)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    transparency = gate(project, K.TRANSPARENCY)
    assert SignOff.objects.filter(gate=transparency).count() == 2
    assert transparency.status == GS.APPROVED
    approved_events = AuditEvent.objects.filter(
        action="gate.status", object_id=str(transparency.pk), after__status="approved"
    )
    assert approved_events.count() == 1
    assert Project.objects.get(pk=project.pk).status == Project.Status.APPROVED
    assert project.events.filter(action="approve").count() == 1
    assert audit_verify().intact


# Resubmission -------------------------------------------------------------------------


def test_resubmission_reopens_the_gates_that_asked_and_those_whose_sections_changed(
    submitted, partnership_lead, panel_member, panel_chair
):
    for kind in (K.SHARED_PURPOSE, K.CONFLICTS, K.TRANSPARENCY):
        sign(submitted, kind, panel_member)
        sign(submitted, kind, panel_chair)
    sign(submitted, K.OUTCOME_MEASURES, panel_member, C, "Add a baseline")
    project = Project.objects.get(pk=submitted.pk)
    assert project.status == Project.Status.CHANGES_REQUESTED

    # The team edits the evaluation (outcome gate) and the executive summary (transparency).
    section_save(
        project=project,
        key="evaluation",
        data={"evaluation_plan": "Baseline from 2025 admissions, then quarterly"},
        actor=partnership_lead,
    )
    section_save(
        project=project,
        key="summary",
        data={"executive_summary": "A clearer summary."},
        actor=partnership_lead,
    )
    project = project_transition(project=project, action="submit", actor=partnership_lead)

    states = {g.kind: (g.status, g.round) for g in Gate.objects.filter(project=project)}
    assert states == {
        K.SHARED_PURPOSE: (GS.APPROVED, 1),
        K.CONFLICTS: (GS.APPROVED, 1),
        K.OUTCOME_MEASURES: (GS.PENDING, 2),
        K.TRANSPARENCY: (GS.PENDING, 2),
    }
    # Decisions of the earlier round no longer count.
    sign(project, K.TRANSPARENCY, panel_member)
    assert gate(project, K.TRANSPARENCY).status == GS.IN_REVIEW
    sign(project, K.TRANSPARENCY, panel_chair)
    sign(project, K.OUTCOME_MEASURES, panel_member)
    sign(project, K.OUTCOME_MEASURES, panel_chair)
    assert Project.objects.get(pk=project.pk).status == Project.Status.APPROVED


# The route ----------------------------------------------------------------------------


def test_chair_marks_the_project_low_risk_with_a_reason(submitted, panel_member, panel_chair):
    sign(submitted, K.SHARED_PURPOSE, panel_member)
    with pytest.raises(PermissionDenied):
        review_route_set(project=submitted, low_risk=True, reason="Small", actor=panel_member)
    with pytest.raises(ValidationError):
        review_route_set(project=submitted, low_risk=True, reason="", actor=panel_chair)
    review = review_route_set(
        project=submitted, low_risk=True, reason="Small audit-only project", actor=panel_chair
    )
    assert review.quorum == 1
    assert review.route_changes.get().reason == "Small audit-only project"
    # The one approval already given now meets the smaller quorum.
    assert gate(submitted, K.SHARED_PURPOSE).status == GS.APPROVED
    # The shorter criteria list is enough.
    sign(submitted, K.TRANSPARENCY, panel_member, low_risk=True)
    assert gate(submitted, K.TRANSPARENCY).status == GS.APPROVED
    assert submitted.events.filter(action="review.route").count() == 1
    assert AuditEvent.objects.filter(action="review.route", after__low_risk=True).count() == 1


def test_chair_sets_the_quorum(submitted, panel_member, panel_chair):
    panel = Panel.objects.get(reviews__project=submitted)
    with pytest.raises(PermissionDenied):
        panel_settings_update(
            panel=panel, quorum=1, remind_after_days=5, escalate_after_days=10, actor=panel_member
        )
    with pytest.raises(ValidationError) as invalid:
        panel_settings_update(
            panel=panel, quorum=0, remind_after_days=5, escalate_after_days=4, actor=panel_chair
        )
    assert set(invalid.value.message_dict) == {"quorum", "escalate_after_days"}
    panel_settings_update(
        panel=panel, quorum=1, remind_after_days=3, escalate_after_days=6, actor=panel_chair
    )
    sign(submitted, K.CONFLICTS, panel_member)
    assert gate(submitted, K.CONFLICTS).status == GS.APPROVED


def test_queue_lists_open_gates_oldest_first_with_days_waiting(submitted, panel_member, icb):
    sign(submitted, K.SHARED_PURPOSE, panel_member)
    items = selectors.review_queue_for(user=panel_member)
    assert [i.gate.kind for i in items] == [
        K.SHARED_PURPOSE,
        K.OUTCOME_MEASURES,
        K.CONFLICTS,
        K.TRANSPARENCY,
    ]
    assert items[0].decided.decision == A and items[1].decided is None
    assert all(i.days_waiting == 0 for i in items)
    outsider_panel_member = UserFactory()
    assert selectors.review_queue_for(user=outsider_panel_member) == []
    assert not PanelMember.objects.filter(user=outsider_panel_member).exists()


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        ("2026-11-27", "2026-11-27", 0),  # Friday, same day
        ("2026-11-27", "2026-11-30", 1),  # Friday to Monday
        ("2026-11-23", "2026-11-30", 5),  # a week
        ("2026-11-28", "2026-11-29", 0),  # a weekend
        ("2026-11-20", "2026-12-04", 10),
    ],
)
def test_working_days(start, end, days):
    assert (
        selectors.working_days_between(
            datetime.date.fromisoformat(start), datetime.date.fromisoformat(end)
        )
        == days
    )


def test_gates_left_open_when_the_project_is_rejected_show_as_closed(submitted, panel_chair):
    sign(submitted, K.SHARED_PURPOSE, panel_chair, R, "Duplicates a commissioned service")
    project = Project.objects.get(pk=submitted.pk)
    states = {row["kind"]: row["state"] for row in selectors.gate_rows(project)}
    assert states == {
        K.SHARED_PURPOSE: "Rejected",
        K.OUTCOME_MEASURES: "Closed without a decision",
        K.CONFLICTS: "Closed without a decision",
        K.TRANSPARENCY: "Closed without a decision",
    }
