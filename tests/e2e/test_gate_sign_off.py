"""Two panel members sign off all four gates in the browser; the project is then public."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from governance.gates import GATES
from governance.models import Gate
from governance.services.declarations import declaration_record
from partnerships.models import Project
from partnerships.services.projects import project_transition
from tests.e2e.helpers import axe_check, sign_in
from tests.e2e.test_sign_in import enter_authenticator_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_off_every_gate(page, reviewer, project, *, check_accessibility=False):
    sign_in(page, reviewer)
    enter_authenticator_code(page)
    # The home page shows what awaits the panel member, and leads to the whole queue.
    expect(page.get_by_test_id("review-queue")).to_be_visible()
    page.goto(reverse("governance:review-queue"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your reviews")
    expect(page.get_by_test_id("queue-item")).to_have_count(4)
    if check_accessibility:
        axe_check(page, "review-queue")
    for spec in GATES:
        page.goto(reverse("governance:review-queue"))
        page.get_by_role("link", name=f"{spec.title} gate of {project.reference}").click()
        expect(page).to_have_title(re.compile(f"^{spec.title} gate: "))
        if check_accessibility and spec.kind == Gate.Kind.CONFLICTS:
            axe_check(page, "gate-conflicts")
        form = page.get_by_test_id("sign-off-form")
        for criterion in spec.criteria:
            form.locator(f'input[name="c_{criterion.key}"][value="yes"]').check()
        form.get_by_role("radio", name="Approve").check()
        form.get_by_role("button", name="Record your decision").click()
        expect(
            page.locator(".nhsuk-notification-banner, [data-testid=messages]").first
        ).to_contain_text(re.compile("decision", re.I))
        expect(page.get_by_test_id("current-sign-offs")).to_contain_text(str(reviewer))
    page.context.clear_cookies()


def test_two_panel_members_approve_all_four_gates_and_the_project_is_published(
    browser,
    live_server,
    page,
    ready_proposal,
    partnership_lead,
    deputy,
    industry_member,
    panel_member,
    panel_chair,
):
    for person in (partnership_lead, deputy, industry_member, panel_member, panel_chair):
        declaration_record(
            person=person,
            project=ready_proposal,
            role="team_member",
            nil_return=True,
            interests=[],
            actor=person,
        )
    project = project_transition(project=ready_proposal, action="submit", actor=partnership_lead)

    sign_off_every_gate(page, panel_member, project, check_accessibility=True)
    assert set(Gate.objects.filter(project=project).values_list("status", flat=True)) == {
        Gate.Status.IN_REVIEW
    }
    sign_off_every_gate(page, panel_chair, project)
    assert Project.objects.get(pk=project.pk).status == Project.Status.APPROVED

    # Anyone, signed out, now finds it on the transparency register.
    page.goto(reverse("governance:register"))
    expect(page.get_by_test_id("register-count")).to_have_text("1 project")
    page.get_by_role("link", name=project.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(project.title)
    expect(page.locator("main")).to_contain_text(project.executive_summary)
