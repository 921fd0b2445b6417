"""Documents: type checked by content, size limits, SHA-256, every version kept, and
downloads only through a permission-checked view."""

import hashlib
import io
import threading
import time
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import services as account_services
from accounts.models import Membership
from partnerships.models import Document, DocumentVersion, Project, ProjectEvent
from partnerships.services import documents as document_services
from partnerships.services.documents import DOCX, PDF, XLSX, document_upload
from tests.factories import CompanyFactory, UserFactory

PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
)
EXE_BYTES = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"
)


def _member(name: str) -> zipfile.ZipInfo:
    # A fixed timestamp, so the same document built twice has the same bytes.
    return zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))


def _office(content_type_main: str, members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            _member("[Content_Types].xml"),
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/{next(iter(members))}" ContentType="{content_type_main}"/>'
            "</Types>",
        )
        archive.writestr(_member("_rels/.rels"), "<Relationships/>")
        for name, text in members.items():
            archive.writestr(_member(name), text)
    return buffer.getvalue()


def docx_bytes() -> bytes:
    return _office(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        {"word/document.xml": "<w:document><w:body><w:p/></w:body></w:document>"},
    )


def xlsx_bytes() -> bytes:
    return _office(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        {"xl/workbook.xml": "<workbook/>", "xl/worksheets/sheet1.xml": "<worksheet/>"},
    )


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media_root) -> list[Path]:
    root = Path(media_root)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def other_company_member(db):
    user = UserFactory()
    account_services.membership_add(
        user=user, organisation=CompanyFactory(), role=Membership.Role.INDUSTRY_MEMBER
    )
    return user


# The service --------------------------------------------------------------------------


def test_pdf_is_stored_with_its_fingerprint_size_and_name(draft, partnership_lead, media_root):
    version = document_upload(
        project=draft,
        kind="agreement",
        title="Collaborative working agreement",
        uploaded_file=upload("Signed agreement.pdf", PDF_BYTES, "application/pdf"),
        actor=partnership_lead,
    )

    assert version.number == 1
    assert version.document.kind == Document.Kind.AGREEMENT
    assert version.content_type == PDF
    assert version.size == len(PDF_BYTES)
    assert version.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    assert version.original_name == "Signed agreement.pdf"
    assert version.uploaded_by == partnership_lead
    [path] = stored_files(media_root)
    assert path.read_bytes() == PDF_BYTES
    assert "Signed agreement" not in path.name  # stored under a name of the portal's own
    assert path.suffix == ".pdf"
    event = ProjectEvent.objects.filter(project=draft, action="document_upload").get()
    assert event.description == "Uploaded “Collaborative working agreement” version 1"
    assert event.actor == partnership_lead


@pytest.mark.parametrize(
    ("content", "expected"),
    [(docx_bytes(), DOCX), (xlsx_bytes(), XLSX), (PDF_BYTES, PDF)],
    ids=["docx", "xlsx", "pdf"],
)
def test_type_is_decided_by_content_not_by_name_or_browser(
    draft, partnership_lead, content, expected
):
    # Every file is called .txt and sent as text/plain; only the bytes count.
    version = document_upload(
        project=draft,
        kind="pid",
        title="Project initiation document",
        uploaded_file=upload("misnamed.txt", content, "text/plain"),
        actor=partnership_lead,
    )
    assert version.content_type == expected
    assert version.file.name.endswith("." + document_services.EXTENSIONS[expected])


@pytest.mark.parametrize(
    "content",
    [
        EXE_BYTES,
        b"Just some text that claims to be a PDF",
        b" %PDF-1.4 with a space first",
        _office("application/xml", {"docProps/app.xml": "<Properties/>"}),
        # Says it is Word, but the document itself is missing.
        _office(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
            {"word/other.xml": "<x/>"},
        ),
        b"PK\x03\x04 not really a zip at all",
    ],
    ids=["renamed-exe", "text", "leading-space", "plain-zip", "docx-without-body", "broken-zip"],
)
def test_anything_else_is_refused(draft, partnership_lead, media_root, content):
    with pytest.raises(ValidationError) as exc:
        document_upload(
            project=draft,
            kind="agreement",
            title="Agreement",
            uploaded_file=upload("agreement.pdf", content, "application/pdf"),
            actor=partnership_lead,
        )
    assert exc.value.message_dict == {
        "file": ["The selected file must be a PDF, Word (DOCX) or Excel (XLSX) document"]
    }
    assert not Document.objects.exists()
    assert not DocumentVersion.objects.exists()
    assert stored_files(media_root) == []


