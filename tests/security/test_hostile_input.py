"""Hostile input on the pages that take text, numbers and dates: arbitrary unicode (control
characters, NUL, very long strings, markup and script), numbers (huge, negative, NaN,
commas, currency signs) and dates (impossible, far past and future).

For every input: never a 500; a refused post changes no row (the rows are compared before
and after, inside the same savepoint); a saved one stores what was typed; and the page,
whether it shows the error or the saved answer, never carries the script marker
unescaped. Each request is rolled back, so every example starts from the same data.
CSV exports: titles and organisation names beginning with =, +, - or @ come out prefixed.
"""

import csv
import io
import re
from decimal import Decimal, InvalidOperation

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Organisation
from audit.models import AuditEvent
from governance.models import Declaration, Interest
from outcomes.models import FinalReport, MeasureValue, OutcomeReport
from outcomes.schedule import project_periods
from partnerships.models import OutcomeMeasure, Partner, Project
from tests.security.world import build_world, company_partner

MD5_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"
MARKER = '<script>alert("pwned")</script>'
RAW = MARKER.encode()

HOSTILE_TEXT = [
    MARKER,
    f'"><img src=x onerror=alert(1)>{MARKER}',
    "\x00",
    "a\x00b",
    "\x01\x02\x1b[31m\x7f",
    "\u202eevil\u202c",
    '=HYPERLINK("http://example.org")',
    "'; DROP TABLE partnerships_project; --",
    "{{ request.user.password }}{% debug %}",
    "\ufeff\u200b\u00a0",
    "𝕌𝕟𝕚𝕔𝕠𝕕𝕖 🏥" * 50,
]
text = st.one_of(
    st.text(max_size=200),
    st.sampled_from(HOSTILE_TEXT),
    st.tuples(st.text(max_size=20), st.text(max_size=20)).map(lambda p: p[0] + MARKER + p[1]),
    st.integers(2_000, 40_000).map(lambda n: "A" * n + MARKER),
)
numbers = st.one_of(
    st.sampled_from(
        [
            "NaN",
            "nan",
            "-NaN",
            "sNaN",
            "Infinity",
            "-inf",
            "1e999",
            "-1e999",
            "1e-999",
            "1,000,000.00",
            "£50,000",
            "-5",
            "-0",
            "0x10",
            "1_000",
            "١٢٣",
            "99999999999999999999999",
            "1.005",
            "",
            " ",
            ",",
            ".",
            "1..2",
            "1e3",
            "+7",
            "50 000",
        ]
    ),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats().map(repr),
    st.text(max_size=12),
)
date_part = st.one_of(
    st.sampled_from(["0", "00", "1", "29", "31", "32", "13", "9999", "10000", "1900", "-1"]),
    st.integers(min_value=-(10**7), max_value=10**7).map(str),
    st.text(max_size=6),
)

HYPOTHESIS = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = override_settings(
        MEDIA_ROOT=tmp_path_factory.mktemp("media"), PASSWORD_HASHERS=[MD5_HASHER]
    )
    with django_db_blocker.unblock(), media, transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture
def as_role(world, db):
    clients = {}

    def client(role):
        if role not in clients:
            clients[role] = Client(raise_request_exception=False)
            if role != "anonymous":
                clients[role].force_login(world.users[role])
        return clients[role]

    return client


class _Rollback(Exception):
    pass


def attempt(client, url, data, snapshot, then_get=None):
    """Post, in a savepoint rolled back afterwards. Returns the response, the snapshot
    before and after, and (when the post was accepted) the page ``then_get`` shows."""
    outcome = {}
    try:
        with transaction.atomic():
            outcome["before"] = snapshot()
            outcome["response"] = client.post(url, data)
            outcome["after"] = snapshot()
            if then_get and outcome["response"].status_code == 302:
                outcome["page"] = client.get(then_get)
            raise _Rollback
    except _Rollback:
        pass
    return outcome


