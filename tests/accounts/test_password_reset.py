import re

from django.core import mail
from django.urls import reverse

RESET = "/accounts/password/reset/"


def _strip_csrf(html: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'nonce="[^"]+"', "", html)


def test_reset_does_not_reveal_whether_an_account_exists(client, partnership_lead):
    known = client.post(RESET, {"email": partnership_lead.email}, follow=True)
    unknown = client.post(RESET, {"email": "nobody-here@example.org"}, follow=True)
    assert known.status_code == unknown.status_code == 200
    assert known.redirect_chain == unknown.redirect_chain
    assert _strip_csrf(known.content.decode()) == _strip_csrf(unknown.content.decode())
    # Only the real account holder receives a reset link.
    links = [m for m in mail.outbox if "/accounts/password/reset/key/" in m.body]
    assert [m.to for m in links] == [[partnership_lead.email]]


def test_reset_link_sets_a_new_password(client, partnership_lead):
    client.post(RESET, {"email": partnership_lead.email})
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+)", mail.outbox[0].body)
    page = client.get(link.group(1), follow=True)
    form_url = page.redirect_chain[-1][0] if page.redirect_chain else link.group(1)
    new_password = "A-brand-new-passphrase-42"
    done = client.post(form_url, {"password1": new_password, "password2": new_password})
    assert done.status_code == 302
    partnership_lead.refresh_from_db()
    assert partnership_lead.check_password(new_password)


def test_reset_with_a_bad_link_says_so(client, db):
    response = client.get("/accounts/password/reset/key/1-not-a-real-key/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "This password reset link cannot be used" in body
    assert f'href="{reverse("account_reset_password")}"' in body
