"""The audit pack: what it lists, who may have it, bad input, rendering, /verify/, queries."""

import datetime
import hashlib
import io
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from compliance.services.audit_pack import (
    audit_pack_projects,
    audit_pack_request,
    audit_pack_snapshot,
)
from compliance.services.facts import person_label
from governance.models import Declaration, Gate, Interest
from governance.services.declarations import conflict_manage, declaration_record
from outcomes.models import DisclosureDocument
from outcomes.services import disclosure as disclosure_services
from outcomes.tasks import disclosure_render_task
from partnerships.models import Partner, Project
from portal.celery import app
from tests.factories import OrganisationFactory
from tests.outcomes.conftest import pdf_text

pytestmark = pytest.mark.django_db
PAGE = reverse("compliance:audit-pack-list")
K = DisclosureDocument.Kind
S = DisclosureDocument.Status


def name(user) -> str:
    return person_label(user.first_name, user.last_name, user.email)


def this_year():
    today = timezone.localdate()
    return today - datetime.timedelta(days=30), today


def request_pack(icb, actor, period=None, **kwargs) -> DisclosureDocument:
    period_from, period_to = period or this_year()
    return audit_pack_request(
        organisation=icb, period_from=period_from, period_to=period_to, actor=actor, **kwargs
    )


def made(document) -> DisclosureDocument:
    return disclosure_services.disclosure_render(document_id=document.pk)


def read(document) -> str:
    with document.file.open("rb") as handle:
        return pdf_text(handle.read())


def date_fields(prefix, value):
    return {
        f"{prefix}_day": value.day,
        f"{prefix}_month": value.month,
        f"{prefix}_year": value.year,
    }


def declare_managed_interest(
    person, project, *, manager, interest_type, description, action, excludes
) -> None:
    """``person`` declares a financial interest in the company for ``project``, and
    ``manager`` records how the conflict is managed."""
    declaration = declaration_record(
        person=person,
        project=project,
        role="team_member",
        nil_return=False,
        interests=[
            {
                "category": Interest.Category.FINANCIAL,
                "interest_type": interest_type,
                "description": description,
                "organisation_name": "Example Pharma UK Ltd",
                "start_date": datetime.date(2020, 1, 1),
                "end_date": None,
                "became_aware_on": datetime.date(2020, 1, 1),
            }
        ],
        actor=person,
    )
    conflict_manage(
        interest=declaration.interests.get(),
        action=action,
        excludes_from_decision=excludes,
        actor=manager,
    )


@pytest.fixture
def planted(make_project, deputy, panel_chair, company, panel_member, partnership_lead):
    """An active project with a managed conflict, a breach and a sign-off made before its
    reviewer declared; its title carries markup, which the PDF must show as text."""
    project = make_project("Asthma <b>care</b> & more", active=True)
    declare_managed_interest(
        deputy,
        project,
        manager=panel_chair,
        interest_type=Interest.Type.SHAREHOLDING,
        description="Holds shares in the company",
        action="Leaves the room when the company's contribution is discussed",
        excludes=True,
    )
    Partner.objects.filter(project=project, organisation=company).update(
        financial_contribution=0, in_kind_value=0
    )
    gate = Gate.objects.get(project=project, kind=Gate.Kind.SHARED_PURPOSE)
    first = gate.sign_offs.filter(reviewer=panel_member).order_by("created_at").first()
    Declaration.objects.filter(project=project, person=panel_member).update(
        declared_at=first.created_at + datetime.timedelta(seconds=1)
    )
    return project


# What it lists -------------------------------------------------------------------------------


def test_the_pack_lists_what_it_must(
    planted, icb, auditor, panel_member, panel_chair, company, partnership_lead
):
    elsewhere = OrganisationFactory(name="NHS Elsewhere Integrated Care Board", ods_code="QZY")
    Project.objects.create(
        title="Someone else's project",
        lead_organisation=elsewhere,
        created_by=partnership_lead,
        submitted_at=timezone.now(),
    )
    document = made(request_pack(icb, auditor))
    assert document.status == S.READY, document.error
    text = read(document)
    assert "Audit pack" in text and document.document_number in text
    assert icb.name in text
    assert "A project is in this pack when the organisation leads it" in text
    # The project, its markup shown as text rather than taken as markup.
    assert "Asthma <b>care</b> & more" in text
    assert planted.reference in text
    assert "Someone else's project" not in text
    # Its gates, each sign-off, and who was eligible.
    for title in ("Shared purpose", "Outcome measures", "Conflicts of interest", "Transparency"):
        assert title.lower() in text.lower()
    assert "Eligible to sign off when the gate was decided" in text
    assert name(panel_chair) in text
    assert "No: had not declared their interests in this project" in text
    # Declarations, and how the conflict is managed.
    assert "Holds shares in the company" in text
    assert "Leaves the room when the company's contribution is discussed" in text
    assert "(excluded from the decision)" in text
    # The outcome reports' status, and the final report.
    assert "Outcome reports" in text
    assert "Final report: Not started" in text
    # The compliance check's breaches for these projects.
    assert f"{company.name} contributes nothing, financial or in kind" in text
    assert "signed off the shared purpose gate" in text
    # The audit trail over the projects' events.
    events = document.snapshot["audit_chain"]["checked"]
    assert events > 10
    assert f"Intact: {events} events of these projects checked" in text


