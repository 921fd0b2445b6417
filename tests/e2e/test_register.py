"""The public transparency register, as anyone sees it, without signing in."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from partnerships.services.projects import project_transition
from tests.e2e.helpers import axe_check

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_register_and_entry_pages_are_accessible(page, ready_proposal, partnership_lead):
    project = project_transition(project=ready_proposal, action="submit", actor=partnership_lead)
    project = project_transition(project=project, action="approve", actor=None)
    page.goto(reverse("governance:register"))
    expect(page.get_by_test_id("register-count")).to_have_text("1 project")
    axe_check(page, "register-list")
    page.get_by_role("link", name=project.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(project.title)
    axe_check(page, "register-entry")
