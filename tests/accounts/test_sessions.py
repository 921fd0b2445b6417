"""Sessions: they end after PORTAL_SESSION_AGE of inactivity (each request moves the expiry
on), a new sign-in gets a new session key, and changing the password signs out every other
session."""

import datetime
import re

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.utils import timezone

LOGIN = "/accounts/login/"


def sign_in(client, user, password):
    response = client.post(LOGIN, {"login": user.email, "password": password})
    assert response.status_code == 302
    return response


def session_row(client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def test_the_session_ends_with_the_browser_or_after_the_inactivity_limit(
    client, partnership_lead, password
):
    response = sign_in(client, partnership_lead, password)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == "" and cookie["expires"] == ""  # gone when the browser closes
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert not settings.ACCOUNT_SESSION_REMEMBER  # no "remember me" past the limit
    # On the server it expires after PORTAL_SESSION_AGE (default 8 hours) without a request.
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    left = session_row(client).expire_date - timezone.now()
    assert abs(left.total_seconds() - settings.SESSION_COOKIE_AGE) < 60


def test_each_request_moves_the_expiry_on(client, partnership_lead, password):
    sign_in(client, partnership_lead, password)
    soon = timezone.now() + datetime.timedelta(minutes=5)
    Session.objects.filter(session_key=client.session.session_key).update(expire_date=soon)
    assert client.get("/").status_code == 200
    expiry = session_row(client).expire_date
    assert expiry > timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)


def test_a_session_idle_past_the_limit_is_signed_out(client, partnership_lead, password):
    sign_in(client, partnership_lead, password)
    assert "Welcome, Priya" in client.get("/").content.decode()
    # Nothing for longer than the limit: the stored session has expired.
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = client.get("/projects/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert "Welcome, Priya" not in client.get("/").content.decode()


def test_signing_in_gives_a_new_session_key(client, partnership_lead, password):
    client.get(LOGIN)
    client.session.save()
    before = client.session.session_key
    sign_in(client, partnership_lead, password)
    assert client.session.session_key != before  # no session fixation


def test_a_password_reset_signs_out_every_other_session(client, partnership_lead, password):
    elsewhere = Client()
    sign_in(elsewhere, partnership_lead, password)
    assert elsewhere.get("/projects/").status_code == 200

    client.post("/accounts/password/reset/", {"email": partnership_lead.email})
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+)", mail.outbox[0].body)
    page = client.get(link.group(1), follow=True)
    form_url = page.redirect_chain[-1][0] if page.redirect_chain else link.group(1)
    new_password = "A-brand-new-passphrase-42"
    assert (
        client.post(form_url, {"password1": new_password, "password2": new_password}).status_code
        == 302
    )
    response = elsewhere.get("/projects/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
