"""The outcome measures gate (DESIGN rule 5): never approved while an objective has no
measure or a measure lacks its baseline or target, and reopened when a measure changes."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from governance.gates import GATES_BY_KIND
from governance.models import Gate
from governance.services.declarations import declaration_record
from governance.services.gates import gate_sign_off, review_route_set
from partnerships.models import OutcomeMeasure, Project
from partnerships.services import measures as measure_services
from partnerships.services.projects import project_transition, section_save

pytestmark = pytest.mark.django_db

K = Gate.Kind
GS = Gate.Status


def measure_of(project):
    return OutcomeMeasure.objects.get(project=project)


def yes(kind):
    return {c.key: {"met": True, "comment": ""} for c in GATES_BY_KIND[kind].criteria}


def sign(project, kind, reviewer, decision="approve", comment=""):
    return gate_sign_off(
        gate=Gate.objects.get(project=project, kind=kind),
        decision=decision,
        comment=comment,
        criteria=yes(kind),
        actor=reviewer,
    )


@pytest.fixture
def submitted(ready_proposal, partnership_lead, deputy, industry_member, panel_member, panel_chair):
    for person in (partnership_lead, deputy, industry_member, panel_member, panel_chair):
        declaration_record(
            person=person,
            project=ready_proposal,
            role="team_member",
            nil_return=True,
            interests=[],
            actor=person,
        )
    return project_transition(project=ready_proposal, action="submit", actor=partnership_lead)


def test_outcome_gate_cannot_be_approved_while_a_measure_lacks_a_target(
    client, submitted, panel_member, panel_chair
):
    # Submission needs complete measures, so the gap is made in the database afterwards.
    OutcomeMeasure.objects.filter(project=submitted).update(target_value=None, target_date=None)

    with pytest.raises(ValidationError) as refused:
        sign(submitted, K.OUTCOME_MEASURES, panel_member)
    assert refused.value.messages == [
        "The outcome measures gate cannot be approved yet:",
        "The outcome measure “Patients reviewed” has no target value or target date",
    ]
    gate = Gate.objects.get(project=submitted, kind=K.OUTCOME_MEASURES)
    assert gate.status == GS.PENDING and not gate.sign_offs.exists()
    # The gate page says so, and shows the measure as it stands.
    client.force_login(panel_chair)
    html = client.get(gate.get_absolute_url()).content.decode()
    problems = html[html.index('data-testid="outcome-problems"') :]
    assert "“Patients reviewed” has no target value or target date" in problems
    assert 'data-testid="measure-answers"' in html and "Patients reviewed" in html

    # Requesting changes is still possible; approval once the target is there.
    OutcomeMeasure.objects.filter(project=submitted).update(
        target_value=Decimal("80"), target_date=datetime.date(2028, 6, 30)
    )
    sign(submitted, K.OUTCOME_MEASURES, panel_member)
    sign(submitted, K.OUTCOME_MEASURES, panel_chair)
    assert Gate.objects.get(pk=gate.pk).status == GS.APPROVED


def test_a_gap_after_the_first_approval_keeps_the_gate_from_approving(
    submitted, panel_member, panel_chair
):
    sign(submitted, K.OUTCOME_MEASURES, panel_member)
    OutcomeMeasure.objects.filter(project=submitted).update(baseline_value=None)
    with pytest.raises(ValidationError, match="no baseline value"):
        sign(submitted, K.OUTCOME_MEASURES, panel_chair)
    assert Gate.objects.get(project=submitted, kind=K.OUTCOME_MEASURES).status == GS.IN_REVIEW


def test_a_changed_measure_reopens_the_approved_outcome_gate_on_resubmission(
    submitted, partnership_lead, panel_member, panel_chair
):
    for kind in (K.SHARED_PURPOSE, K.OUTCOME_MEASURES, K.CONFLICTS):
        sign(submitted, kind, panel_member)
        sign(submitted, kind, panel_chair)
    sign(submitted, K.TRANSPARENCY, panel_member, "request_changes", "Shorter summary, please")
    project = Project.objects.get(pk=submitted.pk)
    assert project.status == Project.Status.CHANGES_REQUESTED

    # Only a measure changes (and the summary the panel asked about).
    measure_services.outcome_measure_update(
        project=project,
        measure=measure_of(project),
        data={"target_value": Decimal("70")},
        actor=partnership_lead,
    )
    section_save(
        project=project,
        key="summary",
        data={"executive_summary": "A shorter summary."},
        actor=partnership_lead,
    )
    project = project_transition(project=project, action="submit", actor=partnership_lead)

    states = {g.kind: (g.status, g.round) for g in Gate.objects.filter(project=project)}
    assert states == {
        K.SHARED_PURPOSE: (GS.APPROVED, 1),
        K.OUTCOME_MEASURES: (GS.PENDING, 2),
        K.CONFLICTS: (GS.APPROVED, 1),
        K.TRANSPARENCY: (GS.PENDING, 2),
    }
    assert project.events.filter(
        description="Outcome measures gate reopened: its sections changed since it was approved"
    ).exists()


def test_a_smaller_quorum_does_not_approve_the_gate_over_a_gap(
    submitted, panel_member, panel_chair
):
    """The rule is applied again when the chair changes the route; the gap still holds it."""
    sign(submitted, K.OUTCOME_MEASURES, panel_member)
    OutcomeMeasure.objects.filter(project=submitted).update(data_source="")
    review_route_set(
        project=submitted, low_risk=True, reason="Small and low risk", actor=panel_chair
    )
    assert Gate.objects.get(project=submitted, kind=K.OUTCOME_MEASURES).status == GS.IN_REVIEW
    OutcomeMeasure.objects.filter(project=submitted).update(data_source="GP audit")
    sign(submitted, K.OUTCOME_MEASURES, panel_member)
    assert Gate.objects.get(project=submitted, kind=K.OUTCOME_MEASURES).status == GS.APPROVED