def test_empty_file_is_refused(draft, partnership_lead, media_root):
    with pytest.raises(ValidationError) as exc:
        document_upload(
            project=draft,
            kind="agreement",
            title="Agreement",
            uploaded_file=upload("agreement.pdf", b"", "application/pdf"),
            actor=partnership_lead,
        )
    assert exc.value.message_dict == {"file": ["The selected file is empty"]}
    assert not Document.objects.exists()
    assert stored_files(media_root) == []


def test_file_over_the_configured_limit_is_refused(settings, draft, partnership_lead, media_root):
    settings.PORTAL_DOCUMENT_MAX_BYTES = 1024
    just_fits = PDF_BYTES + b"%" * (1024 - len(PDF_BYTES))
    version = document_upload(
        project=draft,
        kind="other",
        title="Fits",
        uploaded_file=upload("fits.pdf", just_fits),
        actor=partnership_lead,
    )
    assert version.size == 1024

    with pytest.raises(ValidationError) as exc:
        document_upload(
            project=draft,
            kind="other",
            title="Too big",
            uploaded_file=upload("big.pdf", just_fits + b"%"),
            actor=partnership_lead,
        )
    assert exc.value.message_dict == {"file": ["The selected file must be smaller than 1 KB"]}
    assert DocumentVersion.objects.count() == 1
    assert len(stored_files(media_root)) == 1


def test_file_just_over_the_default_20_mb_is_refused(draft, partnership_lead, tmp_path):
    assert document_services.max_upload_bytes() == 20 * 1024 * 1024
    path = tmp_path / "huge.pdf"
    with open(path, "wb") as handle:  # sparse: the size is there, the disk space is not
        handle.write(b"%PDF-1.4\n")
        handle.truncate(20 * 1024 * 1024 + 1)
    with open(path, "rb") as handle:
        big = UploadedFile(
            file=handle, name="huge.pdf", content_type="application/pdf", size=path.stat().st_size
        )
        with pytest.raises(ValidationError) as exc:
            document_upload(
                project=draft,
                kind="other",
                title="Huge",
                uploaded_file=big,
                actor=partnership_lead,
            )
    assert exc.value.message_dict == {"file": ["The selected file must be smaller than 20 MB"]}
    assert not DocumentVersion.objects.exists()


def test_a_file_lying_about_its_size_is_measured(settings, draft, partnership_lead):
    settings.PORTAL_DOCUMENT_MAX_BYTES = 1024
    sneaky = upload("sneaky.pdf", PDF_BYTES + b"%" * 2000)
    sneaky.size = 10
    with pytest.raises(ValidationError, match="smaller than 1 KB"):
        document_upload(
            project=draft, kind="other", title="x", uploaded_file=sneaky, actor=partnership_lead
        )


def test_every_version_is_kept_and_numbered(draft, partnership_lead, deputy, media_root):
    from partnerships.services.team import team_member_add

    team_member_add(project=draft, user=deputy, role="deputy", actor=partnership_lead)
    first = document_upload(
        project=draft,
        kind="agreement",
        title="Agreement",
        uploaded_file=upload("draft agreement.docx", docx_bytes()),
        actor=partnership_lead,
    )
    second = document_upload(
        project=draft,
        kind="other",  # ignored for a new version: it stays an agreement
        title="",
        uploaded_file=upload("signed agreement.pdf", PDF_BYTES),
        actor=deputy,
        document=first.document,
    )

    assert (first.number, second.number) == (1, 2)
    assert second.document == first.document
    assert Document.objects.get().kind == Document.Kind.AGREEMENT
    assert first.document.versions.count() == 2
    with first.file.open("rb") as handle:
        assert handle.read() == docx_bytes()
    with second.file.open("rb") as handle:
        assert handle.read() == PDF_BYTES
    assert len(stored_files(media_root)) == 2
    assert ProjectEvent.objects.filter(description="Uploaded “Agreement” version 2").exists()


