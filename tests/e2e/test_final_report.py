"""The partnership lead drafts, checks and publishes a completed project's final report in
the browser; the outcome summary reaches the public register, and someone outside the project
finds the lessons in the learning library."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from outcomes.models import FinalReport, Lesson
from partnerships.models import Project
from tests.e2e.helpers import axe_check, sign_in
from tests.factories import draft_project
from tests.outcomes.conftest import approved  # noqa: F401  (the fixture, used by name)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TEXTS = {
    "Overview and objectives": "Find people with undiagnosed asthma in primary care",
    "Outcomes achieved": "Most of the targets were met by the end of delivery",
    "Benefits to patients": "Earlier diagnosis and fewer attacks",
    "Benefits to the NHS": "Fewer emergency admissions",
    "Benefits to the company": "Evidence of the pathway in practice",
    "Conclusions": "Worth scaling to the other places",
    "Lessons learned": "Start spirometry training early; community pharmacists were the key",
    "Outcome summary for publication": "The project reviewed 61.5% of patients with asthma.",
}


@pytest.fixture
def completed(approved):  # noqa: F811
    Project.objects.filter(pk=approved.pk).update(status=Project.Status.COMPLETED)
    return Project.objects.get(pk=approved.pk)


@pytest.fixture
def other_lesson(partnership_lead, icb):
    """A lesson from another project, in another therapy area, for the library to leave out."""
    other = draft_project(
        lead_user=partnership_lead, lead_organisation=icb, title="Diabetic foot checks"
    )
    Project.objects.filter(pk=other.pk).update(therapy_area="Diabetes")
    report = FinalReport.objects.create(project=other)
    return Lesson.objects.create(
        project=other,
        source=Lesson.Source.FINAL,
        final_report=report,
        lessons="Podiatry clinics on Saturdays were the best attended",
        shared_at=timezone.now(),
    )


def submit(page, name):
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()


def test_lead_drafts_checks_and_publishes_the_final_report_and_others_find_the_lesson(
    page, completed, other_lesson, partnership_lead, outsider
):
    measures = list(completed.measures.order_by("pk"))
    assert measures, "the fixture project should have outcome measures"
    questions = [q for _, q in FinalReport.QUESTIONS]

    sign_in(page, partnership_lead)
    expect(page).to_have_url(re.compile(r"/$"))
    page.goto(reverse("partnerships:project-detail", args=[completed.pk]))
    page.get_by_role("navigation", name="Project").get_by_role("link", name="Final report").click()
    expect(page).to_have_title(re.compile(r"^Final report – "))
    expect(page.get_by_test_id("final-report-status")).to_contain_text("Not started")

    # Part of the form, one value mistyped: the form says so and keeps what was typed.
    form = page.get_by_test_id("final-report-form")
    form.get_by_label("Overview and objectives").fill(TEXTS["Overview and objectives"])
    form.get_by_label("Outcomes achieved", exact=True).fill(TEXTS["Outcomes achieved"])
    achieved = form.locator(f"#id_achieved_{measures[0].pk}")
    achieved.fill("about half")
    submit(page, "Save draft")
    expect(page).to_have_title(re.compile(r"^Error: Final report – "))
    summary = page.locator(".nhsuk-error-summary")
    error_link = summary.get_by_role(
        "link", name=f"Enter the value for “{measures[0].name}” as a number, like 1520 or 12.5"
    )
    expect(error_link).to_have_attribute("href", f"#id_achieved_{measures[0].pk}")
    expect(achieved).to_have_value("about half")
    expect(achieved).to_have_attribute("aria-describedby", re.compile(r"_error\b"))
    expect(form.get_by_label("Overview and objectives")).to_have_value(
        TEXTS["Overview and objectives"]
    )
    assert not FinalReport.objects.filter(project=completed).exists()
    axe_check(page, "final-report-form-errors")

    # Cleared, it saves as a draft with the measure still to give.
    achieved.fill("")
    submit(page, "Save draft")
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text(
        "Your draft final report has been saved"
    )
    expect(page.get_by_test_id("final-report-status")).to_contain_text("Draft")
    expect(form.get_by_label("Overview and objectives")).to_have_value(
        TEXTS["Overview and objectives"]
    )

    # The check page lists everything still missing, each linked to its field; no publishing.
    submit(page, "Save and check before publishing")
    expect(page).to_have_title(re.compile(r"^Error: Check the final report before publishing"))
    problems = page.get_by_test_id("publication-problems")
    expected = (
        [f"Enter what “{m.name}” achieved" for m in measures]
        + [
            "Describe the benefits to patients",
            "Describe the benefits to the NHS",
            "Describe the benefits to the company",
            "Enter the conclusions",
            "Enter the lessons learned",
            "Enter the outcome summary for publication",
        ]
        + [f"Answer “{q}”" for q in questions]
    )
    expect(problems.get_by_role("link")).to_have_text(expected, use_inner_text=True)
    expect(problems).not_to_contain_text("overview")
    expect(page.get_by_role("button", name="Publish and close the project")).to_have_count(0)
    hrefs = problems.get_by_role("link").evaluate_all("links => links.map(a => a.href)")
    axe_check(page, "final-report-check-errors")

    with page.expect_navigation():
        page.get_by_role("link", name="Enter the lessons learned").click()
    expect(page).to_have_url(re.compile(r"/final-report/\?check=1#id_lessons_learned$"))
    form = page.get_by_test_id("final-report-form")
    expect(form).to_be_visible()
    # The form marks the missing answer where it is asked, and the page still passes axe.
    lessons = page.locator("#id_lessons_learned")
    expect(lessons).to_have_attribute("aria-describedby", re.compile(r"_error\b"))
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter the lessons learned")
    axe_check(page, "final-report-form-missing-answers")
    missing = page.evaluate(
        "hrefs => hrefs.filter(h => !document.getElementById(new URL(h).hash.slice(1)))", hrefs
    )
    assert not missing, f"error summary links to no field: {missing}"

    # Every answer now, one of them "Partly", then check and publish.
    for measure in measures:
        form.locator(f"#id_achieved_{measure.pk}").fill("61.5")
        form.get_by_label(f"Commentary on “{measure.name}” (optional)").fill("From the audit")
    for question in questions:
        answer = "Partly" if question == questions[2] else "Yes"
        form.get_by_role("group", name=question).get_by_label(answer, exact=True).check()
    for label, text in TEXTS.items():
        form.get_by_label(label, exact=True).fill(text)
    submit(page, "Save and check before publishing")
    expect(page).to_have_title(re.compile(r"^Check the final report before publishing"))
    expect(page.get_by_test_id("publication-problems")).to_have_count(0)
    outcomes = page.get_by_test_id("final-report-outcomes")
    for measure in measures:
        expect(outcomes).to_contain_text(f"Achieved 61.5 {measure.unit} against a target of")
    review = page.get_by_test_id("final-report-review")
    expect(review.locator(".nhsuk-summary-list__row").nth(2)).to_contain_text("Partly")
    expect(review).to_contain_text(TEXTS["Lessons learned"])
    expect(page.get_by_test_id("final-report-summary")).to_contain_text(
        TEXTS["Outcome summary for publication"]
    )
    axe_check(page, "final-report-check")
    submit(page, "Publish and close the project")

    expect(page).to_have_title(re.compile(r"^Final report – "))
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text(
        "the project is closed"
    )
    expect(page.get_by_test_id("final-report-status")).to_contain_text("Published")
    expect(page.get_by_test_id("project-status")).to_have_text("Closed")
    expect(page.get_by_test_id("final-report-form")).to_have_count(0)
    completed.refresh_from_db()
    assert completed.status == Project.Status.CLOSED
    assert completed.outcome_summary == TEXTS["Outcome summary for publication"]

    # Anyone, signed out, reads the outcome summary on the register.
    page.context.clear_cookies()
    page.goto(reverse("governance:register-entry", args=[completed.reference]))
    expect(page.get_by_role("heading", level=1)).to_have_text(completed.title)
    expect(page.get_by_test_id("outcome-summary")).to_have_text(
        TEXTS["Outcome summary for publication"]
    )

    # Someone with no part in the project finds the lesson in the learning library.
    sign_in(page, outsider)
    page.goto(reverse("outcomes:learning-library"))
    expect(page.get_by_test_id("lesson-count")).to_have_text("2 lessons")
    page.get_by_label("Search the lessons").fill("spirometry")
    submit(page, "Search")
    expect(page.get_by_test_id("lesson-count")).to_have_text("1 lesson")
    lesson = page.get_by_test_id("lesson")
    expect(lesson.get_by_role("heading", level=2)).to_have_text(completed.title)
    expect(lesson).to_contain_text(TEXTS["Lessons learned"])
    expect(lesson.get_by_test_id("lesson-contacts")).to_contain_text(partnership_lead.email)
    axe_check(page, "learning-library")

    page.get_by_label("Search the lessons").fill("")
    for area, title in (("Respiratory", completed.title), ("Diabetes", "Diabetic foot checks")):
        page.get_by_label("Therapy area").select_option(area)
        submit(page, "Search")
        expect(page.get_by_test_id("lesson-count")).to_have_text("1 lesson")
        expect(page.get_by_test_id("lesson").get_by_role("heading", level=2)).to_have_text(title)
