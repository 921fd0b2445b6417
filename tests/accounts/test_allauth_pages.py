"""The allauth pages people meet speak the portal's house style.

British English, sentence case, NHS.UK frontend markup in a two-thirds column,
and never allauth's own American, title-case wording. Each page is fetched in
the state in which allauth really shows it; the forms keep the field names,
actions and hidden inputs allauth's views need, so the flows still work.
"""

import re
from html import unescape

from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.core import mail
from django.urls import reverse

from tests.conftest import totp_code

# allauth's own wording, which must not reach a page of the portal.
AMERICAN_TITLE_CASE = (
    "Sign In",
    "Sign Out",
    "Two-Factor Authentication",
    "Authenticator App",
    "Reset My Password",
    "Sign Up",
)
TWO_THIRDS = '<div class="nhsuk-grid-row"><div class="nhsuk-grid-column-two-thirds">'


def sign_in(client, user, password):
    """Through the real form, so allauth records a fresh sign-in."""
    response = client.post(reverse("account_login"), {"login": user.email, "password": password})
    assert response.status_code == 302
    return response


def sign_in_with_code(client, user, password):
    assert sign_in(client, user, password)["Location"] == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def assert_house_style(response, heading, title=None):
    """The page is up, has the heading and title, and none of allauth's wording."""
    assert response.status_code == 200
    body = response.content.decode()
    assert f'<h1 class="nhsuk-heading-l">{heading}</h1>' in body, body
    title_text = unescape(re.search(r"<title>(.*?)</title>", body, re.S).group(1))
    assert title_text == f"{title or heading} – Partnership portal"
    assert TWO_THIRDS in re.sub(r">\s+<", "><", body)
    for phrase in AMERICAN_TITLE_CASE:
        assert phrase not in body, f"{phrase!r} on {response.wsgi_request.path}"
    # Sign-up is closed: no page invites anyone to it.
    assert f'href="{reverse("account_signup")}"' not in body
    return body


def assert_form(body, action, *names):
    """A POST form to `action` with a CSRF token and inputs of the given names."""
    form = re.search(
        rf'<form method="post" action="{re.escape(action)}"[^>]*>(.*?)</form>', body, re.S
    )
    assert form, f"no form posting to {action}"
    assert 'name="csrfmiddlewaretoken"' in form.group(1)
    for name in names:
        assert f'name="{name}"' in form.group(1), f"{name} missing from the form to {action}"
    return form.group(1)


# Anonymous pages ---------------------------------------------------------------


def test_password_reset_page(client, db):
    body = assert_house_style(client.get(reverse("account_reset_password")), "Password reset")
    assert_form(body, reverse("account_reset_password"), "email")
    assert "Send reset link" in body


def test_password_reset_with_errors_says_error_in_the_title(client, db):
    response = client.post(reverse("account_reset_password"), {"email": "not-an-email"})
    body = assert_house_style(response, "Password reset", title="Error: Password reset")
    assert "There is a problem" in body


def test_password_reset_done_page(client, db):
    body = assert_house_style(
        client.get(reverse("account_reset_password_done")), "Check your email"
    )
    assert "spam or junk folder" in body


def test_password_reset_from_key_done_page(client, db):
    response = client.get(reverse("account_reset_password_from_key_done"))
    body = assert_house_style(response, "Your password has been changed")
    assert f'href="{reverse("account_login")}"' in body


def test_verification_sent_page(client, db):
    response = client.get(reverse("account_email_verification_sent"))
    assert_house_style(response, "Confirm your email address")


def test_email_confirm_page(client, partnership_lead):
    address = EmailAddress.objects.create(
        user=partnership_lead, email="priya.second@example.org", verified=False, primary=False
    )
    key = EmailConfirmationHMAC(address).key
    action = reverse("account_confirm_email", args=[key])
    body = assert_house_style(client.get(action), "Confirm your email address")
    assert "priya.second@example.org" in body
    # The key carries a timestamp, so the page's own key may be a second newer than ours:
    # it must still confirm the same address.
    prefix = action.split(key)[0]
    posted = re.search(rf'action="({re.escape(prefix)}[^"]+)"', body).group(1)
    assert_form(body, posted)
    assert EmailConfirmationHMAC.from_key(posted[len(prefix) :].strip("/")).email_address == address
    assert "Confirm email address" in body


def test_email_confirm_page_with_a_bad_link(client, db):
    response = client.get(reverse("account_confirm_email", args=["not-a-real-key"]))
    assert_house_style(response, "This link cannot be used")


def test_sign_up_page_says_accounts_are_by_invitation(client, db):
    body = assert_house_style(client.get(reverse("account_signup")), "Accounts are by invitation")
    assert "partnership lead or an administrator to invite you" in body
    assert f'href="{reverse("account_login")}"' in body


def test_account_inactive_page(client, db):
    assert_house_style(client.get(reverse("account_inactive")), "Your account is not active")


# Signed-in pages ---------------------------------------------------------------


