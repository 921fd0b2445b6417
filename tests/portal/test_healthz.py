import pytest
from django.db import InterfaceError, OperationalError, ProgrammingError
from django.test import override_settings
from django.urls import path as url_path

from portal import views


def test_healthy_when_database_and_broker_answer(client, db, settings):
    assert settings.CELERY_BROKER_URL.startswith("redis://"), "the suite runs against real Redis"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}


@override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0")
def test_broker_down_is_503_naming_the_broker(client, db):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["broker"]
    assert response.json()["checks"]["database"] == "ok"


def test_database_down_is_503_naming_the_database(client, db, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    with monkeypatch.context() as patched:
        patched.setattr(views.connection, "cursor", refuse)
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["database"]


def test_unknown_page_is_a_plain_english_404(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_form_without_csrf_token_is_refused_with_a_message(db, partnership_lead):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(partnership_lead)
    response = strict.post("/invitations/new/", {"email": "x@example.org"})
    assert response.status_code == 403
    assert "The form could not be sent" in response.content.decode()


def test_null_characters_get_a_400_not_a_500(client, db, partnership_lead):
    client.force_login(partnership_lead)
    for path in (
        "/register/?q=%00",
        "/projects/?q=a%00b",
        "/register/%00/",
        "/organisations/?q=%00",
    ):
        response = client.get(path)
        assert response.status_code == 400, path
        assert "a character that is not allowed" in response.content.decode()
    posted = client.post("/invitations/new/", {"first_name": "A\x00"})
    assert posted.status_code == 400


# A URLconf of this module's own, with the portal's handler500, for a view that fails.
RAISED: list[Exception] = []


def _failing_view(request):
    raise RAISED[0]


urlpatterns = [url_path("boom/", _failing_view)]
handler500 = "portal.views.server_error"


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (OperationalError("connection to server failed: Connection refused"), 503),
        (InterfaceError("connection already closed"), 503),
        (ProgrammingError('relation "x" does not exist'), 500),
        (ValueError("a bug"), 500),
    ],
)
@override_settings(ROOT_URLCONF=__name__)
def test_an_unreachable_database_is_a_503_page_and_other_errors_a_500(db, error, status):
    from django.test import Client

    RAISED[:] = [error]
    page = Client(raise_request_exception=False).get("/boom/")
    assert page.status_code == status
    if status == 503:
        assert "Sorry, the service is unavailable" in page.content.decode()
        assert page["Retry-After"] == "60"
    else:
        assert "Sorry, there is a problem with the service" in page.content.decode()
