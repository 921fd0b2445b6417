import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from tests.conftest import totp_code
from tests.factories import UserFactory

LOGIN = "/accounts/login/"


def sign_in(client, user, password):
    return client.post(LOGIN, {"login": user.email, "password": password})


def test_sign_in_with_email_and_password(client, partnership_lead, password):
    response = sign_in(client, partnership_lead, password)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    home = client.get("/")
    assert "Welcome, Priya" in home.content.decode()


def test_email_is_matched_whatever_its_case(client, partnership_lead, password):
    response = client.post(LOGIN, {"login": partnership_lead.email.upper(), "password": password})
    assert response.status_code == 302


def test_wrong_password_gets_a_message_on_the_page(client, partnership_lead):
    response = sign_in(client, partnership_lead, "not-the-password")
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    assert "The email address and/or password you specified are not correct." in body
    assert "_auth_user_id" not in client.session


def test_sign_up_is_closed(client, db):
    response = client.get("/accounts/signup/")
    assert "Accounts are by invitation" in response.content.decode()
    client.post(
        "/accounts/signup/",
        {
            "email": "new@example.org",
            "password1": "Xy-long-pass-123",
            "password2": "Xy-long-pass-123",
        },
    )
    from accounts.models import User

    assert not User.objects.filter(email="new@example.org").exists()


def test_unverified_email_must_be_verified_before_signing_in(client, db, password):
    user = UserFactory()
    EmailAddress.objects.filter(user=user).update(verified=False)
    response = sign_in(client, user, password)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    assert len(mail.outbox) == 1
    assert user.email in mail.outbox[0].to
    link = re.search(r"http://testserver(/accounts/confirm-email/\S+)", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    client.post(link.group(1))
    assert EmailAddress.objects.get(user=user).verified
    assert sign_in(client, user, password)["Location"] == reverse("home")


def test_mfa_user_is_asked_for_a_code_and_a_wrong_code_is_refused(client, panel_member, password):
    response = sign_in(client, panel_member, password)
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200
    assert "Incorrect code." in wrong.content.decode()
    assert "_auth_user_id" not in client.session
    right = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert right.status_code == 302
    assert client.session["_auth_user_id"] == str(panel_member.pk)


def test_a_recovery_code_also_signs_in(client, auditor, password):
    from allauth.mfa.models import Authenticator
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    codes = RecoveryCodes(
        Authenticator.objects.get(user=auditor, type=Authenticator.Type.RECOVERY_CODES)
    ).get_unused_codes()
    sign_in(client, auditor, password)
    response = client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(auditor.pk)


def test_sign_in_is_throttled_after_repeated_failures(client, partnership_lead, password):
    for _ in range(5):
        response = sign_in(client, partnership_lead, "wrong-password")
        assert "not correct" in response.content.decode()
    blocked = sign_in(client, partnership_lead, password)
    assert blocked.status_code == 200
    assert "Too many failed login attempts. Try again later." in blocked.content.decode()
    assert "_auth_user_id" not in client.session


def test_throttling_is_per_account_not_for_everyone(
    client, partnership_lead, industry_member, password
):
    for _ in range(5):
        sign_in(client, partnership_lead, "wrong-password")
    assert sign_in(client, industry_member, password).status_code == 302


@pytest.mark.parametrize("path", ["/", "/directory/", "/organisations/"])
def test_sign_out_is_a_post_from_the_header(client, partnership_lead, path):
    client.force_login(partnership_lead)
    body = client.get(path).content.decode()
    assert 'action="/accounts/logout/" method="post"' in body
    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session


def test_allauth_forms_speak_british_sentence_case(client, partnership_lead, password):
    assert ">Email address</label>" in client.get(LOGIN).content.decode()
    sign_in(client, partnership_lead, password)
    body = client.get(reverse("account_change_password")).content.decode()
    for label in ("Current password", "New password", "Confirm your new password"):
        assert f">{label}</label>" in body
    assert "Current Password" not in body


def _without_tokens(html: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'nonce="[^"]+"', "", html)


def test_an_unknown_email_is_answered_as_a_wrong_password(client, partnership_lead):
    """Signing in does not reveal whether an account exists."""
    known = client.post(LOGIN, {"login": partnership_lead.email, "password": "wrong-password"})
    unknown = client.post(LOGIN, {"login": "nobody-here@example.org", "password": "wrong"})
    assert known.status_code == unknown.status_code == 200
    known_page = _without_tokens(known.content.decode()).replace(partnership_lead.email, "E")
    unknown_page = _without_tokens(unknown.content.decode()).replace("nobody-here@example.org", "E")
    assert known_page == unknown_page


def test_an_unknown_email_is_throttled_like_a_real_one(client, db):
    """Otherwise the lock-out itself would tell which addresses have accounts."""
    for _ in range(5):
        client.post(LOGIN, {"login": "nobody-here@example.org", "password": "wrong"})
    blocked = client.post(LOGIN, {"login": "nobody-here@example.org", "password": "wrong"})
    assert "Too many failed login attempts. Try again later." in blocked.content.decode()


def test_sign_up_creates_no_account_even_when_posted_directly(client, db):
    from accounts.models import User

    response = client.post(
        "/accounts/signup/",
        {"email": "someone@example.org", "password1": "Xy-long-pass-123", "password2": "x"},
    )
    assert response.status_code in (200, 302, 403)
    assert not User.objects.filter(email="someone@example.org").exists()