def test_sign_out_page(client, partnership_lead):
    client.force_login(partnership_lead)
    body = assert_house_style(client.get(reverse("account_logout")), "Sign out")
    assert "Are you sure you want to sign out" in body
    assert_form(body, reverse("account_logout"))


def test_email_addresses_page(client, partnership_lead):
    client.force_login(partnership_lead)
    body = assert_house_style(client.get(reverse("account_email")), "Email addresses")
    assert partnership_lead.email in body
    assert "Confirmed" in body
    add = assert_form(body, reverse("account_email"), "email", "action_add")
    assert 'type="email"' in add
    assert f'href="{reverse("account_change_password")}"' in body
    assert f'href="{reverse("mfa_index")}"' in body


def test_email_addresses_page_with_several_addresses(client, partnership_lead):
    EmailAddress.objects.create(
        user=partnership_lead, email="priya.second@example.org", verified=False, primary=False
    )
    client.force_login(partnership_lead)
    body = assert_house_style(client.get(reverse("account_email")), "Email addresses")
    manage = assert_form(
        body, reverse("account_email"), "email", "action_primary", "action_send", "action_remove"
    )
    assert manage.count('type="radio"') == 2
    assert 'value="priya.second@example.org"' in manage
    assert "Not confirmed" in manage
    assert "Primary" in manage


def test_email_addresses_page_keeps_working(client, partnership_lead):
    client.force_login(partnership_lead)
    bad = client.post(reverse("account_email"), {"action_add": "", "email": "not-an-email"})
    body = assert_house_style(bad, "Email addresses", title="Error: Email addresses")
    assert '<a href="#id_email">' in body
    added = client.post(
        reverse("account_email"), {"action_add": "", "email": "priya.new@example.org"}
    )
    assert added.status_code == 302
    assert EmailAddress.objects.filter(
        user=partnership_lead, email="priya.new@example.org"
    ).exists()
    client.post(reverse("account_email"), {"action_remove": "", "email": "priya.new@example.org"})
    assert not EmailAddress.objects.filter(email="priya.new@example.org").exists()


def test_password_change_page(client, partnership_lead, password):
    sign_in(client, partnership_lead, password)
    body = assert_house_style(
        client.get(reverse("account_change_password")), "Change your password"
    )
    assert_form(body, reverse("account_change_password"), "oldpassword", "password1", "password2")
    new_password = "A-different-passphrase-77"
    changed = client.post(
        reverse("account_change_password"),
        {"oldpassword": password, "password1": new_password, "password2": new_password},
    )
    assert changed.status_code == 302
    partnership_lead.refresh_from_db()
    assert partnership_lead.check_password(new_password)


def test_reauthenticate_with_password_page(client, partnership_lead):
    client.force_login(partnership_lead)
    body = assert_house_style(client.get(reverse("account_reauthenticate")), "Confirm it's you")
    assert_form(body, reverse("account_reauthenticate"), "password")


def test_reauthenticate_with_code_page(client, panel_member):
    client.force_login(panel_member)
    body = assert_house_style(client.get(reverse("mfa_reauthenticate")), "Confirm it's you")
    assert_form(body, reverse("mfa_reauthenticate"), "code")
    # The other way to confirm, by password, is offered too.
    assert f'href="{reverse("account_reauthenticate")}' in body


# Two-factor authentication -------------------------------------------------------


def test_code_page_after_the_password(client, panel_member, password):
    sign_in(client, panel_member, password)
    response = client.get(reverse("mfa_authenticate"))
    body = assert_house_style(response, "Enter the code from your authenticator app")
    assert "recovery code" in body
    assert_form(body, reverse("mfa_authenticate"), "code")
    # Cancelling signs the half-finished sign-in out and goes back to the sign-in page.
    cancel = assert_form(body, reverse("account_logout"), "next")
    assert f'value="{reverse("account_login")}"' in cancel


def test_code_page_with_a_wrong_code(client, panel_member, password):
    sign_in(client, panel_member, password)
    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    body = assert_house_style(
        wrong,
        "Enter the code from your authenticator app",
        title="Error: Enter the code from your authenticator app",
    )
    assert "There is a problem" in body
    assert "Incorrect code." in body


def test_sign_in_security_page_with_an_authenticator(client, panel_member, password):
    sign_in_with_code(client, panel_member, password)
    body = assert_house_style(client.get(reverse("mfa_index")), "Sign-in security")
    for name in (
        "mfa_deactivate_totp",
        "mfa_view_recovery_codes",
        "mfa_download_recovery_codes",
        "mfa_generate_recovery_codes",
    ):
        assert f'href="{reverse(name)}"' in body, name
    assert f'href="{reverse("mfa_activate_totp")}"' not in body
    assert "You have 10 of 10 recovery codes left." in body


def test_sign_in_security_page_without_an_authenticator(client, partnership_lead):
    client.force_login(partnership_lead)
    body = assert_house_style(client.get(reverse("mfa_index")), "Sign-in security")
    assert f'href="{reverse("mfa_activate_totp")}"' in body
    assert f'href="{reverse("mfa_deactivate_totp")}"' not in body
    assert f'href="{reverse("mfa_generate_recovery_codes")}"' not in body