def test_the_pack_takes_the_compliance_check_for_its_projects_only(make_project, icb, auditor):
    inside = make_project("Inside the period")
    outside = make_project("Submitted long ago")
    Project.objects.filter(pk=outside.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=400)
    )
    for project in (inside, outside):
        Partner.objects.filter(project=project, is_lead=False).update(
            financial_contribution=0, in_kind_value=0
        )
    snapshot = audit_pack_snapshot(icb, *this_year())
    assert [p["title"] for p in snapshot["projects"]] == ["Inside the period"]
    assert snapshot["compliance"]["breaches"] == 1
    assert [b["code"] for b in snapshot["projects"][0]["breaches"]] == [
        "partner-contributes-nothing"
    ]


def test_which_projects_are_in_the_period(make_project, icb):
    """Submitted in the period, or in delivery during it; never a draft."""
    period_from, period_to = datetime.date(2025, 4, 1), datetime.date(2026, 3, 31)
    submitted = make_project("Submitted in the period")
    delivering = make_project("In delivery in the period", active=True)
    ended = make_project("Ended before the period", active=True)
    later = make_project("Submitted after the period")
    draft = Project.objects.create(
        title="Draft", lead_organisation=icb, created_by=submitted.created_by
    )
    long_ago = timezone.make_aware(datetime.datetime(2024, 1, 10, 12))
    Project.objects.filter(pk=submitted.pk).update(
        submitted_at=timezone.make_aware(datetime.datetime(2025, 6, 1, 12))
    )
    Project.objects.filter(pk=delivering.pk).update(
        submitted_at=long_ago,
        start_date=datetime.date(2024, 6, 1),
        end_date=datetime.date(2025, 4, 1),
    )
    Project.objects.filter(pk=ended.pk).update(
        submitted_at=long_ago,
        start_date=datetime.date(2024, 6, 1),
        end_date=datetime.date(2025, 3, 31),
    )
    Project.objects.filter(pk=later.pk).update(
        submitted_at=timezone.make_aware(datetime.datetime(2026, 4, 1, 12))
    )
    found = set(audit_pack_projects(icb, period_from, period_to).values_list("title", flat=True))
    assert found == {"Submitted in the period", "In delivery in the period"}
    assert draft.title not in found


def test_an_altered_event_shows_in_the_pack(approved, icb, auditor):
    event = AuditEvent.objects.filter(
        object_type="partnerships.project", object_id=str(approved.pk)
    ).first()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET object_repr = %s WHERE seq = %s",
            ["Something else", event.seq],
        )
    snapshot = audit_pack_snapshot(icb, *this_year())
    chain = snapshot["audit_chain"]
    assert chain["intact"] is False
    problems = {p["seq"]: p["problem"] for p in chain["problems"]}
    assert "its content does not match its hash" in problems[event.seq]
    # Its neighbours in the pack no longer link to an intact event.
    assert set(problems) <= {event.seq - 1, event.seq, event.seq + 1}
    assert all(p["project"] == approved.reference for p in chain["problems"])
    assert snapshot["projects"][0]["audit"]["intact"] is False
    document = made(request_pack(icb, auditor))
    assert f"#{event.seq}" in read(document)


def test_the_same_data_gives_the_same_document(approved, icb, auditor, administrator):
    first = request_pack(icb, auditor)
    again = request_pack(icb, administrator)
    assert again.pk == first.pk
    other_period = request_pack(
        icb, auditor, period=(datetime.date(2020, 1, 1), timezone.localdate())
    )
    assert other_period.pk != first.pk
    assert other_period.document_number.startswith(f"DD-{timezone.localdate().year}-")