def test_a_version_of_another_projects_document_is_refused(draft, partnership_lead, icb):
    from tests.factories import draft_project

    other = draft_project(lead_user=partnership_lead, lead_organisation=icb, title="Other")
    theirs = document_upload(
        project=other,
        kind="other",
        title="Theirs",
        uploaded_file=upload("a.pdf", PDF_BYTES),
        actor=partnership_lead,
    ).document
    with pytest.raises(ValidationError, match="Choose one of this project's documents"):
        document_upload(
            project=draft,
            kind="other",
            title="",
            uploaded_file=upload("b.pdf", PDF_BYTES),
            actor=partnership_lead,
            document=theirs,
        )
    assert theirs.versions.count() == 1


def test_title_and_kind_are_needed_for_a_new_document(draft, partnership_lead):
    with pytest.raises(ValidationError, match="Enter a title for the document"):
        document_upload(
            project=draft,
            kind="other",
            title="  ",
            uploaded_file=upload("a.pdf", PDF_BYTES),
            actor=partnership_lead,
        )
    with pytest.raises(ValidationError, match="Select the kind of document"):
        document_upload(
            project=draft,
            kind="nonsense",
            title="A",
            uploaded_file=upload("a.pdf", PDF_BYTES),
            actor=partnership_lead,
        )


def test_team_members_upload_but_others_cannot(
    ready_proposal, industry_member, panel_member, auditor, outsider
):
    version = document_upload(
        project=ready_proposal,
        kind="other",
        title="Company slides",
        uploaded_file=upload("slides.xlsx", xlsx_bytes()),
        actor=industry_member,
    )
    assert version.uploaded_by == industry_member
    for person in (panel_member, auditor, outsider):
        with pytest.raises(PermissionDenied):
            document_upload(
                project=ready_proposal,
                kind="other",
                title="Not theirs to add",
                uploaded_file=upload("a.pdf", PDF_BYTES),
                actor=person,
            )
    assert DocumentVersion.objects.count() == 1


@pytest.mark.parametrize(
    ("status", "allowed"),
    [
        ("draft", True),
        ("submitted", True),
        ("approved", True),  # the signed agreement comes after approval
        ("active", True),
        ("completed", True),
        ("withdrawn", False),
        ("rejected", False),
        ("closed", False),
    ],
)
def test_uploads_by_status(draft, partnership_lead, status, allowed):
    Project.objects.filter(pk=draft.pk).update(status=status)
    draft.refresh_from_db()
    arguments = {
        "project": draft,
        "kind": "agreement",
        "title": "Signed agreement",
        "uploaded_file": upload("a.pdf", PDF_BYTES),
        "actor": partnership_lead,
    }
    if allowed:
        assert document_upload(**arguments).number == 1
    else:
        with pytest.raises(ValidationError, match="Documents cannot be added while the project"):
            document_upload(**arguments)
        assert not Document.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_uploads_at_once_get_distinct_numbers(draft, partnership_lead, media_root):
    """While another upload holds the document, a second one waits, then takes the next number."""
    document = document_upload(
        project=draft,
        kind="agreement",
        title="Agreement",
        uploaded_file=upload("v1.pdf", PDF_BYTES),
        actor=partnership_lead,
    ).document
    outcome = {}

    def second_upload():
        try:
            outcome["version"] = document_upload(
                project=draft,
                kind="agreement",
                title="",
                uploaded_file=upload("v3.pdf", PDF_BYTES + b"3"),
                actor=partnership_lead,
                document=document,
            )
        except Exception as exc:  # pragma: no cover - reported below
            outcome["error"] = exc
        finally:
            connection.close()

    with transaction.atomic():
        # The first upload: it holds the document while it writes version 2.
        Document.objects.select_for_update().get(pk=document.pk)
        thread = threading.Thread(target=second_upload)
        thread.start()
        time.sleep(0.5)
        assert thread.is_alive(), "the second upload did not wait for the first"
        DocumentVersion.objects.create(
            document=document,
            number=2,
            file="documents/v2.pdf",
            original_name="v2.pdf",
            content_type=PDF,
            size=1,
            sha256="0" * 64,
            uploaded_by=partnership_lead,
        )
    thread.join(timeout=10)

    assert "error" not in outcome, outcome.get("error")
    assert outcome["version"].number == 3
    assert sorted(document.versions.values_list("number", flat=True)) == [1, 2, 3]


