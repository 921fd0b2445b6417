"""Personal access tokens: the pages that make and revoke them, how they are stored, and what
the API accepts: expiry, revocation, scope, two-factor authentication, rate limits, sessions."""

import datetime
import hashlib

import pytest
from allauth.mfa.models import Authenticator
from django.utils import timezone
from rest_framework.test import APIClient

from api.models import ApiToken
from api.services import token_create, token_revoke
from audit.models import AuditEvent
from tests.api.conftest import error_code, make_token


def _date_fields(day: datetime.date) -> dict:
    return {
        "expires_on_day": str(day.day),
        "expires_on_month": str(day.month),
        "expires_on_year": str(day.year),
    }


def test_the_tokens_page_is_linked_from_the_account_navigation(client, partnership_lead):
    client.force_login(partnership_lead)
    page = client.get("/accounts/2fa/").content.decode()
    assert 'href="/accounts/api-tokens/"' in page


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/accounts/api-tokens/")
    assert response.status_code == 302
    assert "/accounts/login/" in response.url


def test_a_token_is_made_shown_once_and_stored_hashed(client, partnership_lead):
    client.force_login(partnership_lead)
    expires = timezone.localdate() + datetime.timedelta(days=90)
    response = client.post(
        "/accounts/api-tokens/new/",
        {"name": "Trust reporting", "scope": "read", **_date_fields(expires)},
    )
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret.startswith("pp_") and len(secret) > 50
    assert secret in response.content.decode()
    assert "no-store" in response.headers["Cache-Control"]
    token = ApiToken.objects.get(user=partnership_lead)
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret.split("_")[1] == token.prefix
    assert secret not in str(list(ApiToken.objects.values()))
    assert timezone.localtime(token.expires_at).date() == expires + datetime.timedelta(days=1)
    assert token.scope == "read"
    event = AuditEvent.objects.get(action="api_token.create")
    assert event.actor == partnership_lead and event.after["prefix"] == token.prefix
    # The list shows it by name and prefix, never the token again.
    listing = client.get("/accounts/api-tokens/").content.decode()
    assert "Trust reporting" in listing and token.prefix in listing and secret not in listing


@pytest.mark.parametrize(
    ("days", "message"),
    [
        (0, "The expiry date must be in the future"),
        (366, "The expiry date must be no more than 365 days from today"),
    ],
)
def test_the_expiry_is_required_and_at_most_a_year(client, partnership_lead, days, message):
    client.force_login(partnership_lead)
    day = timezone.localdate() + datetime.timedelta(days=days)
    response = client.post(
        "/accounts/api-tokens/new/", {"name": "x", "scope": "write", **_date_fields(day)}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    missing = client.post("/accounts/api-tokens/new/", {"name": "x", "scope": "write"})
    assert "Enter the date the token expires" in missing.content.decode()
    assert not ApiToken.objects.exists()


def test_revoking_stops_the_token_at_once_and_is_audited(client, partnership_lead):
    secret = make_token(partnership_lead)
    token = ApiToken.objects.get()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.get("/api/v1/me/").status_code == 200
    client.force_login(partnership_lead)
    assert client.get(f"/accounts/api-tokens/{token.pk}/revoke/").status_code == 200
    response = client.post(f"/accounts/api-tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    refused = api.get("/api/v1/me/")
    assert refused.status_code == 401
    assert error_code(refused) == "token_revoked"
    assert AuditEvent.objects.filter(action="api_token.revoke", actor=partnership_lead).count() == 1
    token_revoke(token=token, actor=partnership_lead)  # again: nothing more happens
    assert AuditEvent.objects.filter(action="api_token.revoke").count() == 1


def test_nobody_revokes_or_sees_another_persons_token(client, partnership_lead, outsider):
    make_token(partnership_lead)
    token = ApiToken.objects.get()
    client.force_login(outsider)
    assert client.post(f"/accounts/api-tokens/{token.pk}/revoke/").status_code == 404
    assert token.prefix not in client.get("/accounts/api-tokens/").content.decode()
    assert ApiToken.objects.get().revoked_at is None


def test_an_expired_token_is_refused(partnership_lead, api):
    secret = make_token(partnership_lead)
    ApiToken.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    response = client.get("/api/v1/projects/")
    assert response.status_code == 401
    assert error_code(response) == "token_expired"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header",
    ["Bearer nonsense", "Bearer pp_deadbeef_wrong", "Bearer pp_", "Bearer a b", "Bearer ÿ"],
)
def test_a_wrong_token_is_refused(partnership_lead, header):
    secret = make_token(partnership_lead)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/v1/projects/")
    assert response.status_code == 401
    assert error_code(response) == "authentication_failed"
    # A right prefix with a wrong secret is refused too.
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret[:-2]}xx")
    assert client.get("/api/v1/projects/").status_code == 401


