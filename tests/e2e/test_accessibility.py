"""axe-core on the pages people reach first, anonymous and signed in.

Every page is also screenshotted to /tmp/portal-shots/ and checked for NHS.UK
frontend's CSS and JavaScript having loaded under the site's CSP.
"""

import re

import pytest
from playwright.sync_api import expect

from accounts import services
from accounts.models import Membership
from tests.e2e.helpers import axe_check, sign_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def assert_error_summary(page):
    """The error summary is shown, and each of its links leads to a field on the page."""
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Error: "))
    for href in summary.locator("a").evaluate_all("links => links.map(a => a.hash)"):
        assert page.locator(href).count() == 1, f"error summary link {href} leads nowhere"


# Anonymous -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "path", "heading"),
    [
        ("anon-home", "/", "Partnership portal"),
        ("anon-sign-in", "/accounts/login/", "Sign in"),
        ("anon-directory", "/directory/", "Who to contact in each ICB"),
        ("anon-password-reset", "/accounts/password/reset/", "Password reset"),
    ],
)
def test_anonymous_page(page, partnership_lead, name, path, heading):
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(heading, re.I))
    if name == "anon-directory":
        expect(page.get_by_role("table")).to_contain_text("Priya Shah")
    axe_check(page, name)


def test_sign_in_page_after_failed_submit(page, partnership_lead):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(partnership_lead.email)
    page.get_by_label("Password").fill("not-the-password")
    page.locator("main").get_by_role("button", name="Sign in").click()
    assert_error_summary(page)
    axe_check(page, "anon-sign-in-failed")


# Signed in as a partnership lead ------------------------------------------------


@pytest.mark.parametrize(
    ("name", "path", "heading"),
    [
        ("lead-home", "/", "Welcome, Priya"),
        ("lead-organisations", "/organisations/", "Organisations"),
        ("lead-organisation-detail", "organisation", "NHS Testshire Integrated Care Board"),
        ("lead-invitations", "/invitations/", "Invitations"),
        ("lead-invitation-new", "/invitations/new/", "Invite someone"),
    ],
)
def test_partnership_lead_page(page, partnership_lead, icb, name, path, heading):
    sign_in(page, partnership_lead)
    expect(page).to_have_url(re.compile(r"/$"))
    if path == "organisation":
        path = icb.get_absolute_url()
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    axe_check(page, name)


def test_invitation_form_after_empty_submit(page, partnership_lead):
    sign_in(page, partnership_lead)
    page.goto("/invitations/new/")
    page.get_by_role("button", name="Send invitation").click()
    assert_error_summary(page)
    axe_check(page, "lead-invitation-new-errors")


# Two-factor authentication -----------------------------------------------------


def test_authenticator_code_page(page, panel_member):
    sign_in(page, panel_member)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))
    axe_check(page, "mfa-authenticate")


def test_mfa_required_role_without_authenticator_must_set_one_up(page, icb):
    user = UserFactory(first_name="Sam")
    services.membership_add(user=user, organisation=icb, role=Membership.Role.PANEL_MEMBER)

    sign_in(page, user)
    # Straight there: no second password prompt just after signing in.
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/$"))
    expect(page.get_by_text("Your role needs two-factor authentication")).to_be_visible()
    axe_check(page, "mfa-totp-activate")

    page.goto("/organisations/")
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/$"))
