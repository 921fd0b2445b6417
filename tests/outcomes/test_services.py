"""Disclosure documents: rendering a real PDF, the content cache, failure and retry."""

import datetime
import hashlib

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import audit_verify
from outcomes.models import DisclosureDocument
from outcomes.services import disclosure as services
from partnerships.services.projects import section_save
from tests.conftest import _member
from tests.factories import OrganisationFactory
from tests.outcomes.conftest import pdf_text, stored_bytes

pytestmark = pytest.mark.django_db

K = DisclosureDocument.Kind
S = DisclosureDocument.Status


def request_project(project, actor, **kwargs):
    return services.disclosure_request(kind=K.PROJECT, project=project, actor=actor, **kwargs)


def test_the_project_pdf_shows_what_was_decided_and_keeps_user_text_as_text(
    approved, partnership_lead, panel_member, panel_chair, company, icb
):
    document = request_project(approved, partnership_lead)
    assert document.status == S.QUEUED
    assert document.document_number == f"DD-{timezone.localdate().year}-000001"

    document = services.disclosure_render(document_id=document.pk)

    assert document.status == S.READY
    data = stored_bytes(document)
    assert data.startswith(b"%PDF")
    assert document.size == len(data)
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    text = pdf_text(data)
    assert approved.reference in text
    assert document.document_number in text
    assert company.name in text and icb.name in text
    assert "£50,000.00" in text  # the company's financial contribution
    assert "£20,000.00" in text  # each partner's in-kind value
    assert "£70,000.00" in text  # the company's total
    assert "£90,000.00" in text  # all partners
    assert str(panel_member) in text and str(panel_chair) in text
    assert "Transparency disclosure: Approved" in text
    assert '<script>alert("x")</script> & more' in text
    assert "Nil return" in text
    assert "Page 1 of" in text
    assert "project.submit" in text  # the audit trail
    # The outcome measures agreed before approval (DESIGN rule 5); no report yet.
    assert "1. Review every patient on high-dose inhalers" in text
    assert "Patients reviewed" in text and "Higher is better" in text
    assert "30% 31 March 2026" in text and "80% by 30 June 2028" in text
    assert "GP clinical system audit" in text and "Quarterly" in text
    assert "No outcome report has been submitted" in text
    assert "Final report Not yet published" in text
    assert audit_verify().intact


def test_an_unchanged_project_gives_the_same_document_and_a_change_a_new_one(
    ready_proposal, partnership_lead, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        first = request_project(ready_proposal, partnership_lead)
    assert len(queued) == 1
    with django_capture_on_commit_callbacks() as queued:
        again = request_project(ready_proposal, partnership_lead)
    assert again.pk == first.pk and len(queued) == 0  # nothing rendered twice
    services.disclosure_render(document_id=first.pk)
    assert request_project(ready_proposal, partnership_lead).pk == first.pk

    section_save(
        project=ready_proposal,
        key="summary",
        data={"executive_summary": "A changed summary."},
        actor=partnership_lead,
    )
    changed = request_project(ready_proposal, partnership_lead)
    assert changed.pk != first.pk
    assert changed.content_hash != first.content_hash
    assert changed.document_number != first.document_number
    assert DisclosureDocument.objects.count() == 2


def test_a_render_failure_is_recorded_and_a_retry_succeeds(
    approved, partnership_lead, settings, tmp_path, django_capture_on_commit_callbacks
):
    document = request_project(approved, partnership_lead)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("MEDIA_ROOT is a file, so nothing can be stored under it")
    settings.MEDIA_ROOT = blocker
    with pytest.raises(OSError):
        services.disclosure_render(document_id=document.pk)
    document.refresh_from_db()
    assert document.status == S.FAILED
    assert document.error and not document.sha256

    settings.MEDIA_ROOT = tmp_path / "media"
    with django_capture_on_commit_callbacks() as queued:
        services.disclosure_retry(document=document, actor=partnership_lead)
    assert len(queued) == 1
    document.refresh_from_db()
    assert document.status == S.QUEUED
    document = services.disclosure_render(document_id=document.pk)
    assert document.status == S.READY and document.attempts == 2
    assert AuditEvent.objects.filter(action="disclosure.retry").count() == 1


def test_rendering_a_document_twice_does_nothing_the_second_time(approved, partnership_lead):
    document = request_project(approved, partnership_lead)
    ready = services.disclosure_render(document_id=document.pk)
    again = services.disclosure_render(document_id=document.pk)
    assert again.sha256 == ready.sha256 and again.attempts == 1


def test_a_document_whose_worker_died_is_queued_again_by_the_sweep(
    approved, partnership_lead, django_capture_on_commit_callbacks
):
    from outbox.models import OutboxMessage

    document = request_project(approved, partnership_lead)
    OutboxMessage.objects.all().delete()
    DisclosureDocument.objects.filter(pk=document.pk).update(
        status=S.RUNNING, attempts=1, started_at=timezone.now() - datetime.timedelta(hours=1)
    )
    # One still running within its time is left alone.
    with django_capture_on_commit_callbacks() as queued:
        assert services.disclosure_sweep_stale(older_than=datetime.timedelta(hours=2)) == 0
        assert services.disclosure_sweep_stale() == 1
    assert len(queued) == 1
    document.refresh_from_db()
    assert document.status == S.QUEUED and document.started_at is None
    message = OutboxMessage.objects.get()
    assert (message.task, message.args) == ("outcomes.tasks.disclosure_render_task", [document.pk])
    assert services.disclosure_render(document_id=document.pk).status == S.READY


def test_a_document_whose_worker_keeps_dying_is_failed_for_a_person_to_retry(
    approved, partnership_lead
):
    document = request_project(approved, partnership_lead)
    DisclosureDocument.objects.filter(pk=document.pk).update(
        status=S.RUNNING,
        attempts=services.MAX_ATTEMPTS,
        started_at=timezone.now() - datetime.timedelta(hours=1),
    )
    assert services.disclosure_sweep_stale() == 1
    document.refresh_from_db()
    assert document.status == S.FAILED
    assert "the worker stopped" in document.error


def test_a_redelivered_render_takes_over_the_document_its_dead_worker_left_running(
    approved, partnership_lead
):
    document = request_project(approved, partnership_lead)
    DisclosureDocument.objects.filter(pk=document.pk).update(
        status=S.RUNNING, attempts=1, started_at=timezone.now()
    )
    # A first delivery leaves a running document to the worker holding it...
    assert services.disclosure_render(document_id=document.pk).status == S.RUNNING
    # ...a redelivery (that worker died) renders it.
    again = services.disclosure_render(document_id=document.pk, takeover=True)
    assert again.status == S.READY and again.attempts == 2
    # One that has used up its attempts is failed instead.
    DisclosureDocument.objects.filter(pk=document.pk).update(
        status=S.RUNNING, attempts=services.MAX_ATTEMPTS
    )
    gave_up = services.disclosure_render(document_id=document.pk, takeover=True)
    assert gave_up.status == S.FAILED and "the worker stopped" in gave_up.error


def test_the_task_renders_the_document_after_commit(
    approved, partnership_lead, django_capture_on_commit_callbacks
):
    from portal.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            document = request_project(approved, partnership_lead)
    finally:
        app.conf.task_always_eager = eager
    document.refresh_from_db()
    assert document.status == S.READY


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("partnership_lead", True),
        ("deputy", True),
        ("industry_member", True),
        ("auditor", True),
        ("administrator", True),
        ("panel_member", False),
        ("panel_chair", False),
        ("outsider", False),
    ],
)
def test_who_may_request_a_project_disclosure(request, ready_proposal, administrator, who, allowed):
    user = request.getfixturevalue(who)
    if allowed:
        assert request_project(ready_proposal, user).pk
    else:
        with pytest.raises(PermissionDenied):
            request_project(ready_proposal, user)