def assert_safe(outcome, *, saved_check=None):
    """No 500; refused changes nothing; the script marker never appears unescaped."""
    response = outcome["response"]
    assert response.status_code in (200, 302, 400), response.status_code
    if response.status_code == 400:  # portal.middleware refuses NUL characters outright
        assert outcome["after"] == outcome["before"], "a refused post changed something"
        assert RAW not in response.content
    elif response.status_code == 200:
        assert outcome["after"] == outcome["before"], "a refused post changed something"
        assert b"nhsuk-error-summary" in response.content, "refused without saying why"
        assert RAW not in response.content
    else:
        assert outcome["after"] != outcome["before"], "accepted, yet nothing was saved"
        if saved_check:
            saved_check(outcome["after"])
        page = outcome.get("page")
        if page is not None:
            assert page.status_code == 200
            assert RAW not in page.content


def audit_count():
    return AuditEvent.objects.count()


def stored(value: str) -> str:
    """What a text box keeps of what was typed: Django's forms strip the ends."""
    return value.strip()


# The proposal ---------------------------------------------------------------------------


@HYPOTHESIS
@given(population_need=text, background=text)
def test_proposal_section_save(world, as_role, population_need, background):
    project = world.own.projects["draft"]
    url = reverse("partnerships:section-edit", args=[project.pk, "need"])

    def snapshot():
        row = Project.objects.values("population_need", "background").get(pk=project.pk)
        return row, audit_count()

    outcome = attempt(
        as_role("partnership_lead"),
        url,
        {"population_need": population_need, "background": background},
        snapshot,
        then_get=reverse("partnerships:proposal-check", args=[project.pk]),
    )

    def saved(after):
        row, _ = after
        assert row == {"population_need": stored(population_need), "background": stored(background)}

    assert_safe(outcome, saved_check=saved)
    if "\x00" in population_need + background:
        assert outcome["response"].status_code == 400


def reference_money(value: str) -> Decimal | None:
    """The amount a typed value means, or None if it is not one the form should take."""
    cleaned = re.sub(r"\s+", "", value).replace("£", "").replace(",", "")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount < 0 or amount >= 10**12:
        return None
    if amount != amount.quantize(Decimal("0.01")):
        return None
    return amount


@HYPOTHESIS
@given(financial=numbers, in_kind=numbers, name=text)
def test_partner_contribution_money(world, as_role, financial, in_kind, name):
    project = world.own.projects["draft"]
    partner = company_partner(project)
    url = reverse("partnerships:partner-edit", args=[project.pk, partner.pk])
    fields = ("accountable_lead_name", "financial_contribution", "in_kind_value")

    def snapshot():
        return Partner.objects.values(*fields).get(pk=partner.pk), audit_count()

    outcome = attempt(
        as_role("industry_member"),
        url,
        {
            "accountable_lead_name": name,
            "accountable_lead_email": "lead@example.org",
            "financial_contribution": financial,
            "in_kind_description": "Project manager",
            "in_kind_value": in_kind,
        },
        snapshot,
        then_get=reverse("partnerships:partner-list", args=[project.pk]),
    )

    def saved(after):
        row, _ = after
        assert row["financial_contribution"] == reference_money(financial)
        assert row["in_kind_value"] == reference_money(in_kind)
        assert row["accountable_lead_name"] == stored(name)

    assert_safe(outcome, saved_check=saved)
    if reference_money(financial) is None or reference_money(in_kind) is None:
        assert outcome["response"].status_code in (200, 400)  # the form's errors, or NUL