def test_an_empty_period_says_so(approved, icb, auditor):
    document = made(request_pack(icb, auditor, period=(datetime.date(2001, 1, 1),) * 2))
    assert document.snapshot["projects"] == []
    assert "No project of this organisation was submitted or in delivery" in read(document)


# Rendering, /verify/ ---------------------------------------------------------------------------


def test_the_render_task_makes_it_and_verify_knows_it(client, approved, icb, auditor):
    document = request_pack(icb, auditor, queue=False)
    assert document.status == S.QUEUED
    assert disclosure_render_task.apply(args=[document.pk]).get() == S.READY
    document.refresh_from_db()
    with document.file.open("rb") as handle:
        data = handle.read()
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    assert document.size == len(data)
    page = client.post(reverse("outcomes:verify"), {"sha256": document.sha256}).content.decode()
    assert document.document_number in page
    assert f"The audit pack of {icb.name} for {document.period_label}" in page


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_worker_renders_the_requested_pack(approved, icb, auditor):
    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=30):
        document = request_pack(icb, auditor)
        for _ in range(150):
            document.refresh_from_db()
            if not document.is_pending:
                break
            time.sleep(0.2)
    assert document.status == S.READY, document.error
    assert document.sha256 and document.size


# Queries ---------------------------------------------------------------------------------------


def test_the_snapshot_reads_in_a_fixed_number_of_queries(make_project, icb, deputy, panel_chair):
    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            snapshot = audit_pack_snapshot(icb, *this_year())
        return len(captured), len(snapshot["projects"])

    def with_conflict(project):
        declare_managed_interest(
            deputy,
            project,
            manager=panel_chair,
            interest_type=Interest.Type.GIFT,
            description="A gift",
            action="Noted",
            excludes=False,
        )

    with_conflict(make_project("First", active=True))
    one, projects_one = queries()
    for n in range(3):
        with_conflict(make_project(f"Project {n}", active=n % 2 == 0))
    four, projects_four = queries()
    assert (projects_one, projects_four) == (1, 4)
    assert one == four


# Who may have it -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("auditor", 200),
        ("administrator", 200),
        ("partnership_lead", 403),
        ("panel_chair", 403),
        ("industry_member", 403),
        ("outsider", 403),
    ],
)
def test_who_sees_the_page(request, client, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(PAGE).status_code == status
    assert client.get(reverse("compliance:audit-pack-status")).status_code == status


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_the_service_refuses_anyone_else(approved, icb, partnership_lead, panel_chair):
    for person in (partnership_lead, panel_chair):
        with pytest.raises(PermissionDenied):
            request_pack(icb, person)
    assert not DisclosureDocument.objects.filter(kind=K.AUDIT_PACK).exists()


def test_only_auditors_and_administrators_download_it(
    client, approved, icb, auditor, administrator, partnership_lead, panel_chair
):
    document = made(request_pack(icb, auditor))
    url = reverse("outcomes:disclosure-download", args=[document.pk])
    for person in (partnership_lead, panel_chair):
        client.force_login(person)
        assert client.get(url).status_code == 404
    for person in (auditor, administrator):
        client.force_login(person)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == (document.sha256)
    assert (
        AuditEvent.objects.filter(action="disclosure.download", object_id=str(document.pk)).count()
        == 2
    )


# The page ----------------------------------------------------------------------------------


def test_requesting_from_the_page_lists_the_pack(client, approved, icb, auditor):
    client.force_login(auditor)
    period_from, period_to = this_year()
    response = client.post(
        PAGE,
        {
            "organisation": icb.pk,
            **date_fields("period_from", period_from),
            **date_fields("period_to", period_to),
        },
        follow=True,
    )
    document = DisclosureDocument.objects.get(kind=K.AUDIT_PACK)
    assert document.status == S.QUEUED
    body = response.content.decode()
    assert f"{document.document_number} is being made" in body
    assert f"{icb.name}, {document.period_label}" in body
    assert "Queued" in body
    made(document)
    body = client.get(PAGE).content.decode()
    assert reverse("outcomes:disclosure-download", args=[document.pk]) in body
    assert document.sha256 in body


def test_a_failed_pack_is_retried_from_the_page(client, approved, icb, auditor):
    document = request_pack(icb, auditor, queue=False)
    DisclosureDocument.objects.filter(pk=document.pk).update(status=S.FAILED, error="Broken")
    client.force_login(auditor)
    assert "Try again" in client.get(PAGE).content.decode()
    response = client.post(reverse("outcomes:disclosure-retry", args=[document.pk]), {"next": PAGE})
    assert response.status_code == 302 and response["Location"] == PAGE
    document.refresh_from_db()
    assert document.status == S.QUEUED


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"period_from": datetime.date(2026, 3, 1), "period_to": datetime.date(2026, 1, 1)},
            "The end of the period must be the same as or after its start",
        ),
        ({"organisation": 999999}, "Choose an ICB or other NHS body from the list"),
        ({"organisation": ""}, "Choose the lead organisation"),
        ({"period_from": None}, "Enter the start of the period"),
        ({"period_to": None}, "Enter the end of the period"),
        (
            {"period_from": datetime.date.today() + datetime.timedelta(days=2)},
            "The start of the period must be today or in the past",
        ),
    ],
)
def test_bad_input_gets_a_clear_message(client, approved, icb, auditor, data, message):
    client.force_login(auditor)
    values = {"organisation": icb.pk, "period_from": datetime.date(2026, 1, 1)}
    values["period_to"] = timezone.localdate()
    values.update(data)
    posted = {"organisation": values["organisation"]}
    for field in ("period_from", "period_to"):
        if values[field] is not None:
            posted.update(date_fields(field, values[field]))
    response = client.post(PAGE, posted)
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    assert message in body
    assert not DisclosureDocument.objects.filter(kind=K.AUDIT_PACK).exists()


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("1", "", "2026", "Start of the period must include a month"),
        ("31", "2", "2026", "Start of the period must be a real date"),
        ("1" * 30, "1", "2026", "Start of the period must be a real date"),
        ("1", "1", "26", "Start of the period year must include 4 numbers"),
        ("1", "1", "1999", "The start of the period must be in 2000 or later"),
    ],
)
def test_a_wrong_date_is_named(client, icb, approved, auditor, day, month, year, message):
    client.force_login(auditor)
    response = client.post(
        PAGE,
        {
            "organisation": icb.pk,
            "period_from_day": day,
            "period_from_month": month,
            "period_from_year": year,
            **date_fields("period_to", timezone.localdate()),
        },
    )
    assert response.status_code == 200
    assert message in response.content.decode()


