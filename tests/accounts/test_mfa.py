import time
from unittest import mock

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.urls import reverse

from accounts import services
from accounts.models import Membership
from tests.conftest import totp_code
from tests.factories import PASSWORD, UserFactory

Role = Membership.Role
ACTIVATE = reverse("mfa_activate_totp")


def user_with_role(organisation, role):
    user = UserFactory()
    services.membership_add(user=user, organisation=organisation, role=role)
    return user


def sign_in(client, user):
    """Through the real form, so allauth records a fresh sign-in (MFA set-up needs one)."""
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return response


@pytest.mark.parametrize(
    ("role", "needs_mfa"),
    [
        (Role.PANEL_MEMBER, True),
        (Role.PANEL_CHAIR, True),
        (Role.AUDITOR, True),
        (Role.PARTNERSHIP_LEAD, False),
    ],
)
def test_mfa_is_required_by_role(client, icb, role, needs_mfa):
    user = user_with_role(icb, role)
    sign_in(client, user)
    response = client.get(reverse("accounts:organisation-list"))
    if needs_mfa:
        assert response.status_code == 302
        assert response["Location"] == ACTIVATE
        # The set-up page itself is reachable.
        assert client.get(ACTIVATE).status_code == 200
    else:
        assert response.status_code == 200


def test_industry_members_need_no_mfa(client, industry_member):
    client.force_login(industry_member)
    assert client.get("/").status_code == 200


def test_administrator_without_mfa_reaches_nothing_else(client, db):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    for path in ("/", "/organisations/", "/admin/", "/invitations/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == ACTIVATE
    # Signing out still works.
    client.post(reverse("account_logout"))
    assert "_auth_user_id" not in client.session


def test_setting_up_totp_unlocks_the_portal(client, icb):
    user = user_with_role(icb, Role.PANEL_MEMBER)
    sign_in(client, user)
    client.get(ACTIVATE)
    secret = client.session[SECRET_SESSION_KEY]
    wrong = client.post(ACTIVATE, {"code": "123456"})
    assert wrong.status_code == 200
    assert "Incorrect code." in wrong.content.decode()
    assert not Authenticator.objects.filter(user=user).exists()
    right = client.post(ACTIVATE, {"code": totp_code(secret)})
    assert right.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert client.get(reverse("accounts:organisation-list")).status_code == 200


def test_mfa_user_with_authenticator_reaches_pages(client, panel_chair):
    client.force_login(panel_chair)
    assert client.get(reverse("accounts:organisation-list")).status_code == 200


@pytest.mark.parametrize(("steps", "taken"), [(-1, True), (0, True), (1, True), (-2, False)])
def test_a_code_from_the_step_before_or_after_is_taken_but_no_older(steps, taken):
    """Someone typing the code as the app moves on is not refused; an old code is."""
    from allauth.mfa.totp.internal.auth import (
        format_hotp_value,
        hotp_value,
        validate_totp_code,
    )

    from tests.conftest import TOTP_SECRET

    now = int(time.time()) // 30
    code = format_hotp_value(hotp_value(TOTP_SECRET, now + steps))
    with mock.patch("allauth.mfa.totp.internal.auth.time.time", return_value=now * 30 + 1):
        assert validate_totp_code(TOTP_SECRET, code) is taken
