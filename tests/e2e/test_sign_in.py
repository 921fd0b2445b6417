"""Signing in through the real forms, and what the header then offers each role."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import totp_code
from tests.e2e.helpers import screenshot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def enter_authenticator_code(page):
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))
    page.get_by_label("Code").fill(totp_code())
    page.locator("main").get_by_role("button", name=re.compile(r"^sign in$", re.I)).click()


def test_panel_member_signs_in_with_authenticator_code(page, panel_member, icb):
    sign_in(page, panel_member)
    enter_authenticator_code(page)

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {panel_member.first_name}")
    role = page.get_by_test_id("header-role")
    expect(role).to_contain_text("Panel member")
    expect(role).to_contain_text(icb.name)
    screenshot(page, "panel-member-home")


@pytest.mark.parametrize(
    ("who", "mfa", "shown", "hidden"),
    [
        ("partnership_lead", False, ["Invitations"], ["Administration"]),
        ("industry_member", False, [], ["Invitations", "Administration"]),
        ("administrator", True, ["Invitations", "Administration"], []),
    ],
)
def test_navigation_offers_only_what_the_role_may_use(page, request, who, mfa, shown, hidden):
    user = request.getfixturevalue(who)
    sign_in(page, user)
    if mfa:
        enter_authenticator_code(page)
    expect(page).to_have_url(re.compile(r"/$"))

    menu = page.get_by_role("navigation", name="Menu")
    expect(menu.get_by_role("link", name="Organisations", include_hidden=True)).to_have_count(1)
    for label in shown:
        expect(menu.get_by_role("link", name=label, include_hidden=True)).to_have_count(1)
    for label in hidden:
        expect(menu.get_by_role("link", name=label, include_hidden=True)).to_have_count(0)
    screenshot(page, f"nav-{who}")
