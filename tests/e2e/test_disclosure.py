"""An auditor requests a project's disclosure PDF, waits for it, downloads it, and the
public /verify/ page confirms the portal issued it."""

import hashlib

import pytest
from celery.contrib.testing.worker import start_worker
from django.urls import reverse
from playwright.sync_api import expect

from governance.gates import GATES_BY_KIND
from governance.models import Gate
from governance.services.declarations import declaration_record
from governance.services.gates import gate_sign_off
from partnerships.services.projects import project_transition
from portal.celery import app
from tests.e2e.helpers import axe_check, sign_in
from tests.e2e.test_sign_in import enter_authenticator_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def approve(project, people, reviewers):
    for person in people:
        declaration_record(
            person=person,
            project=project,
            role="team_member",
            nil_return=True,
            interests=[],
            actor=person,
        )
    project = project_transition(project=project, action="submit", actor=people[0])
    for kind in Gate.Kind.values:
        criteria = {
            c.key: {"met": True, "comment": ""}
            for c in GATES_BY_KIND[kind].criteria_for(low_risk=False)
        }
        for reviewer in reviewers:
            gate_sign_off(
                gate=Gate.objects.get(project=project, kind=kind),
                decision="approve",
                criteria=criteria,
                actor=reviewer,
            )
    return project


def test_auditor_requests_waits_downloads_and_verifies_a_disclosure_pdf(
    page,
    settings,
    tmp_path,
    ready_proposal,
    partnership_lead,
    deputy,
    industry_member,
    panel_member,
    panel_chair,
    auditor,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    project = approve(
        ready_proposal,
        [partnership_lead, deputy, industry_member, panel_member, panel_chair],
        [panel_member, panel_chair],
    )
    sign_in(page, auditor)
    enter_authenticator_code(page)

    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=30):
        page.goto(reverse("outcomes:disclosure-project", args=[project.pk]))
        page.get_by_role("button", name="Request the disclosure PDF").click()
        # The page updates itself until the document is ready.
        expect(page.get_by_test_id("document-status")).to_have_text("Ready", timeout=60_000)
    axe_check(page, "disclosure-project")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download").click()
    path = tmp_path / "disclosure.pdf"
    download_info.value.save_as(path)
    data = path.read_bytes()
    assert data.startswith(b"%PDF")
    shown = page.get_by_test_id("sha256").text_content().strip()
    assert shown == hashlib.sha256(data).hexdigest()

    # Anyone, signed out, can check the file.
    page.context.clear_cookies()
    page.goto(reverse("outcomes:verify"))
    page.get_by_label("Upload the PDF").set_input_files(str(path))
    page.get_by_role("button", name="Verify").click()
    result = page.get_by_test_id("verify-result")
    expect(result).to_have_attribute("data-result", "issued")
    expect(result).to_contain_text(f"The disclosure of project {project.reference}")
    axe_check(page, "verify-issued")

    # One byte changed, and the portal says it did not issue it.
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(data[:-10] + b"%%EOF\n\n\n\n\n")
    page.get_by_label("Upload the PDF").set_input_files(str(tampered))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_test_id("verify-result")).to_have_attribute("data-result", "unknown")