def test_the_register_extract_lists_the_icbs_published_projects(
    approved, auditor, icb, company, panel_member
):
    year = approved.summary_published_at.year
    document = services.disclosure_request(
        kind=K.REGISTER_EXTRACT, organisation=icb, year=year, actor=auditor
    )
    same = services.disclosure_request(
        kind=K.REGISTER_EXTRACT, organisation=icb, year=year, actor=panel_member
    )
    assert same.pk == document.pk
    document = services.disclosure_render(document_id=document.pk)
    text = pdf_text(stored_bytes(document))
    assert icb.name in text and str(year) in text
    assert approved.reference in text and company.name in text
    assert "£70,000.00" in text and document.document_number in text
    assert '<script>alert("x")</script>' in text


def test_only_auditors_and_the_icbs_panel_request_an_extract(
    icb, partnership_lead, industry_member, outsider
):
    other_icb = OrganisationFactory()
    other_panel_member = _member(other_icb, "panel_member")
    for user in (partnership_lead, industry_member, outsider, other_panel_member):
        with pytest.raises(PermissionDenied):
            services.disclosure_request(
                kind=K.REGISTER_EXTRACT, organisation=icb, year=2026, actor=user
            )


def test_the_command_renders_and_records_the_document(approved, tmp_path):
    output = tmp_path / "disclosure.pdf"
    call_command("disclosure_pdf", approved.reference, "-o", str(output))
    document = DisclosureDocument.objects.get()
    assert document.status == S.READY and document.requested_by is None
    data = output.read_bytes()
    assert hashlib.sha256(data).hexdigest() == document.sha256
    assert approved.reference in pdf_text(data)

    call_command("disclosure_pdf", approved.reference.lower(), "-o", str(tmp_path / "again.pdf"))
    assert DisclosureDocument.objects.count() == 1
    assert (tmp_path / "again.pdf").read_bytes() == data


def test_the_command_names_an_unknown_reference(db, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No project has the reference CW-1999-0001"):
        call_command("disclosure_pdf", "CW-1999-0001", "-o", str(tmp_path / "x.pdf"))


def test_a_queued_document_whose_task_was_lost_is_queued_again_by_the_sweep(
    approved, partnership_lead, django_capture_on_commit_callbacks
):
    from outbox.models import OutboxMessage

    document = request_project(approved, partnership_lead)
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    DisclosureDocument.objects.filter(pk=document.pk).update(created_at=long_ago)
    # Its task is still waiting in the outbox (Redis down): nothing more is queued.
    assert OutboxMessage.objects.filter(published_at__isnull=True).count() == 1
    assert services.disclosure_sweep_stale() == 0
    # Published an hour ago and never run (Redis lost it): queued again.
    OutboxMessage.objects.update(published_at=long_ago)
    with django_capture_on_commit_callbacks() as queued:
        assert services.disclosure_sweep_stale() == 1
    assert len(queued) == 1
    again = OutboxMessage.objects.get(published_at__isnull=True)
    assert again.args == [document.pk]
    # Just queued, or published within the time: left alone.
    assert services.disclosure_sweep_stale() == 0
    OutboxMessage.objects.update(published_at=timezone.now())
    assert services.disclosure_sweep_stale() == 0