def test_a_period_with_too_many_projects_is_refused(
    client, monkeypatch, make_project, icb, auditor
):
    monkeypatch.setattr("compliance.services.audit_pack.MAX_PROJECTS", 1)
    make_project("First")
    make_project("Second")
    client.force_login(auditor)
    period_from, period_to = this_year()
    response = client.post(
        PAGE,
        {
            "organisation": icb.pk,
            **date_fields("period_from", period_from),
            **date_fields("period_to", period_to),
        },
    )
    body = response.content.decode()
    assert "There is a problem" in body
    assert f"{icb.name} has 2 projects in this period; an audit pack holds at most 1." in body
    assert not DisclosureDocument.objects.filter(kind=K.AUDIT_PACK).exists()


def test_an_incomplete_date_is_named(client, icb, approved, auditor):
    client.force_login(auditor)
    response = client.post(
        PAGE,
        {
            "organisation": icb.pk,
            "period_from_day": "1",
            "period_from_month": "",
            "period_from_year": "2026",
            **date_fields("period_to", timezone.localdate()),
        },
    )
    assert response.status_code == 200
    assert "Start of the period must include a month" in response.content.decode()


# The command line ------------------------------------------------------------------------------


def test_the_command_writes_the_pack(approved, icb, tmp_path):
    output = tmp_path / "pack.pdf"
    period_from, period_to = this_year()
    out = io.StringIO()
    call_command(
        "audit_pack", icb.ods_code, period_from.isoformat(), period_to.isoformat(),
        "-o", str(output), stdout=out,
    )  # fmt: skip
    document = DisclosureDocument.objects.get(kind=K.AUDIT_PACK)
    assert document.requested_by is None
    data = output.read_bytes()
    assert hashlib.sha256(data).hexdigest() == document.sha256
    assert document.document_number in out.getvalue()
    assert approved.reference in pdf_text(data)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["XXX", "2026-01-01", "2026-02-01"], "No ICB or other NHS body has the ODS code 'XXX'"),
        (["QZZ", "1 April", "2026-02-01"], "'1 April' is not a date"),
        (["QZZ", "2026-02-01", "2026-01-01"], "The end of the period must be the same as"),
    ],
)
def test_the_command_names_bad_input(icb, tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("audit_pack", *args, "-o", str(tmp_path / "pack.pdf"))
