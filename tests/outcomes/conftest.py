"""An approved project, built with the real services, and a private MEDIA_ROOT."""

import io
import re

import pytest
from pypdf import PdfReader

from governance.services.declarations import declaration_record
from partnerships.models import Project
from partnerships.services.projects import project_transition, section_save
from tests.factories import approve_every_gate

SUMMARY = 'Better asthma care. <script>alert("x")</script> & more'


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def stored_bytes(document) -> bytes:
    """A stored file's bytes, read through its storage (never a path on the disk)."""
    with document.file.open("rb") as handle:
        return handle.read()


def pdf_text(data: bytes) -> str:
    """The PDF's text, every run of whitespace made one space (table cells wrap lines)."""
    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def declare_nil(person, project):
    return declaration_record(
        person=person,
        project=project,
        role="team_member",
        nil_return=True,
        interests=[],
        actor=person,
    )


@pytest.fixture
def approved(
    ready_proposal, partnership_lead, deputy, industry_member, panel_member, panel_chair
) -> Project:
    """Submitted, everyone declared, all four gates approved by the member and the chair."""
    section_save(
        project=ready_proposal,
        key="summary",
        data={"executive_summary": SUMMARY},
        actor=partnership_lead,
    )
    for person in (partnership_lead, deputy, industry_member, panel_member, panel_chair):
        declare_nil(person, ready_proposal)
    project = project_transition(project=ready_proposal, action="submit", actor=partnership_lead)
    approve_every_gate(project, (panel_member, panel_chair))
    project = Project.objects.get(pk=project.pk)
    assert project.status == Project.Status.APPROVED
    assert project.summary_published_at is not None
    return project
