"""The final report and closure: drafting, publishing (which needs every answer), the outcome
summary on the register, the closure rule, the deadline, the pages and the learning library."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from outcomes.models import FinalReport, Lesson
from outcomes.services.final_report import final_report_publish, final_report_save
from partnerships.dates import add_months
from partnerships.models import Project
from partnerships.services.projects import project_transition

S = Project.Status


@pytest.fixture
def completed(approved):
    Project.objects.filter(pk=approved.pk).update(status=S.COMPLETED)
    return Project.objects.get(pk=approved.pk)


def complete_answers(project, **overrides):
    data = {
        "overview": "Find people with undiagnosed COPD",
        "outcomes_achieved": "Most targets met",
        "benefits_patients": "Earlier diagnosis",
        "benefits_nhs": "Fewer admissions",
        "benefits_industry": "Evidence of the pathway",
        "conclusions": "Worth scaling",
        "lessons_learned": "Start spirometry training early; pharmacists were the key",
        "outcome_summary": "The project diagnosed 240 people with COPD earlier.",
        "results": {m.pk: (Decimal("61.5"), "From the audit") for m in project.measures.all()},
    }
    for name, _ in FinalReport.QUESTIONS:
        data[name] = "yes"
        data[f"{name}_comment"] = ""
    data.update(overrides)
    return data


# Services ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["partnership_lead", "deputy", "industry_member"])
def test_any_team_member_saves_the_draft(request, completed, who):
    report = final_report_save(
        project=completed, data=complete_answers(completed), actor=request.getfixturevalue(who)
    )
    assert report.status == FinalReport.Status.DRAFT
    assert report.results.count() == completed.measures.count() > 0
    assert AuditEvent.objects.filter(action="project.final_report_save").exists()


@pytest.mark.parametrize("who", ["panel_member", "auditor", "outsider"])
def test_others_cannot_write_it(request, completed, who):
    with pytest.raises(PermissionDenied):
        final_report_save(
            project=completed,
            data=complete_answers(completed),
            actor=request.getfixturevalue(who),
        )
    assert not FinalReport.objects.exists()


@pytest.mark.parametrize("status", [S.APPROVED, S.ACTIVE, S.CLOSED])
def test_written_only_once_delivery_is_completed(approved, partnership_lead, status):
    Project.objects.filter(pk=approved.pk).update(status=status)
    with pytest.raises(ValidationError, match="once delivery has been completed"):
        final_report_save(
            project=Project.objects.get(pk=approved.pk),
            data=complete_answers(approved),
            actor=partnership_lead,
        )


def test_an_answer_must_be_yes_partly_or_no(completed, partnership_lead):
    with pytest.raises(ValidationError) as exc:
        final_report_save(
            project=completed,
            data=complete_answers(completed, trust_maintained="maybe"),
            actor=partnership_lead,
        )
    assert exc.value.message_dict == {"trust_maintained": ["Choose yes, partly or no"]}


def test_publishing_names_everything_missing(completed, partnership_lead):
    measure = completed.measures.first()
    final_report_save(project=completed, data={}, actor=partnership_lead)
    with pytest.raises(ValidationError) as exc:
        final_report_publish(project=completed, actor=partnership_lead)
    errors = exc.value.message_dict
    assert errors[f"achieved_{measure.pk}"] == [f"Enter what “{measure.name}” achieved"]
    assert errors["outcome_summary"] == ["Enter the outcome summary for publication"]
    assert errors["lessons_learned"] == ["Enter the lessons learned"]
    assert errors["vision_sustained"] == ["Answer “Was the shared vision sustained?”"]
    assert len(errors) == completed.measures.count() + 8 + 6
    assert Project.objects.get(pk=completed.pk).status == S.COMPLETED


def test_publishing_needs_a_saved_report(completed, partnership_lead):
    with pytest.raises(ValidationError, match="save it before publishing"):
        final_report_publish(project=completed, actor=partnership_lead)


def test_industry_member_cannot_publish(completed, industry_member):
    final_report_save(project=completed, data=complete_answers(completed), actor=industry_member)
    with pytest.raises(PermissionDenied):
        final_report_publish(project=completed, actor=industry_member)


def test_publishing_closes_the_project_and_publishes_the_summary(completed, deputy):
    final_report_save(project=completed, data=complete_answers(completed), actor=deputy)
    report = final_report_publish(project=completed, actor=deputy)

    assert report.status == FinalReport.Status.PUBLISHED
    assert (report.published_by, report.published_at is not None) == (deputy, True)
    project = Project.objects.get(pk=completed.pk)
    assert project.status == S.CLOSED
    assert project.outcome_summary == "The project diagnosed 240 people with COPD earlier."
    assert project.outcome_summary_published_at == report.published_at
    lesson = Lesson.objects.get()
    assert (lesson.source, lesson.project, lesson.lessons) == (
        Lesson.Source.FINAL,
        project,
        "Start spirometry training early; pharmacists were the key",
    )
    actions = list(
        AuditEvent.objects.filter(action__startswith="project.").values_list("action", flat=True)
    )
    assert actions[-2:] == ["project.final_report_publish", "project.close"]

    with pytest.raises(ValidationError):
        final_report_save(project=project, data=complete_answers(project), actor=deputy)
    with pytest.raises(ValidationError):
        final_report_publish(project=project, actor=deputy)
    assert FinalReport.objects.get().overview == "Find people with undiagnosed COPD"


def test_a_project_cannot_close_without_its_published_final_report(completed, partnership_lead):
    with pytest.raises(ValidationError, match="Publish the final report"):
        project_transition(project=completed, action="close", actor=partnership_lead)
    final_report_save(project=completed, data=complete_answers(completed), actor=partnership_lead)
    with pytest.raises(ValidationError, match="Publish the final report"):
        project_transition(project=completed, action="close", actor=partnership_lead)
    assert Project.objects.get(pk=completed.pk).status == S.COMPLETED
    assert not AuditEvent.objects.filter(action="project.close").exists()


# The deadline ------------------------------------------------------------------------------


def test_the_deadline_is_six_months_after_the_end_date_by_default(completed):
    completed.end_date = datetime.date(2027, 8, 31)
    assert completed.final_report_deadline == datetime.date(2028, 2, 29)


def test_the_deadline_follows_the_setting(completed, settings):
    settings.PORTAL_FINAL_REPORT_MONTHS = 3
    completed.end_date = datetime.date(2027, 11, 30)
    assert completed.final_report_deadline == datetime.date(2028, 2, 29)
    completed.end_date = None
    assert completed.final_report_deadline is None


def test_add_months_clamps_to_the_month_end():
    assert add_months(datetime.date(2027, 1, 31), 1) == datetime.date(2027, 2, 28)
    assert add_months(datetime.date(2027, 3, 31), -1) == datetime.date(2027, 2, 28)


# Pages -------------------------------------------------------------------------------------


def _form_data(project, **overrides):
    answers = complete_answers(project)
    data = {k: v for k, v in answers.items() if k != "results"}
    for measure_id, (value, note) in answers["results"].items():
        data[f"achieved_{measure_id}"] = str(value)
        data[f"commentary_{measure_id}"] = note
    data.update(overrides)
    return data


def test_lead_writes_checks_and_publishes_through_the_pages(client, completed, partnership_lead):
    client.force_login(partnership_lead)
    url = reverse("outcomes:final-report", args=[completed.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert b"Not started" in page.content
    deadline = completed.final_report_deadline
    assert f"{deadline.day} {deadline:%B %Y}".encode() in page.content

    response = client.post(url, {**_form_data(completed), "action": "check"})
    check_url = reverse("outcomes:final-report-check", args=[completed.pk])
    assert response.status_code == 302 and response["Location"] == check_url
    check = client.get(check_url)
    assert b"Publish and close the project" in check.content
    assert b"The project diagnosed 240 people with COPD earlier." in check.content

    response = client.post(check_url)
    assert response.status_code == 302
    assert Project.objects.get(pk=completed.pk).status == S.CLOSED
    page = client.get(url)
    assert b"Published" in page.content and b"final-report-form" not in page.content

    register = client.get(reverse("governance:register-entry", args=[completed.reference]))
    assert b"The project diagnosed 240 people with COPD earlier." in register.content


def test_check_page_lists_what_is_missing_and_offers_no_publish(
    client, completed, partnership_lead
):
    client.force_login(partnership_lead)
    url = reverse("outcomes:final-report", args=[completed.pk])
    client.post(url, {"overview": "Only this", "action": "save"})
    check = client.get(reverse("outcomes:final-report-check", args=[completed.pk]))
    assert check.status_code == 200
    assert "Enter the outcome summary for publication" in check.content.decode()
    assert f'href="{url}?check=1#id_vision_sustained_0"' in check.content.decode()
    assert b"Publish and close the project" not in check.content
    response = client.post(reverse("outcomes:final-report-check", args=[completed.pk]))
    assert response.status_code == 200
    assert "Enter the lessons learned" in response.content.decode()
    assert Project.objects.get(pk=completed.pk).status == S.COMPLETED


def test_back_from_the_check_page_each_missing_answer_is_marked_at_its_field(
    client, completed, partnership_lead
):
    client.force_login(partnership_lead)
    url = reverse("outcomes:final-report", args=[completed.pk])
    client.post(url, {"overview": "Only this", "action": "save"})

    page = client.get(url, {"check": "1"}).content.decode()

    assert "There is a problem" in page
    assert 'href="#id_vision_sustained_0">Answer' in page
    assert 'id="outcome_summary-error"' in page or "Enter the outcome summary" in page
    assert page.count("nhsuk-form-group--error") >= 3
    assert "Only this" in page  # what was saved is kept
    plain = client.get(url).content.decode()
    assert "There is a problem" not in plain  # only when coming back from the check


def test_bad_input_is_shown_and_kept(client, completed, partnership_lead):
    client.force_login(partnership_lead)
    measure = completed.measures.first()
    response = client.post(
        reverse("outcomes:final-report", args=[completed.pk]),
        _form_data(completed, **{f"achieved_{measure.pk}": "lots", "action": "save"}),
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    assert f"Enter the value for “{measure.name}” as a number" in body
    assert "Start spirometry training early" in body  # typed text kept
    assert not FinalReport.objects.exists()


def test_user_text_is_escaped(client, completed, partnership_lead):
    final_report_save(
        project=completed,
        data=complete_answers(completed, conclusions="<script>alert(1)</script>"),
        actor=partnership_lead,
    )
    client.force_login(partnership_lead)
    check = client.get(reverse("outcomes:final-report-check", args=[completed.pk]))
    assert b"<script>alert(1)</script>" not in check.content
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in check.content


@pytest.mark.parametrize(
    ("who", "get", "post", "check"),
    [
        ("industry_member", 200, 302, 403),
        ("auditor", 200, 403, 403),
        ("panel_member", 200, 403, 403),
        ("outsider", 404, 404, 404),
    ],
)
def test_page_permissions(request, client, completed, who, get, post, check):
    client.force_login(request.getfixturevalue(who))
    url = reverse("outcomes:final-report", args=[completed.pk])
    assert client.get(url).status_code == get
    assert client.post(url, {**_form_data(completed), "action": "save"}).status_code == post
    check_url = reverse("outcomes:final-report-check", args=[completed.pk])
    assert client.post(check_url).status_code == check
    assert Project.objects.get(pk=completed.pk).status == S.COMPLETED


def test_anonymous_is_sent_to_sign_in(client, completed):
    response = client.get(reverse("outcomes:final-report", args=[completed.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_overdue_is_flagged(client, completed, partnership_lead):
    Project.objects.filter(pk=completed.pk).update(
        end_date=timezone.localdate() - datetime.timedelta(days=250)
    )
    client.force_login(partnership_lead)
    page = client.get(reverse("outcomes:final-report", args=[completed.pk]))
    assert b"Overdue" in page.content and b"That date has passed" in page.content


# The learning library ----------------------------------------------------------------------


@pytest.fixture
def closed(completed, partnership_lead):
    final_report_save(project=completed, data=complete_answers(completed), actor=partnership_lead)
    final_report_publish(project=completed, actor=partnership_lead)
    return Project.objects.get(pk=completed.pk)


def test_library_finds_lessons_by_text_area_and_outcome(client, closed, outsider):
    client.force_login(outsider)  # anyone signed in may read it
    url = reverse("outcomes:learning-library")
    measure = closed.measures.first()
    found = client.get(url, {"q": "spirometry"})
    assert found.status_code == 200
    assert b"Start spirometry training early" in found.content
    assert b"Whom to ask" in found.content and b"Tom Hughes" in found.content
    assert b"1 lesson" in found.content
    assert b"0 lessons" in client.get(url, {"q": "chiropody"}).content
    assert b"1 lesson" in client.get(url, {"area": closed.therapy_area.upper()}).content
    assert b"0 lessons" in client.get(url, {"area": "Dermatology"}).content
    assert b"1 lesson" in client.get(url, {"outcome": measure.name[:6]}).content
    assert b"0 lessons" in client.get(url, {"outcome": "no such measure"}).content


def test_library_needs_sign_in(client, closed):
    response = client.get(reverse("outcomes:learning-library"))
    assert response.status_code == 302


def test_library_odd_input_is_not_an_error(client, closed, outsider):
    client.force_login(outsider)
    url = reverse("outcomes:learning-library")
    for params in ({"q": "&&& !!! ''"}, {"page": "x"}, {"page": "999"}, {"q": "a" * 5000}):
        assert client.get(url, params).status_code == 200


def test_library_query_count_does_not_grow(client, closed, outsider, django_assert_max_num_queries):
    client.force_login(outsider)
    url = reverse("outcomes:learning-library")
    client.get(url)
    with django_assert_max_num_queries(12) as one:
        client.get(url)
    for _ in range(5):
        Lesson.objects.create(
            project=closed,
            source=Lesson.Source.REPORT,
            outcome_report=closed.outcome_reports.create(
                period_start=closed.start_date,
                period_end=closed.end_date - datetime.timedelta(days=len(Lesson.objects.all())),
                due_date=closed.end_date,
            ),
            what_worked="More",
            shared_at=timezone.now(),
        )
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(url)


# The disclosure PDF ------------------------------------------------------------------------


def test_the_disclosure_pdf_shows_the_reports_and_the_final_report(
    approved, partnership_lead, deputy
):

    from outcomes.models import DisclosureDocument
    from outcomes.schedule import report_schedule
    from outcomes.services import disclosure as services
    from outcomes.services.reports import outcome_report_save, outcome_report_submit
    from tests.outcomes.conftest import pdf_text, stored_bytes

    Project.objects.filter(pk=approved.pk).update(status=S.ACTIVE)
    active = Project.objects.get(pk=approved.pk)
    measure = active.measures.first()
    report = outcome_report_save(
        project=active,
        period_end=report_schedule(active)[0],
        data={
            "rag": "amber",
            "rag_reason": "Recruitment <b>slow</b>",
            "narrative": "Clinics started",
            "values": {m.pk: (Decimal("1520"), "") for m in active.measures.all()},
        },
        actor=partnership_lead,
    )
    outcome_report_submit(report=report, actor=partnership_lead)
    Project.objects.filter(pk=approved.pk).update(status=S.COMPLETED)
    completed = Project.objects.get(pk=approved.pk)
    final_report_save(
        project=completed,
        data=complete_answers(completed, outcome_summary="<script>x</script> 240 diagnosed"),
        actor=deputy,
    )
    final_report_publish(project=completed, actor=deputy)

    document = services.disclosure_request(
        kind=DisclosureDocument.Kind.PROJECT, project=completed, actor=partnership_lead
    )
    document = services.disclosure_render(document_id=document.pk)
    text = pdf_text(stored_bytes(document))
    assert "Amber: Recruitment <b>slow</" in text  # as typed, not bold
    assert f"{measure.name}: 1,520%" in text
    assert "Was the shared vision sustained? Yes" in text
    assert "<script>x</script> 240 diagnosed" in text
    assert "Start spirometry training early" in text
    assert f"{measure.name} 80% 61.5% From the audit" in text


# Lessons from outcome reports ---------------------------------------------------------------


@pytest.mark.parametrize("share", [True, False])
def test_an_outcome_reports_lessons_are_shared_only_when_the_team_chooses(
    client, approved, partnership_lead, outsider, share
):
    from outcomes.schedule import report_schedule
    from outcomes.services.reports import outcome_report_save, outcome_report_submit

    Project.objects.filter(pk=approved.pk).update(status=S.ACTIVE)
    active = Project.objects.get(pk=approved.pk)
    report = outcome_report_save(
        project=active,
        period_end=report_schedule(active)[0],
        data={
            "rag": "green",
            "rag_reason": "On track",
            "narrative": "Clinics running",
            "what_worked": "Evening clinics in community pharmacies",
            "what_did_not": "Letters",
            "share_lessons": share,
            "values": {m.pk: (Decimal("50"), "") for m in active.measures.all()},
        },
        actor=partnership_lead,
    )
    assert not Lesson.objects.exists()  # a draft shares nothing
    outcome_report_submit(report=report, actor=partnership_lead)
    assert Lesson.objects.filter(outcome_report=report).exists() is share
    client.force_login(outsider)
    page = client.get(reverse("outcomes:learning-library"), {"q": "pharmacies"})
    assert (b"Evening clinics in community pharmacies" in page.content) is share


def test_the_share_choice_is_on_the_report_form(client, approved, partnership_lead):
    Project.objects.filter(pk=approved.pk).update(status=S.ACTIVE)
    client.force_login(partnership_lead)
    url = reverse("outcomes:report-detail", args=[approved.pk, 1])
    client.post(url, {"action": "save", "share_lessons": "on", "what_worked": "Evening clinics"})
    report = approved.outcome_reports.get()
    assert report.share_lessons is True and report.what_worked == "Evening clinics"
    tag = re.search(r'<input[^>]*name="share_lessons"[^>]*>', client.get(url).content.decode())
    assert tag and "checked" in tag.group(0)


def test_a_measure_unit_with_markup_is_escaped_in_the_form_hints(
    client, approved, partnership_lead
):
    Project.objects.filter(pk=approved.pk).update(status=S.COMPLETED)
    approved.measures.update(unit="<i>x</i>")
    client.force_login(partnership_lead)
    page = client.get(reverse("outcomes:final-report", args=[approved.pk]))
    assert b"<i>x</i>" not in page.content and b"&lt;i&gt;x&lt;/i&gt;" in page.content
    Project.objects.filter(pk=approved.pk).update(status=S.ACTIVE)
    page = client.get(reverse("outcomes:report-detail", args=[approved.pk, 1]))
    assert b"<i>x</i>" not in page.content and b"&lt;i&gt;x&lt;/i&gt;" in page.content


def test_closing_delivery_early_starts_the_deadline_from_that_day(approved, partnership_lead):
    from partnerships.selectors.final_reports import final_reports_overdue

    Project.objects.filter(pk=approved.pk).update(
        status=S.ACTIVE,
        start_date=datetime.date(2026, 1, 1),
        end_date=datetime.date(2028, 12, 31),
    )
    day = datetime.date(2026, 3, 10)
    project = project_transition(
        project=Project.objects.get(pk=approved.pk),
        action="complete",
        actor=partnership_lead,
        reason="The company withdrew under the exit strategy",
        today=day,
    )
    assert project.delivery_ended_on == day
    assert project.final_report_deadline == datetime.date(2026, 9, 10)
    projects = Project.objects.filter(pk=project.pk)
    assert not final_reports_overdue(projects, today=datetime.date(2026, 9, 10)).exists()
    assert final_reports_overdue(projects, today=datetime.date(2026, 9, 11)).exists()


def test_completing_after_the_end_date_keeps_the_end_date(approved):
    Project.objects.filter(pk=approved.pk).update(
        status=S.ACTIVE, start_date=datetime.date(2026, 1, 1), end_date=datetime.date(2026, 6, 30)
    )
    project = project_transition(
        project=Project.objects.get(pk=approved.pk),
        action="complete",
        actor=None,
        today=datetime.date(2026, 7, 4),
    )
    assert project.delivery_ended_on == datetime.date(2026, 6, 30)
    assert project.final_report_deadline == datetime.date(2026, 12, 30)


def test_the_library_shows_a_lesson_on_the_next_request_after_it_is_shared(
    client, completed, partnership_lead, outsider
):
    # The library's page is cached at the data's version (audit.versions): publishing the
    # final report moves it, so the page asked again shows the lesson at once.
    client.force_login(outsider)
    url = reverse("outcomes:learning-library")
    assert b"0 lessons" in client.get(url, {"q": "spirometry"}).content
    assert b"0 lessons" in client.get(url, {"q": "spirometry"}).content  # from the cache
    final_report_save(project=completed, data=complete_answers(completed), actor=partnership_lead)
    final_report_publish(project=completed, actor=partnership_lead)
    assert b"1 lesson" in client.get(url, {"q": "spirometry"}).content
