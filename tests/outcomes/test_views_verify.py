"""/verify/: anyone checks whether the portal issued a PDF, by the file or its SHA-256."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from outcomes.models import DisclosureDocument
from outcomes.services import disclosure as services
from tests.outcomes.conftest import stored_bytes

pytestmark = pytest.mark.django_db

URL = "/verify/"


@pytest.fixture
def issued(approved, partnership_lead):
    document = services.disclosure_request(
        kind=DisclosureDocument.Kind.PROJECT, project=approved, actor=partnership_lead
    )
    return services.disclosure_render(document_id=document.pk)


def test_the_page_is_public(client):
    assert reverse("outcomes:verify") == URL
    response = client.get(URL)
    assert response.status_code == 200
    assert "Verify a disclosure PDF" in response.content.decode()


def test_an_uploaded_pdf_the_portal_issued_is_recognised(client, issued, approved):
    data = stored_bytes(issued)
    response = client.post(URL, {"file": SimpleUploadedFile("d.pdf", data, "application/pdf")})
    page = response.content.decode()
    assert response.status_code == 200
    assert "The portal issued this document" in page
    assert issued.document_number in page
    assert f"The disclosure of project {approved.reference}" in page


def test_a_pasted_hash_is_recognised_in_any_case_and_spacing(client, issued):
    pasted = " ".join(issued.sha256[i : i + 8] for i in range(0, 64, 8)).upper()
    page = client.post(URL, {"sha256": pasted}).content.decode()
    assert "The portal issued this document" in page and issued.document_number in page


def test_an_unknown_file_is_not_recognised(client, issued):
    data = stored_bytes(issued) + b"\n% one byte more"
    response = client.post(URL, {"file": SimpleUploadedFile("d.pdf", data, "application/pdf")})
    page = response.content.decode()
    assert response.status_code == 200
    assert "The portal did not issue this document" in page
    assert hashlib.sha256(data).hexdigest() in page
    assert issued.document_number not in page


def test_an_unknown_hash_is_not_recognised(client, db):
    page = client.post(URL, {"sha256": "0" * 64}).content.decode()
    assert "The portal did not issue this document" in page


@pytest.mark.parametrize("text", ["xyz", "0" * 63, "g" * 64, "0" * 65, "<script>"])
def test_a_malformed_hash_gets_a_message_not_an_error(client, db, text):
    response = client.post(URL, {"sha256": text})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter a SHA-256 fingerprint of 64 characters" in page
    assert "<script>" not in page  # what was pasted comes back escaped


def test_an_empty_form_asks_for_a_file_or_a_hash(client, db):
    response = client.post(URL, {})
    assert response.status_code == 400
    assert "Upload a PDF or paste its SHA-256 fingerprint" in response.content.decode()


def test_a_document_not_yet_ready_is_not_vouched_for(client, approved, partnership_lead):
    document = services.disclosure_request(
        kind=DisclosureDocument.Kind.PROJECT, project=approved, actor=partnership_lead
    )
    page = client.post(URL, {"sha256": document.content_hash}).content.decode()
    assert "The portal did not issue this document" in page