@HYPOTHESIS
@given(
    name=text,
    unit=text,
    baseline=numbers,
    target=numbers,
    day=date_part,
    month=date_part,
    year=date_part,
)
def test_outcome_measure_add(world, as_role, name, unit, baseline, target, day, month, year):
    project = world.own.projects["draft"]
    url = reverse("partnerships:measure-add", args=[project.pk])
    objective = project.objectives.first()
    owner = Partner.objects.get(project=project, is_lead=True)

    def snapshot():
        return (
            sorted(OutcomeMeasure.objects.filter(project=project).values_list("pk", "name")),
            audit_count(),
        )

    outcome = attempt(
        as_role("partnership_lead"),
        url,
        {
            "objective": objective.pk,
            "name": name,
            "unit": unit,
            "direction": "higher",
            "baseline_value": baseline,
            "baseline_date_day": day,
            "baseline_date_month": month,
            "baseline_date_year": year,
            "target_value": target,
            "data_source": "GP audit",
            "frequency": "quarterly",
            "owner": owner.pk,
        },
        snapshot,
        then_get=reverse("partnerships:section-edit", args=[project.pk, "evaluation"]),
    )

    def saved(after):
        names, _ = after
        assert stored(name) in [n for _, n in names]

    assert_safe(outcome, saved_check=saved)


# Delivery -------------------------------------------------------------------------------


@HYPOTHESIS
@given(rag_reason=text, narrative=text, value=numbers, note=text)
def test_outcome_report_save(world, as_role, rag_reason, narrative, value, note):
    project = world.own.projects["active"]
    measure = project.measures.first()
    url = reverse("outcomes:report-detail", args=[project.pk, 2])  # a period with no report
    period_end = project_periods(project)[1].end

    def snapshot():
        reports = list(
            OutcomeReport.objects.filter(project=project).values_list(
                "period_end", "rag_reason", "narrative"
            )
        )
        values = list(MeasureValue.objects.filter(report__project=project).values_list("value"))
        return sorted(reports), sorted(values, key=str), audit_count()

    outcome = attempt(
        as_role("deputy"),
        url,
        {
            "action": "save",
            "rag": "amber",
            "rag_reason": rag_reason,
            "narrative": narrative,
            f"value_{measure.pk}": value,
            f"note_{measure.pk}": note,
        },
        snapshot,
        then_get=url,
    )

    def saved(after):
        reports, _values, _ = after
        assert (period_end, stored(rag_reason), stored(narrative)) in reports

    assert_safe(outcome, saved_check=saved)


@HYPOTHESIS
@given(overview=text, summary=text, achieved=numbers, answer=st.one_of(st.just("yes"), text))
def test_final_report_save(world, as_role, overview, summary, achieved, answer):
    project = world.own.projects["completed"]
    measure = project.measures.first()
    url = reverse("outcomes:final-report", args=[project.pk])
    question = FinalReport.QUESTIONS[0][0]

    def snapshot():
        row = FinalReport.objects.values("overview", "outcome_summary", question).get(
            project=project
        )
        return row, audit_count()

    outcome = attempt(
        as_role("industry_member"),
        url,
        {
            "overview": overview,
            "outcome_summary": summary,
            question: answer,
            f"achieved_{measure.pk}": achieved,
        },
        snapshot,
        then_get=url,
    )

    def saved(after):
        row, _ = after
        assert row["overview"] == stored(overview)
        assert row["outcome_summary"] == stored(summary)

    assert_safe(outcome, saved_check=saved)


# Declarations ---------------------------------------------------------------------------


@HYPOTHESIS
@given(description=text, organisation=text, day=date_part, month=date_part, year=date_part)
def test_declaration_record(world, as_role, description, organisation, day, month, year):
    project = world.own.projects["submitted"]
    url = reverse("governance:declaration-project-new", args=[project.pk])
    person = world.users["deputy"]
    prefix = "interest_1_"

    def snapshot():
        return (
            Declaration.objects.filter(person=person).count(),
            sorted(Interest.objects.filter(declaration__person=person).values_list("description")),
            audit_count(),
        )

    outcome = attempt(
        as_role("deputy"),
        url,
        {
            "has_interests": "yes",
            prefix + "category": Interest.Category.FINANCIAL,
            prefix + "interest_type": Interest.Type.SHAREHOLDING,
            prefix + "description": description,
            prefix + "organisation_name": organisation,
            prefix + "start_date_day": day,
            prefix + "start_date_month": month,
            prefix + "start_date_year": year,
            prefix + "became_aware_on_day": day,
            prefix + "became_aware_on_month": month,
            prefix + "became_aware_on_year": year,
        },
        snapshot,
        then_get=reverse("governance:declaration-list"),
    )

    def saved(after):
        _count, descriptions, _ = after
        assert (stored(description),) in descriptions

    assert_safe(outcome, saved_check=saved)


