"""The disclosure pages: who sees them, requesting, the status endpoint, retry and download."""

import hashlib

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from outcomes.models import DisclosureDocument
from outcomes.services import disclosure as services

pytestmark = pytest.mark.django_db

K = DisclosureDocument.Kind
S = DisclosureDocument.Status


def page_url(project):
    return reverse("outcomes:disclosure-project", args=[project.pk])


def ready_document(project, actor):
    document = services.disclosure_request(kind=K.PROJECT, project=project, actor=actor)
    return services.disclosure_render(document_id=document.pk)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("partnership_lead", 200),
        ("deputy", 200),
        ("industry_member", 200),  # on the team, from the company
        ("auditor", 200),
        ("administrator", 200),
        ("panel_member", 403),  # sees the project, but is not its team
        ("outsider", 404),
    ],
)
def test_who_sees_the_disclosure_page(request, client, ready_proposal, administrator, who, status):
    client.force_login(request.getfixturevalue(who))
    response = client.get(page_url(ready_proposal))
    assert response.status_code == status
    if status == 200:
        assert "Request the disclosure PDF" in response.content.decode()


def test_anonymous_is_sent_to_sign_in(client, ready_proposal):
    response = client.get(page_url(ready_proposal))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = client.post(reverse("outcomes:disclosure-project-request", args=[ready_proposal.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not DisclosureDocument.objects.exists()


def test_the_tab_shows_only_to_those_who_may_use_it(client, ready_proposal, industry_member):
    client.force_login(industry_member)
    detail = client.get(reverse("partnerships:document-list", args=[ready_proposal.pk]))
    assert page_url(ready_proposal) in detail.content.decode()


@pytest.mark.parametrize("who", ["panel_member", "outsider"])
def test_others_cannot_request(request, client, ready_proposal, who):
    client.force_login(request.getfixturevalue(who))
    response = client.post(reverse("outcomes:disclosure-project-request", args=[ready_proposal.pk]))
    assert response.status_code in (403, 404)
    assert not DisclosureDocument.objects.exists()


def test_requesting_queues_a_document_and_the_page_waits_for_it(
    client, ready_proposal, industry_member, django_capture_on_commit_callbacks
):
    client.force_login(industry_member)
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(
            reverse("outcomes:disclosure-project-request", args=[ready_proposal.pk]), follow=True
        )
    assert len(queued) == 1
    document = DisclosureDocument.objects.get()
    page = response.content.decode()
    assert f"{document.document_number} is being made" in page
    assert 'data-testid="document-status">Queued' in page
    assert "js/disclosure-status" in page and "data-disclosure-status-url" in page

    status = client.get(
        reverse("outcomes:disclosure-project-status", args=[ready_proposal.pk])
    ).json()
    assert status["pending"] is True
    assert status["documents"][0]["status"] == "queued"
    assert status["statuses"] == f"{document.pk}:queued"

    services.disclosure_render(document_id=document.pk)
    status = client.get(
        reverse("outcomes:disclosure-project-status", args=[ready_proposal.pk])
    ).json()
    assert status["pending"] is False and status["statuses"] == f"{document.pk}:ready"
    page = client.get(page_url(ready_proposal)).content.decode()
    assert "data-disclosure-status-url" not in page
    assert reverse("outcomes:disclosure-download", args=[document.pk]) in page
    assert document.document_number in page


def test_the_status_endpoint_is_checked_too(client, ready_proposal, panel_member, outsider):
    url = reverse("outcomes:disclosure-project-status", args=[ready_proposal.pk])
    client.force_login(panel_member)
    assert client.get(url).status_code == 403
    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_a_failed_document_offers_a_retry(
    client, approved, partnership_lead, settings, tmp_path, django_capture_on_commit_callbacks
):
    document = services.disclosure_request(kind=K.PROJECT, project=approved, actor=partnership_lead)
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    settings.MEDIA_ROOT = blocker
    with pytest.raises(OSError):
        services.disclosure_render(document_id=document.pk)
    settings.MEDIA_ROOT = tmp_path / "media"

    client.force_login(partnership_lead)
    page = client.get(page_url(approved)).content.decode()
    assert 'data-testid="document-status">Failed' in page and "Try again" in page
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(reverse("outcomes:disclosure-retry", args=[document.pk]))
    assert response.status_code == 302 and len(queued) == 1
    document.refresh_from_db()
    assert document.status == S.QUEUED
    assert services.disclosure_render(document_id=document.pk).status == S.READY
    # A ready document is not retried.
    response = client.post(reverse("outcomes:disclosure-retry", args=[document.pk]), follow=True)
    assert "Only a document that failed can be tried again" in response.content.decode()


def test_a_download_is_served_through_the_view_and_audited(client, approved, industry_member):
    document = ready_document(approved, industry_member)
    client.force_login(industry_member)
    response = client.get(reverse("outcomes:disclosure-download", args=[document.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="{document.document_number}.pdf"' in response["Content-Disposition"]
    data = b"".join(response.streaming_content)
    assert hashlib.sha256(data).hexdigest() == document.sha256
    event = AuditEvent.objects.get(action="disclosure.download")
    assert event.actor == industry_member
    assert event.object_type == "outcomes.disclosuredocument"
    assert event.after["document_number"] == document.document_number


@pytest.mark.parametrize(("who", "status"), [("panel_member", 404), ("outsider", 404)])
def test_others_cannot_download(request, client, approved, auditor, who, status):
    document = ready_document(approved, auditor)
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("outcomes:disclosure-download", args=[document.pk]))
    assert response.status_code == status
    assert not AuditEvent.objects.filter(action="disclosure.download").exists()


def test_an_auditor_downloads_and_a_document_not_ready_is_not_served(
    client, approved, auditor, partnership_lead
):
    queued = services.disclosure_request(kind=K.PROJECT, project=approved, actor=partnership_lead)
    client.force_login(auditor)
    url = reverse("outcomes:disclosure-download", args=[queued.pk])
    assert client.get(url).status_code == 404
    services.disclosure_render(document_id=queued.pk)
    assert client.get(url).status_code == 200


# Register extracts ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("auditor", 200),
        ("administrator", 200),
        ("panel_member", 200),
        ("panel_chair", 200),
        ("partnership_lead", 403),
        ("industry_member", 403),
        ("outsider", 403),
    ],
)
def test_who_sees_the_extracts_page(request, client, cast, who, status):
    client.force_login(cast[who])
    assert client.get(reverse("outcomes:disclosure-extracts")).status_code == status


def test_an_auditor_requests_an_extract_and_downloads_it(
    client, approved, auditor, icb, panel_member, django_capture_on_commit_callbacks
):
    year = approved.summary_published_at.year
    client.force_login(auditor)
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(
            reverse("outcomes:disclosure-extracts"),
            {"organisation": icb.pk, "year": year},
            follow=True,
        )
    assert len(queued) == 1
    document = DisclosureDocument.objects.get(kind=K.REGISTER_EXTRACT)
    assert document.organisation == icb and document.year == year
    assert f"{icb.name}, {year}" in response.content.decode()
    services.disclosure_render(document_id=document.pk)
    # The ICB's panel member may download it too; an outsider may not.
    client.force_login(panel_member)
    url = reverse("outcomes:disclosure-download", args=[document.pk])
    assert client.get(url).status_code == 200


def test_a_panel_member_cannot_ask_for_another_icbs_extract(client, panel_member):
    from tests.factories import OrganisationFactory

    other = OrganisationFactory()
    client.force_login(panel_member)
    response = client.post(
        reverse("outcomes:disclosure-extracts"), {"organisation": other.pk, "year": 2026}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not DisclosureDocument.objects.exists()


def test_auditors_find_the_extracts_and_exports_from_home(client, auditor, approved):
    client.force_login(auditor)
    page = client.get("/").content.decode()
    assert reverse("outcomes:disclosure-extracts") in page
    assert reverse("outcomes:transfers-csv") in page
    projects = client.get(reverse("partnerships:project-list")).content.decode()
    assert reverse("outcomes:projects-csv") in projects