def test_no_token_is_401(api):
    response = api().get("/api/v1/projects/")
    assert response.status_code == 401
    assert error_code(response) == "not_authenticated"
    assert "Authorization: Bearer" in response.json()["error"]["message"]


def test_a_read_only_token_is_refused_on_every_write(api, draft, partnership_lead):
    client = api(partnership_lead, scope="read")
    assert client.get(f"/api/v1/projects/{draft.pk}/").status_code == 200
    for method, url, data in [
        ("patch", f"/api/v1/projects/{draft.pk}/", {"aims": "More"}),
        ("post", "/api/v1/projects/", {"title": "New", "lead_organisation": 1}),
        ("post", f"/api/v1/projects/{draft.pk}/withdraw/", {"reason": "No"}),
        ("post", "/api/v1/declarations/", {"project": draft.pk, "nil_return": True}),
    ]:
        response = getattr(client, method)(url, data, format="json")
        assert response.status_code == 403, url
        assert error_code(response) == "read_only_token"
    draft.refresh_from_db()
    assert draft.aims == "" and draft.status == "draft"


def test_a_role_that_needs_two_factor_authentication_cannot_use_a_token_without_it(
    api, panel_member
):
    client = api(panel_member)
    assert client.get("/api/v1/me/").status_code == 200
    Authenticator.objects.filter(user=panel_member, type=Authenticator.Type.TOTP).delete()
    response = client.get("/api/v1/me/")
    assert response.status_code == 403
    assert error_code(response) == "mfa_required"


def test_the_rate_limit_is_per_token(settings, partnership_lead):
    settings.PORTAL_API_RATE = "3/minute"
    first, second = APIClient(), APIClient()
    first.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(partnership_lead)}")
    second.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(partnership_lead)}")
    assert [first.get("/api/v1/me/").status_code for _ in range(3)] == [200, 200, 200]
    limited = first.get("/api/v1/me/")
    assert limited.status_code == 429
    assert error_code(limited) == "throttled"
    assert int(limited.headers["Retry-After"]) > 0
    assert second.get("/api/v1/me/").status_code == 200


def test_the_public_register_is_limited_per_address(db, settings, api):
    settings.PORTAL_API_ANON_RATE = "2/minute"
    client = api()
    assert [client.get("/api/v1/register/").status_code for _ in range(3)] == [200, 200, 429]


def test_session_authentication_needs_the_csrf_token_to_write(draft, partnership_lead):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(partnership_lead)
    assert client.get(f"/api/v1/projects/{draft.pk}/").status_code == 200
    refused = client.patch(f"/api/v1/projects/{draft.pk}/", {"aims": "X"}, format="json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["error"]["message"]
    client.get("/accounts/api-tokens/")  # sets the CSRF cookie
    csrf = client.cookies["csrftoken"].value
    ok = client.patch(
        f"/api/v1/projects/{draft.pk}/", {"aims": "X"}, format="json", HTTP_X_CSRFTOKEN=csrf
    )
    assert ok.status_code == 200
    assert ok.json()["aims"] == "X"


def test_me_says_who_the_token_belongs_to(api, industry_member):
    data = api(industry_member, scope="read").get("/api/v1/me/").json()
    assert data["email"] == industry_member.email
    assert data["token_scope"] == "read"
    assert data["roles"] == [{"organisation": "Example Pharma UK Ltd", "role": "industry_member"}]


def test_the_service_refuses_a_token_for_someone_else(partnership_lead, outsider):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        token_create(
            user=outsider,
            name="x",
            scope="read",
            expires_on=timezone.localdate() + datetime.timedelta(days=1),
            actor=partnership_lead,
        )
