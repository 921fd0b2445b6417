"""Every allowed and refused transition, as a table, and each submission rule."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from partnerships.lifecycle import TRANSITIONS
from partnerships.models import Project, ProjectEvent
from partnerships.services.projects import TransitionRefused, project_transition, section_save

S = Project.Status
ALL_STATUSES = list(S.values)


def _cases():
    for action, transition in TRANSITIONS.items():
        for status in ALL_STATUSES:
            yield action, status, status in transition.sources


@pytest.mark.parametrize(("action", "status", "allowed"), list(_cases()))
def test_transition_table(ready_proposal, partnership_lead, panel_member, action, status, allowed):
    Project.objects.filter(pk=ready_proposal.pk).update(
        status=status,
        summary_published_at="2026-01-01T00:00Z",
        start_date=date.today() - timedelta(days=1),
        end_date=date.today() + timedelta(days=300),
    )
    if action == "activate":
        from django.core.files.base import ContentFile

        from partnerships.models import Document

        doc = Document.objects.create(project=ready_proposal, kind="agreement", title="Agreement")
        doc.versions.create(
            number=1,
            file=ContentFile(b"%PDF-1.4", name="a.pdf"),
            original_name="a.pdf",
            content_type="application/pdf",
            size=8,
            sha256="0" * 64,
            uploaded_by=partnership_lead,
        )
    if action == "close":
        # closing needs the published final report (the outcomes app's hook checks it)
        from django.utils import timezone

        from outcomes.models import FinalReport

        now = timezone.now()
        FinalReport.objects.create(project=ready_proposal, status="published", published_at=now)
        Project.objects.filter(pk=ready_proposal.pk).update(outcome_summary_published_at=now)
    actor = partnership_lead if TRANSITIONS[action].by == "team" else panel_member
    before = ProjectEvent.objects.count()
    if allowed:
        project = project_transition(
            project=ready_proposal, action=action, actor=actor, reason="Because"
        )
        assert project.status == TRANSITIONS[action].target
        # (a submission also opens the governance gates, which the timeline records after it)
        event = ProjectEvent.objects.filter(action=action).latest("pk")
        assert (event.action, event.from_status, event.to_status, event.actor) == (
            action,
            status,
            project.status,
            actor,
        )
    else:
        with pytest.raises(TransitionRefused):
            project_transition(project=ready_proposal, action=action, actor=actor, reason="Because")
        assert Project.objects.get(pk=ready_proposal.pk).status == status
        assert ProjectEvent.objects.count() == before


def test_submit_assigns_a_reference(ready_proposal, partnership_lead):
    project = project_transition(project=ready_proposal, action="submit", actor=partnership_lead)
    assert project.reference == f"CW-{date.today().year}-0001"
    assert project.submitted_at is not None


def test_panel_cannot_submit_and_team_cannot_approve(
    ready_proposal, panel_member, partnership_lead, industry_member
):
    with pytest.raises(PermissionDenied):
        project_transition(project=ready_proposal, action="submit", actor=panel_member)
    with pytest.raises(PermissionDenied):
        project_transition(project=ready_proposal, action="submit", actor=industry_member)
    submitted = project_transition(project=ready_proposal, action="submit", actor=partnership_lead)
    with pytest.raises(PermissionDenied):
        project_transition(project=submitted, action="approve", actor=partnership_lead)


def test_withdraw_needs_a_reason(ready_proposal, partnership_lead):
    with pytest.raises(ValidationError):
        project_transition(
            project=ready_proposal, action="withdraw", actor=partnership_lead, reason=" "
        )
    project = project_transition(
        project=ready_proposal,
        action="withdraw",
        actor=partnership_lead,
        reason="Priorities changed",
    )
    assert project.status == S.WITHDRAWN
    assert project.events.first().reason == "Priorities changed"


def test_submit_names_every_missing_piece(draft, partnership_lead):
    with pytest.raises(ValidationError) as exc:
        project_transition(project=draft, action="submit", actor=partnership_lead)
    messages = exc.value.messages
    for expected in (
        "About the project: enter therapy area",
        "Partners and contributions: add the company you are working with",
        "Team: name a deputy lead, so the project survives a change of role",
        "Declarations: confirm that",
        "Executive summary for publication: enter executive summary",
        "Aims, objectives and benefits: add at least one objective",
    ):
        assert any(expected in m for m in messages), (expected, messages)
    assert Project.objects.get(pk=draft.pk).status == S.DRAFT
    assert Project.objects.get(pk=draft.pk).reference is None


def test_each_partner_must_contribute(ready_proposal, partnership_lead, company):
    from partnerships.services.partners import partner_update

    partner = ready_proposal.partners.get(organisation=company)
    partner_update(
        partner=partner,
        data={"financial_contribution": 0, "in_kind_value": 0},
        actor=partnership_lead,
    )
    with pytest.raises(ValidationError) as exc:
        project_transition(project=ready_proposal, action="submit", actor=partnership_lead)
    assert any("must make a financial or in-kind contribution" in m for m in exc.value.messages)


def test_negative_amounts_are_refused(ready_proposal, partnership_lead, company):
    from partnerships.services.partners import partner_update

    partner = ready_proposal.partners.get(organisation=company)
    with pytest.raises(ValidationError):
        partner_update(partner=partner, data={"financial_contribution": -5}, actor=partnership_lead)
    partner.refresh_from_db()
    assert partner.financial_contribution == 50000


def test_end_date_must_follow_start_date(ready_proposal, partnership_lead):
    section_save(
        project=ready_proposal,
        key="about",
        actor=partnership_lead,
        data={"start_date": date(2027, 5, 1), "end_date": date(2027, 4, 1)},
    )
    with pytest.raises(ValidationError) as exc:
        project_transition(project=ready_proposal, action="submit", actor=partnership_lead)
    assert "About the project: the end date must be after the start date" in exc.value.messages


def test_two_nhs_team_members_are_needed(ready_proposal, partnership_lead, deputy):
    from partnerships.services.team import team_member_remove

    team_member_remove(member=ready_proposal.team.get(user=deputy), actor=partnership_lead)
    with pytest.raises(ValidationError) as exc:
        project_transition(project=ready_proposal, action="submit", actor=partnership_lead)
    assert any("at least two team members must be from the NHS" in m for m in exc.value.messages)


def test_company_staff_cannot_be_deputy(ready_proposal, partnership_lead, industry_member):
    from partnerships.services.team import team_member_add

    with pytest.raises(ValidationError):
        team_member_add(
            project=ready_proposal, user=industry_member, role="deputy", actor=partnership_lead
        )


def test_activation_needs_published_summary_agreement_and_start_date(
    ready_proposal, partnership_lead
):
    Project.objects.filter(pk=ready_proposal.pk).update(status=S.APPROVED)
    with pytest.raises(ValidationError) as exc:
        project_transition(project=ready_proposal, action="activate", actor=partnership_lead)
    text = " ".join(exc.value.messages)
    assert "executive summary must be published" in text
    assert "signed written agreement" in text
    assert Project.objects.get(pk=ready_proposal.pk).status == S.APPROVED


def test_submitted_proposal_cannot_be_edited(ready_proposal, partnership_lead):
    project = project_transition(project=ready_proposal, action="submit", actor=partnership_lead)
    with pytest.raises(PermissionDenied):
        section_save(project=project, key="need", actor=partnership_lead, data={"background": "x"})