# Search boxes ---------------------------------------------------------------------------


@HYPOTHESIS
@given(query=text, page=st.one_of(st.sampled_from(["", "0", "-1", "99999999999999"]), text))
def test_search_boxes(world, as_role, query, page):
    client = as_role("auditor")
    for url, params in (
        (reverse("partnerships:project-list"), {"q": query, "page": page, "year": page}),
        (reverse("governance:register"), {"q": query, "page": page, "year": page, "icb": page}),
        (reverse("outcomes:learning-library"), {"q": query, "page": page, "area": query}),
    ):
        response = client.get(url, params)
        refused = "\x00" in query + page  # portal.middleware: 400 for NUL characters
        assert response.status_code == (400 if refused else 200), (url, response.status_code)
        assert RAW not in response.content


# CSV ------------------------------------------------------------------------------------

FORMULAS = ["=1+2", "+SUM(A1)", "-2+3", "@cmd", '=HYPERLINK("http://x")']


def csv_rows(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


# Uploads: checked by what the bytes are -------------------------------------------------

PDF_HEAD = b"%PDF-1.7\n"
ZIP_HEAD = b"PK\x03\x04"
upload_bytes = st.one_of(
    st.binary(max_size=2_000),
    st.binary(max_size=500).map(lambda b: PDF_HEAD + b),  # starts as a PDF does
    st.binary(max_size=500).map(lambda b: ZIP_HEAD + b),  # a broken zip, as DOCX/XLSX are
    st.binary(max_size=500).map(lambda b: b"MZ\x90\x00" + b),  # an executable
    st.sampled_from([b"", b"<html><script>alert(1)</script></html>", b"%PDF", b"%PDF-"]),
)
upload_names = st.one_of(
    st.sampled_from(["agreement.pdf", "setup.exe.pdf", "a.docx", "no-extension", ".pdf"]),
    text.map(lambda t: (t[:80] or "x") + ".pdf"),
)


@HYPOTHESIS
@given(content=upload_bytes, name=upload_names, title=text)
def test_document_upload(world, as_role, content, name, title):
    """A file is taken only when its bytes are a PDF, DOCX or XLSX, whatever its name or
    the browser says; a refused upload stores nothing; the title is escaped."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from partnerships.models import DocumentVersion

    project = world.own.projects["draft"]
    url = reverse("partnerships:document-upload", args=[project.pk])

    def snapshot():
        return DocumentVersion.objects.filter(document__project=project).count(), audit_count()

    safe_name = name.replace("\x00", "").replace("/", "_") or "x.pdf"
    outcome = attempt(
        as_role("partnership_lead"),
        url,
        {
            "kind": "other",
            "title": title,
            "file": SimpleUploadedFile(safe_name, content, content_type="application/pdf"),
        },
        snapshot,
        then_get=reverse("partnerships:document-list", args=[project.pk]),
    )
    assert_safe(outcome)
    if outcome["response"].status_code == 302:
        assert content.startswith(b"%PDF-"), "a file that is not a PDF was taken as one"


@pytest.mark.parametrize("formula", FORMULAS)
def test_csv_cells_beginning_like_a_formula_are_neutralised(world, as_role, formula):
    project = world.own.projects["active"]
    company = world.own.company
    Project.objects.filter(pk=project.pk).update(title=formula + " project")
    Organisation.objects.filter(pk=company.pk).update(name=formula + " Pharma")

    projects = csv_rows(as_role("auditor").get(reverse("outcomes:projects-csv")))
    transfers = csv_rows(as_role("auditor").get(reverse("outcomes:transfers-csv")))

    cells = [cell for row in projects + transfers for cell in row]
    assert "'" + formula + " project" in cells
    assert "'" + formula + " Pharma" in cells
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@"))]