def test_set_up_an_authenticator_app_page(client, partnership_lead, password):
    sign_in(client, partnership_lead, password)
    body = assert_house_style(
        client.get(reverse("mfa_activate_totp")), "Set up an authenticator app"
    )
    secret = client.session[SECRET_SESSION_KEY]
    assert '<ol class="nhsuk-list nhsuk-list--number">' in body
    assert 'src="data:image/svg+xml;base64,' in body
    # The key is shown so that it can be typed in, and the set-up link offered.
    assert f'value="{secret}"' in body
    assert f"secret={secret}" in body
    assert_form(body, reverse("mfa_activate_totp"), "code")


def test_remove_authenticator_app_page(client, panel_member, password):
    sign_in_with_code(client, panel_member, password)
    response = client.get(reverse("mfa_deactivate_totp"))
    body = assert_house_style(response, "Remove your authenticator app")
    assert_form(body, reverse("mfa_deactivate_totp"))
    # A panel member is told the portal will ask them to set an app up again.
    assert "Your role needs two-factor authentication" in body


def test_recovery_codes_page(client, panel_member, password):
    sign_in_with_code(client, panel_member, password)
    body = assert_house_style(client.get(reverse("mfa_view_recovery_codes")), "Your recovery codes")
    codes = (
        Authenticator.objects.get(user=panel_member, type=Authenticator.Type.RECOVERY_CODES)
        .wrap()
        .get_unused_codes()
    )
    textarea = re.search(r'<textarea[^>]*id="recovery_codes"[^>]*>(.*?)</textarea>', body, re.S)
    assert textarea.group(1).split() == codes
    assert f'href="{reverse("mfa_download_recovery_codes")}"' in body
    assert f'href="{reverse("mfa_generate_recovery_codes")}"' in body


def test_new_recovery_codes_page(client, panel_member, password):
    sign_in_with_code(client, panel_member, password)
    response = client.get(reverse("mfa_generate_recovery_codes"))
    body = assert_house_style(response, "Get new recovery codes")
    assert "Your current recovery codes will stop working" in body
    assert_form(body, reverse("mfa_generate_recovery_codes"))
    old = Authenticator.objects.get(user=panel_member, type=Authenticator.Type.RECOVERY_CODES)
    old_codes = old.wrap().get_unused_codes()
    generated = client.post(reverse("mfa_generate_recovery_codes"))
    assert generated.status_code == 302
    assert generated["Location"] == reverse("mfa_view_recovery_codes")
    new = Authenticator.objects.get(user=panel_member, type=Authenticator.Type.RECOVERY_CODES)
    assert new.wrap().get_unused_codes() != old_codes


# Whole flows through the new pages ------------------------------------------------


def test_password_reset_round_trip(client, partnership_lead, password):
    requested = client.post(reverse("account_reset_password"), {"email": partnership_lead.email})
    assert requested["Location"] == reverse("account_reset_password_done")
    assert_house_style(client.get(requested["Location"]), "Check your email")

    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+)", mail.outbox[0].body)
    page = client.get(link.group(1), follow=True)
    form_url = page.redirect_chain[-1][0] if page.redirect_chain else link.group(1)
    assert_house_style(page, "Choose a new password")

    new_password = "A-brand-new-passphrase-42"
    done = client.post(form_url, {"password1": new_password, "password2": new_password})
    assert done["Location"] == reverse("account_reset_password_from_key_done")
    assert_house_style(client.get(done["Location"]), "Your password has been changed")

    assert "_auth_user_id" not in client.session
    response = client.post(
        reverse("account_login"), {"login": partnership_lead.email, "password": new_password}
    )
    assert response["Location"] == reverse("home")
    assert "_auth_user_id" in client.session


def test_authenticator_app_set_up_round_trip(client, partnership_lead, password):
    sign_in(client, partnership_lead, password)
    client.get(reverse("mfa_activate_totp"))
    secret = client.session[SECRET_SESSION_KEY]

    wrong = client.post(reverse("mfa_activate_totp"), {"code": "123456"})
    body = assert_house_style(
        wrong, "Set up an authenticator app", title="Error: Set up an authenticator app"
    )
    assert "There is a problem" in body
    assert '<a href="#id_code">' in body
    # The same key is offered again, so the one already in the app still works.
    assert f'value="{secret}"' in body

    right = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert right["Location"] == reverse("mfa_view_recovery_codes")
    assert Authenticator.objects.filter(
        user=partnership_lead, type=Authenticator.Type.TOTP
    ).exists()
    assert_house_style(client.get(right["Location"]), "Your recovery codes")
    index = assert_house_style(client.get(reverse("mfa_index")), "Sign-in security")
    assert f'href="{reverse("mfa_deactivate_totp")}"' in index

    # Signing out, then in again, now asks for a code.
    assert_house_style(client.get(reverse("account_logout")), "Sign out")
    client.post(reverse("account_logout"))
    assert sign_in(client, partnership_lead, password)["Location"] == reverse("mfa_authenticate")
