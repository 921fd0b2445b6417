"""Projects for the compliance check, built with the real services so that they comply
until a test plants a breach."""

import datetime

import pytest
from django.utils import timezone

from governance.services.declarations import declaration_record
from partnerships.models import Project
from partnerships.services.projects import project_transition, section_save
from tests.factories import approve_every_gate, complete_proposal, draft_project
from tests.partnerships.delivery import ready_to_start


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def approve(project, *, lead, deputy, industry, reviewers) -> Project:
    """Submit a complete proposal and approve its four gates as the panel would."""
    section_save(
        project=project,
        key="summary",
        data={"executive_summary": "Better asthma care for the people of Testshire."},
        actor=lead,
    )
    for person in (lead, deputy, industry, *reviewers):
        declaration_record(
            person=person,
            project=project,
            role="team_member",
            nil_return=True,
            interests=[],
            actor=person,
        )
    project = project_transition(project=project, action="submit", actor=lead)
    approve_every_gate(project, reviewers)
    project = Project.objects.get(pk=project.pk)
    assert project.status == Project.Status.APPROVED
    return project


def start(project, lead) -> Project:
    """Upload the signed agreement and start delivery today, as the lead would."""
    today = timezone.localdate()
    ready_to_start(project, lead, start=today, end=today + datetime.timedelta(days=365))
    Project.objects.filter(pk=project.pk).update(
        summary_published_at=timezone.now() - datetime.timedelta(days=1)
    )
    return project_transition(
        project=Project.objects.get(pk=project.pk), action="activate", actor=lead
    )


@pytest.fixture
def make_project(
    icb, partnership_lead, deputy, company, industry_member, panel_member, panel_chair
):
    """A new project of the Testshire ICB, approved (and, with active=True, started)."""

    def make(title="Improving asthma care", *, active=False) -> Project:
        project = draft_project(lead_user=partnership_lead, lead_organisation=icb, title=title)
        project = complete_proposal(
            project=project,
            lead_user=partnership_lead,
            deputy_user=deputy,
            company=company,
            industry_user=industry_member,
        )
        project = approve(
            project,
            lead=partnership_lead,
            deputy=deputy,
            industry=industry_member,
            reviewers=(panel_member, panel_chair),
        )
        return start(project, partnership_lead) if active else project

    return make


@pytest.fixture
def approved(make_project) -> Project:
    return make_project()


@pytest.fixture
def active(make_project) -> Project:
    return make_project(active=True)
