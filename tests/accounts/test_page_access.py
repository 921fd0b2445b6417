"""Each page, for each role: allowed (200), refused (403), or sign-in first (302)."""

import pytest
from django.urls import reverse

from accounts.services import invitation_token
from tests.factories import InvitationFactory

ANON = "anonymous"
SIGNED_OUT_PAGES = {"sign-in", "invitation accept"}
ALL = [
    "partnership_lead",
    "industry_member",
    "panel_member",
    "panel_chair",
    "auditor",
    "administrator",
    "outsider",
]


def pages(icb):
    invitation = InvitationFactory(organisation=icb)
    return {
        # name: (path, roles allowed; None means public)
        "home": ("/", None),
        "directory": (reverse("accounts:directory"), None),
        "sign-in": (reverse("account_login"), None),
        "password reset": (reverse("account_reset_password"), None),
        "healthz": (reverse("healthz"), None),
        "organisation list": (reverse("accounts:organisation-list"), ALL),
        "organisation detail": (reverse("accounts:organisation-detail", args=[icb.pk]), ALL),
        "organisation edit": (
            reverse("accounts:organisation-edit", args=[icb.pk]),
            ["partnership_lead", "administrator"],
        ),
        "organisation create": (reverse("accounts:organisation-create"), ["administrator"]),
        "invitation list": (
            reverse("accounts:invitation-list"),
            ["partnership_lead", "administrator"],
        ),
        "invitation create": (
            reverse("accounts:invitation-create"),
            ["partnership_lead", "administrator"],
        ),
        "invitation accept": (
            reverse("accounts:invitation-accept", args=[invitation_token(invitation)]),
            None,
        ),
        "sign-in security": (reverse("mfa_index"), ALL),
        "admin": ("/admin/", ["administrator"]),
    }


@pytest.mark.parametrize("who", [ANON, *ALL])
def test_each_page_answers_each_role(client, cast, icb, who):
    if who != ANON:
        client.force_login(cast[who])
    for name, (path, allowed) in pages(icb).items():
        # Django's admin sends people without access to its sign-in page, which refuses them.
        response = client.get(path, follow=(name == "admin" and who != ANON))
        if allowed is None:
            # Signed-in people are sent home from the signed-out pages.
            expected = {302} if name in SIGNED_OUT_PAGES and who != ANON else {200}
        elif who == ANON:
            expected = {302}
        elif who in allowed:
            expected = {200}
        else:
            expected = {403}
        assert response.status_code in expected, f"{who} on {name} ({path}): {response.status_code}"
        if who == ANON and allowed is not None:
            final = client.get(path, follow=True).redirect_chain[-1][0]
            assert final.startswith("/accounts/login/"), name


@pytest.mark.parametrize("who", ALL)
def test_navigation_shows_only_what_the_role_may_use(client, cast, who):
    client.force_login(cast[who])
    body = client.get("/").content.decode()
    assert ('href="/invitations/"' in body) == (who in ("partnership_lead", "administrator"))
    assert ('href="/admin/"' in body) == (who == "administrator")
    assert 'href="/organisations/"' in body


def test_header_names_the_role_and_organisation(client, panel_member, icb):
    client.force_login(panel_member)
    body = client.get("/").content.decode()
    assert "Panel member, NHS Testshire Integrated Care Board" in body


def test_anonymous_navigation_has_no_member_pages(client, db):
    body = client.get("/").content.decode()
    assert 'href="/organisations/"' not in body
    assert 'href="/accounts/login/"' in body
    assert 'class="nhsuk-skip-link"' in body