def test_size_label():
    assert document_services.size_label(20 * 1024 * 1024) == "20 MB"
    assert document_services.size_label(1024) == "1 KB"
    assert document_services.size_label(1536 * 1024) == "1.5 MB"
    assert document_services.size_label(100) == "100 bytes"


# The pages ----------------------------------------------------------------------------


def list_url(project):
    return reverse("partnerships:document-list", args=[project.pk])


def upload_url(project):
    return reverse("partnerships:document-upload", args=[project.pk])


def download_url(version):
    return reverse("partnerships:document-download", args=[version.document.project_id, version.pk])


@pytest.fixture
def agreement(ready_proposal, partnership_lead):
    return document_upload(
        project=ready_proposal,
        kind="agreement",
        title="Collaborative working agreement",
        uploaded_file=upload("agreement v1.docx", docx_bytes()),
        actor=partnership_lead,
    )


def test_lead_uploads_through_the_page(client, ready_proposal, partnership_lead):
    client.force_login(partnership_lead)
    page = client.get(list_url(ready_proposal)).content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert "No signed agreement has been uploaded yet" in page

    response = client.post(
        upload_url(ready_proposal),
        {
            "kind": "agreement",
            "title": "Signed agreement",
            "file": upload("signed.pdf", PDF_BYTES, "application/pdf"),
        },
        follow=True,
    )

    html = response.content.decode()
    assert "“Signed agreement” version 1 has been uploaded" in html
    version = DocumentVersion.objects.get()
    assert version.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    assert version.sha256[:12] in html
    assert f'data-testid="sha256">{version.sha256}<' in html
    assert "signed.pdf" in html
    assert download_url(version) in html


