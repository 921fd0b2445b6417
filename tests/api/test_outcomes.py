"""Outcome reports and disclosure documents through the API."""

from audit.models import AuditEvent
from outcomes.models import DisclosureDocument, OutcomeReport
from outcomes.services import disclosure as services
from tests.api.conftest import ROLES, error_code


def report_url(project, number=1):
    return f"/api/v1/projects/{project.pk}/reports/{number}/"


def complete(project):
    return {
        "rag": "green",
        "rag_reason": "On track",
        "narrative": "Clinics running",
        "values": [
            {"measure": m.pk, "value": "42.5", "note": "Audit"} for m in project.measures.all()
        ],
    }


def test_reports_are_read_by_whoever_sees_the_project(request, api, active):
    for who in [*ROLES, "outsider"]:
        response = api(request.getfixturevalue(who), scope="read").get(
            f"/api/v1/projects/{active.pk}/reports/"
        )
        if who == "outsider":
            assert response.status_code == 404
            continue
        rows = response.json()
        assert rows and rows[0]["number"] == 1 and rows[0]["status"] == "not_started", who


def test_the_team_saves_a_draft_and_the_lead_submits(api, active, industry_member, deputy):
    saved = api(industry_member).put(report_url(active), complete(active), format="json")
    assert saved.status_code == 200, saved.json()
    assert saved.json()["status"] == "draft"
    assert saved.json()["values"][0]["value"] == "42.5000"
    refused = api(industry_member).post(report_url(active) + "submit/")
    assert refused.status_code == 403
    submitted = api(deputy).post(report_url(active) + "submit/")
    assert submitted.status_code == 200
    assert submitted.json()["status"] == "submitted"
    locked = api(deputy).put(report_url(active), complete(active), format="json")
    assert locked.status_code == 400
    assert (
        locked.json()["error"]["message"] == "This report has been submitted and cannot be changed"
    )


def test_submit_with_a_body_saves_then_submits(api, active, partnership_lead):
    response = api(partnership_lead).post(
        report_url(active) + "submit/", complete(active), format="json"
    )
    assert response.status_code == 200
    assert OutcomeReport.objects.get().status == OutcomeReport.Status.SUBMITTED


def test_submission_names_what_is_missing(api, active, partnership_lead):
    response = api(partnership_lead).post(
        report_url(active) + "submit/", {"narrative": "Started"}, format="json"
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert fields["rag"] == ["Choose a RAG status"]
    assert OutcomeReport.objects.get().status == OutcomeReport.Status.DRAFT


def test_others_cannot_write_reports(request, api, active):
    for who, status in [("panel_member", 403), ("auditor", 403), ("outsider", 404)]:
        client = api(request.getfixturevalue(who))
        body = complete(active)
        assert client.put(report_url(active), body, format="json").status_code == status, who
        assert client.post(report_url(active) + "submit/").status_code == status, who
    assert not OutcomeReport.objects.exists()


def test_report_input_errors(api, active, partnership_lead):
    client = api(partnership_lead)
    assert client.get(report_url(active, 999)).status_code == 404
    bad = client.put(
        report_url(active),
        {"rag": "purple", "values": [{"measure": 999999, "value": "1.23456"}]},
        format="json",
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["fields"]["rag"] == ["Choose red, amber or green"]
    assert "values.0.value" in bad.json()["error"]["fields"]
    unknown = client.put(
        report_url(active), {"values": [{"measure": 999999, "value": "1"}]}, format="json"
    )
    assert unknown.json()["error"]["fields"]["values"] == [
        "999999 is not one of this project's outcome measures"
    ]


def test_reports_only_while_active(api, approved, partnership_lead):
    response = api(partnership_lead).put(report_url(approved), complete(approved), format="json")
    assert response.status_code in (400, 404)  # no schedule yet, or not active


# Disclosure documents ---------------------------------------------------------------------


def test_who_uses_disclosures(request, api, approved):
    for who, status in [
        ("partnership_lead", 200),
        ("industry_member", 200),
        ("auditor", 200),
        ("panel_member", 403),
        ("panel_chair", 403),
        ("outsider", 404),
    ]:
        client = api(request.getfixturevalue(who))
        url = f"/api/v1/projects/{approved.pk}/disclosures/"
        assert client.get(url).status_code == status, who
        requested = client.post(url)
        assert requested.status_code == (202 if status == 200 else status), who
    assert DisclosureDocument.objects.count() == 1  # the same data: the same document


def test_request_poll_and_download(api, approved, industry_member, outsider):
    client = api(industry_member)
    requested = client.post(f"/api/v1/projects/{approved.pk}/disclosures/")
    document = DisclosureDocument.objects.get(pk=requested.json()["id"])
    assert requested.json()["status"] == "queued" and requested.json()["download_url"] is None
    not_ready = client.get(f"/api/v1/disclosures/{document.pk}/download/")
    assert not_ready.status_code == 409 and error_code(not_ready) == "not_ready"
    services.disclosure_render(document_id=document.pk)
    status = client.get(f"/api/v1/disclosures/{document.pk}/").json()
    assert status["status"] == "ready" and status["download_url"].endswith("/download/")
    download = client.get(f"/api/v1/disclosures/{document.pk}/download/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="disclosure.download", actor=industry_member).exists()
    assert api(outsider).get(f"/api/v1/disclosures/{document.pk}/").status_code == 404
    assert api(outsider).get(f"/api/v1/disclosures/{document.pk}/download/").status_code == 404
