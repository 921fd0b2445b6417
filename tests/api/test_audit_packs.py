"""Audit packs through the API: auditors and administrators only, bad input named."""

import datetime

import pytest
from django.utils import timezone

from outcomes.models import DisclosureDocument
from outcomes.services import disclosure as services
from tests.api.conftest import error_code

pytestmark = pytest.mark.django_db
URL = "/api/v1/audit-packs/"


def period():
    today = timezone.localdate()
    return {
        "period_from": (today - datetime.timedelta(days=30)).isoformat(),
        "period_to": today.isoformat(),
    }


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("auditor", True),
        ("administrator", True),
        ("partnership_lead", False),
        ("panel_chair", False),
        ("industry_member", False),
    ],
)
def test_who_uses_audit_packs(request, api, approved, icb, who, allowed):
    client = api(request.getfixturevalue(who))
    listed = client.get(URL)
    requested = client.post(URL, {"organisation": icb.pk, **period()}, format="json")
    if allowed:
        assert listed.status_code == 200
        assert requested.status_code == 202
        assert requested.json()["kind"] == "audit_pack"
    else:
        assert listed.status_code == requested.status_code == 403
        assert error_code(requested) == "permission_denied"
        assert not DisclosureDocument.objects.exists()


def test_request_poll_and_download(api, approved, icb, auditor):
    client = api(auditor)
    body = client.post(URL, {"organisation": icb.pk, **period()}, format="json").json()
    assert body["status"] == "queued" and body["download_url"] is None
    assert body["organisation_name"] == icb.name
    services.disclosure_render(document_id=body["id"])
    status = client.get(f"/api/v1/disclosures/{body['id']}/").json()
    assert status["status"] == "ready" and len(status["sha256"]) == 64
    download = client.get(f"/api/v1/disclosures/{body['id']}/download/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert [row["id"] for row in client.get(URL).json()] == [body["id"]]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"organisation": 999999}, "organisation", "Choose an ICB or other NHS body from the list"),
        (
            {"period_from": "2026-03-01", "period_to": "2026-01-01"},
            "period_to",
            "The end of the period must be the same as or after its start",
        ),
        ({"period_from": "1 April"}, "period_from", "Enter the start of the period as a date"),
        ({"period_to": None}, "period_to", "Enter the end of the period"),
    ],
)
def test_bad_input_is_named(api, approved, icb, auditor, data, field, message):
    posted = {"organisation": icb.pk, **period(), **data}
    posted = {k: v for k, v in posted.items() if v is not None}
    response = api(auditor).post(URL, posted, format="json")
    assert response.status_code == 400
    assert error_code(response) == "validation_error"
    assert any(message in text for text in response.json()["error"]["fields"][field])
    assert not DisclosureDocument.objects.exists()
