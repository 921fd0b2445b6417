"""A partnership lead drafts a proposal over two sittings, adds the company and
submits it; the industry member then sees it as submitted."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from partnerships.models import Partner, Project
from tests.e2e.helpers import axe_check, screenshot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SAVE = "Save and return to the proposal"


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in").first).to_be_visible()


def save_section(page):
    with page.expect_navigation():
        page.get_by_role("button", name=SAVE).click()
    expect(page.get_by_text("Section saved")).to_be_visible()


def fill_date(page, name, day, month, year):
    page.locator(f"input[name={name}_day]").fill(day)
    page.locator(f"input[name={name}_month]").fill(month)
    page.locator(f"input[name={name}_year]").fill(year)


def section_status(page, title):
    item = page.locator(".nhsuk-task-list__item", has_text=title)
    return item.locator(".nhsuk-task-list__status")


def open_section(page, project, key):
    page.goto(reverse("partnerships:section-edit", args=[project.pk, key]))


def test_lead_drafts_over_two_sittings_submits_and_the_company_sees_it(
    page, partnership_lead, deputy, company, industry_member, icb
):
    # First sitting: start the proposal and answer two sections.
    sign_in(page, partnership_lead)
    page.get_by_text("Start a new proposal").first.click()
    page.get_by_label("Project title").fill("Improving asthma care in Testshire")
    with page.expect_navigation():
        page.get_by_role("button", name="Start proposal").click()
    project = Project.objects.get(title="Improving asthma care in Testshire")
    expect(section_status(page, "About the project")).to_have_text("In progress")

    page.get_by_role("link", name="About the project").click()
    page.get_by_label("Collaborative working", exact=True).check()
    page.get_by_label("Therapy area").fill("Respiratory")
    fill_date(page, "start_date", "1", "4", "2027")
    fill_date(page, "end_date", "30", "9", "2028")
    save_section(page)
    expect(section_status(page, "About the project")).to_have_text("Completed")

    page.get_by_role("link", name="Population need and purpose").click()
    page.get_by_label("Population need addressed").fill("Asthma admissions are high.")
    save_section(page)
    expect(section_status(page, "Population need and purpose")).to_have_text("In progress")
    sign_out(page)

    # Second sitting: the draft is waiting on the home page, as it was left.
    sign_in(page, partnership_lead)
    page.get_by_role("link", name="Improving asthma care in Testshire").first.click()
    page.get_by_role("link", name="Proposal", exact=True).click()
    expect(section_status(page, "About the project")).to_have_text("Completed")
    expect(section_status(page, "Population need and purpose")).to_have_text("In progress")
    screenshot(page, "journey-task-list")

    open_section(page, project, "need")
    page.get_by_label("Background and rationale").fill("Care varies across the area.")
    save_section(page)

    open_section(page, project, "aims")
    page.get_by_label("Aims", exact=True).fill("Fewer admissions for asthma.")
    page.get_by_label("Objectives").fill("Review reliever-dependent patients\nReduce admissions")
    page.get_by_label("Benefits to patients").fill("Better asthma control.")
    page.get_by_label("Benefits to the NHS").fill("Fewer emergency admissions.")
    page.get_by_label("Benefits to the company").fill("Insight into the pathway.")
    save_section(page)

    open_section(page, project, "delivery")
    page.get_by_label("Methodology").fill("Audit, then review clinics.")
    page.get_by_label("Milestones and phases").fill("Q2 2027 audit\nQ4 2027 clinics")
    save_section(page)

    open_section(page, project, "evaluation")
    page.get_by_label("Evaluation plan").fill("Before and after comparison.")
    page.get_by_label("Success criteria").fill("20% fewer admissions.")
    page.get_by_label("Publication plan").fill("Outcome summary on the register.")
    save_section(page)

    # Outcome measures: one for each objective, each on its own page from the evaluation
    # section; the first is saved without a name, and the error summary says so.
    measures = [
        ("People reviewed", "%", "Higher is better", "30", "80"),
        (
            "Emergency admissions for asthma",
            "admissions a year",
            "Lower is better",
            "1,520",
            "1220",
        ),
    ]
    for number, (name, unit, direction, baseline, target) in enumerate(measures, start=1):
        open_section(page, project, "evaluation")
        expect(page.get_by_test_id(f"no-measure-objective-{number}")).to_be_visible()
        page.get_by_role("link", name=f"Add an outcome measure for objective {number}").click()
        page.get_by_label("Unit", exact=True).fill(unit)
        page.get_by_label(direction, exact=True).check()
        page.get_by_label("Baseline value").fill(baseline)
        fill_date(page, "baseline_date", "31", "3", "2026")
        page.get_by_label("Target value").fill(target)
        fill_date(page, "target_date", "30", "9", "2028")
        page.get_by_label("Data source").fill("GP clinical system audit")
        if number == 1:
            with page.expect_navigation():
                page.get_by_role("button", name="Save outcome measure").click()
            summary = page.locator(".nhsuk-error-summary")
            expect(summary).to_contain_text("Enter the name of the measure")
            expect(page.get_by_label("Baseline value")).to_have_value(baseline)
        page.get_by_label("Name of the measure").fill(name)
        with page.expect_navigation():
            page.get_by_role("button", name="Save outcome measure").click()
        expect(page.get_by_text(f"The outcome measure “{name}” has been added")).to_be_visible()
    expect(page.get_by_test_id("measures-objective-2")).to_contain_text("1,520 admissions a year")

    open_section(page, project, "governance")
    page.get_by_label("Governance and oversight").fill("A joint oversight group.")
    page.get_by_label("Data protection arrangements").fill("Anonymised figures only.")
    page.get_by_label(re.compile("data controller")).check()
    page.get_by_label("Exit strategy").fill("Three months' notice either side.")
    save_section(page)

    open_section(page, project, "declarations")
    for text in (
        "prospective",
        "not an inducement",
        "National clinical guidance",
        "never to individuals",
    ):
        page.get_by_label(re.compile(text)).check()
    save_section(page)

    open_section(page, project, "summary")
    page.get_by_label("Executive summary").fill(
        "Testshire ICB and Example Pharma improve asthma care."
    )
    save_section(page)

    # Partners: the company from the directory, then both contributions.
    page.goto(reverse("partnerships:partner-list", args=[project.pk]))
    page.get_by_label("Organisation").select_option(label=company.name)
    with page.expect_navigation():
        page.get_by_role("button", name="Add partner").click()
    expect(page.locator("main")).to_contain_text(company.name)
    for partner in Partner.objects.filter(project=project):
        page.goto(reverse("partnerships:partner-edit", args=[project.pk, partner.pk]))
        page.get_by_label("Accountable lead").fill("Alex Example")
        page.get_by_label("Their email address").fill("alex@example.org")
        page.get_by_label("Financial contribution (£)").fill("0" if partner.is_lead else "50,000")
        page.get_by_label("In-kind contribution", exact=True).fill("Clinical and project time")
        page.get_by_label("Value of in-kind contribution (£)").fill("20000")
        with page.expect_navigation():
            page.get_by_role("button", name="Save contribution").click()
    expect(page.locator("main")).to_contain_text("£50,000.00")

    # Team: the deputy (NHS) and the company's member.
    for user, role in ((deputy, "Deputy lead"), (industry_member, "Team member")):
        page.goto(reverse("partnerships:team-add", args=[project.pk]))
        page.get_by_label("Person").select_option(value=str(user.pk))
        page.get_by_label(role, exact=True).check()
        with page.expect_navigation():
            page.get_by_role("button", name="Add to the team").click()
    expect(section_status_on_task_list(page, project, "Team")).to_have_text("Completed")

    # Check your answers, then submit.
    page.get_by_text(re.compile("Check your answers")).first.click()
    screenshot(page, "journey-check")
    with page.expect_navigation():
        page.get_by_role("button", name="Submit proposal").click()
    expect(page.locator("main")).to_contain_text("Proposal submitted")
    expect(page.get_by_test_id("project-status")).to_have_text("Submitted")
    reference = Project.objects.get(pk=project.pk).reference
    assert re.fullmatch(r"CW-\d{4}-\d{4}", reference)
    expect(page.locator("main")).to_contain_text(reference)
    screenshot(page, "journey-submitted")
    sign_out(page)

    # The industry member sees it, submitted, on their home page and its status page.
    sign_in(page, industry_member)
    home = page.locator("main")
    expect(home).to_contain_text("Improving asthma care in Testshire")
    row = home.locator("tr", has_text="Improving asthma care in Testshire")
    expect(row).to_contain_text("Submitted")
    row.get_by_role("link", name="Improving asthma care in Testshire").click()
    expect(page.get_by_test_id("project-status")).to_have_text("Submitted")
    expect(page.locator("main")).to_contain_text(reference)


def section_status_on_task_list(page, project, title):
    page.goto(reverse("partnerships:proposal", args=[project.pk]))
    return section_status(page, title)


def test_project_pages_have_no_serious_accessibility_problems(
    page, ready_proposal, partnership_lead, company
):
    project = ready_proposal
    sign_in(page, partnership_lead)
    pages = {
        "project-list": reverse("partnerships:project-list"),
        "project-status": reverse("partnerships:project-detail", args=[project.pk]),
        "task-list": reverse("partnerships:proposal", args=[project.pk]),
        "check-answers": reverse("partnerships:proposal-check", args=[project.pk]),
        "partners": reverse("partnerships:partner-list", args=[project.pk]),
        "partner-edit": reverse(
            "partnerships:partner-edit",
            args=[project.pk, project.partners.get(organisation=company).pk],
        ),
        "team": reverse("partnerships:team-list", args=[project.pk]),
        "documents": reverse("partnerships:document-list", args=[project.pk]),
        "evaluation": reverse("partnerships:section-edit", args=[project.pk, "evaluation"]),
        "measure-edit": reverse(
            "partnerships:measure-edit", args=[project.pk, project.measures.get().pk]
        ),
        "measure-remove": reverse(
            "partnerships:measure-remove", args=[project.pk, project.measures.get().pk]
        ),
        "withdraw": reverse("partnerships:project-withdraw", args=[project.pk]),
    }
    for name, path in pages.items():
        page.goto(path)
        axe_check(page, f"journey-axe-{name}")

    # A section with an impossible date shows the error summary, accessibly.
    open_section(page, project, "about")
    fill_date(page, "start_date", "31", "2", "2027")
    with page.expect_navigation():
        page.get_by_role("button", name=SAVE).click()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    axe_check(page, "journey-axe-section-error")

    # A measure with errors shows the error summary, accessibly.
    page.goto(reverse("partnerships:measure-add", args=[project.pk]))
    page.get_by_label("Target value").fill("a lot")
    fill_date(page, "target_date", "30", "2", "2028")
    with page.expect_navigation():
        page.get_by_role("button", name="Save outcome measure").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Target date must be a real date")
    axe_check(page, "journey-axe-measure-error")

    # Check your answers with missing pieces lists them in the error summary.
    Project.objects.filter(pk=project.pk).update(executive_summary="")
    page.goto(reverse("partnerships:proposal-check", args=[project.pk]))
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Executive summary")
    axe_check(page, "journey-axe-check-missing")