def test_renamed_executable_is_refused_on_the_page(client, ready_proposal, partnership_lead):
    client.force_login(partnership_lead)
    response = client.post(
        upload_url(ready_proposal),
        {
            "kind": "agreement",
            "title": "Agreement",
            "file": upload("agreement.pdf", EXE_BYTES, "application/pdf"),
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error: " in html
    assert "There is a problem" in html
    assert "The selected file must be a PDF, Word (DOCX) or Excel (XLSX) document" in html
    assert 'href="#id_file"' in html
    assert not DocumentVersion.objects.exists()


def test_empty_and_oversized_files_are_refused_on_the_page(
    client, settings, ready_proposal, partnership_lead
):
    client.force_login(partnership_lead)
    data = {"kind": "other", "title": "Notes"}
    response = client.post(upload_url(ready_proposal), {**data, "file": upload("e.pdf", b"")})
    assert "The selected file is empty" in response.content.decode()

    settings.PORTAL_DOCUMENT_MAX_BYTES = 100
    response = client.post(upload_url(ready_proposal), {**data, "file": upload("b.pdf", PDF_BYTES)})
    html = response.content.decode()
    assert "The selected file must be smaller than 100 bytes" in html
    assert not DocumentVersion.objects.exists()


def test_missing_file_title_or_kind_is_explained(client, ready_proposal, partnership_lead):
    client.force_login(partnership_lead)
    html = client.post(upload_url(ready_proposal), {}).content.decode()
    assert "Select a file to upload" in html
    assert "Select the kind of document" in html
    assert "Enter a title for the document" in html


def test_new_version_through_the_page_and_both_are_downloadable(
    client, ready_proposal, partnership_lead, agreement
):
    client.force_login(partnership_lead)
    form = client.get(upload_url(ready_proposal) + f"?of={agreement.document.pk}")
    assert form.status_code == 200
    response = client.post(
        upload_url(ready_proposal),
        {"document": agreement.document.pk, "file": upload("agreement v2.pdf", PDF_BYTES)},
        follow=True,
    )
    assert "“Collaborative working agreement” version 2 has been uploaded" in (
        response.content.decode()
    )
    first, second = agreement, DocumentVersion.objects.get(number=2)
    assert second.document == first.document

    page = client.get(list_url(ready_proposal)).content.decode()
    assert download_url(first) in page and download_url(second) in page
    assert "agreement v1.docx" in page and "agreement v2.pdf" in page

    for version, content in ((first, docx_bytes()), (second, PDF_BYTES)):
        response = client.get(download_url(version))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == content
        assert response["Content-Type"] == version.content_type


def test_download_is_an_attachment_with_the_detected_type(
    client, ready_proposal, partnership_lead, agreement
):
    client.force_login(partnership_lead)
    response = client.get(download_url(agreement))
    assert response.status_code == 200
    assert response["Content-Type"] == DOCX
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "agreement v1.docx" in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    assert hashlib.sha256(body).hexdigest() == agreement.sha256


def test_viewers_download_but_do_not_upload(client, ready_proposal, panel_member, agreement):
    client.force_login(panel_member)
    page = client.get(list_url(ready_proposal))
    assert page.status_code == 200
    assert "Collaborative working agreement" in page.content.decode()
    assert "Upload a document" not in page.content.decode()
    assert client.get(download_url(agreement)).status_code == 200
    assert client.get(upload_url(ready_proposal)).status_code == 403
    response = client.post(
        upload_url(ready_proposal),
        {"kind": "other", "title": "x", "file": upload("x.pdf", PDF_BYTES)},
    )
    assert response.status_code == 403
    assert DocumentVersion.objects.count() == 1


def test_team_member_from_the_company_uploads(client, ready_proposal, industry_member):
    client.force_login(industry_member)
    response = client.post(
        upload_url(ready_proposal),
        {"kind": "other", "title": "Data sheet", "file": upload("d.xlsx", xlsx_bytes())},
    )
    assert response.status_code == 302
    assert DocumentVersion.objects.get().content_type == XLSX


def test_outsiders_get_404(client, ready_proposal, agreement, outsider, other_company_member):
    for person in (outsider, other_company_member):
        client.force_login(person)
        assert client.get(list_url(ready_proposal)).status_code == 404
        assert client.get(upload_url(ready_proposal)).status_code == 404
        assert client.post(upload_url(ready_proposal), {}).status_code == 404
        assert client.get(download_url(agreement)).status_code == 404


def test_anonymous_download_goes_to_sign_in(client, agreement):
    response = client.get(download_url(agreement))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_version_of_another_project_is_404_through_this_one(
    client, ready_proposal, partnership_lead, icb, agreement
):
    from tests.factories import draft_project

    other = draft_project(lead_user=partnership_lead, lead_organisation=icb, title="Other")
    client.force_login(partnership_lead)
    address = reverse("partnerships:document-download", args=[other.pk, agreement.pk])
    assert client.get(address).status_code == 404


def test_media_files_are_not_served_publicly(client, agreement, partnership_lead):
    client.force_login(partnership_lead)
    assert client.get("/media/" + agreement.file.name).status_code == 404


def test_withdrawn_project_says_why_nothing_can_be_added(client, draft, partnership_lead):
    Project.objects.filter(pk=draft.pk).update(status=Project.Status.WITHDRAWN)
    client.force_login(partnership_lead)
    html = client.get(list_url(draft)).content.decode()
    assert "Documents cannot be added while the project is withdrawn" in html
    assert 'enctype="multipart/form-data"' not in html
    assert client.get(upload_url(draft)).status_code == 403


def test_document_list_queries_do_not_grow_with_documents(
    client, ready_proposal, partnership_lead, deputy, django_assert_max_num_queries
):
    def add(n):
        for i in range(n):
            version = document_upload(
                project=ready_proposal,
                kind="other",
                title=f"Document {i}",
                uploaded_file=upload(f"{i}.pdf", PDF_BYTES),
                actor=partnership_lead,
            )
            document_upload(
                project=ready_proposal,
                kind="other",
                title="",
                uploaded_file=upload(f"{i}b.pdf", PDF_BYTES),
                actor=deputy,
                document=version.document,
            )

    client.force_login(partnership_lead)
    add(1)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(list_url(ready_proposal)).status_code == 200
    add(6)
    with django_assert_max_num_queries(len(queries)):
        html = client.get(list_url(ready_proposal)).content.decode()
    assert html.count('data-testid="version-') == 14


def test_a_file_gone_from_storage_is_a_404_not_a_500(client, partnership_lead, agreement):
    agreement.file.storage.delete(agreement.file.name)
    client.force_login(partnership_lead)
    response = client.get(download_url(agreement))
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
