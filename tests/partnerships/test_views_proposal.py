"""The proposal in the browser: starting one, the task list, each section, check and submit."""

import re
from html import escape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import services as account_services
from accounts.models import Membership
from partnerships import sections
from partnerships.models import Objective, Project, SectionComment
from partnerships.services import partners as partner_services
from partnerships.services import projects as project_services
from partnerships.services import team as team_services
from tests.factories import CompanyFactory, OrganisationFactory, UserFactory


def url(name, project, *args):
    return reverse(f"partnerships:{name}", args=[project.pk, *args])


def task_status(client, project, key):
    """The status tag the task list shows for one section."""
    response = client.get(url("proposal", project))
    assert response.status_code == 200
    match = re.search(
        rf'id="task-{key}-status">\s*<strong[^>]*>([^<]+)</strong>', response.content.decode()
    )
    assert match, f"no status shown for {key}"
    return match.group(1).strip()


def has_error_summary(response):
    return b"nhsuk-error-summary" in response.content and b"There is a problem" in response.content


# Starting a proposal ---------------------------------------------------------------


def test_partnership_lead_starts_a_proposal(client, partnership_lead, icb):
    client.force_login(partnership_lead)
    page = client.get(reverse("partnerships:project-create"))
    assert page.status_code == 200
    assert icb.name in page.content.decode()

    response = client.post(
        reverse("partnerships:project-create"),
        {"title": "Better diabetes care", "lead_organisation": icb.pk},
    )

    project = Project.objects.get(title="Better diabetes care")
    assert response.status_code == 302
    assert response.url == url("proposal", project)
    assert project.lead_organisation == icb
    assert project.status == Project.Status.DRAFT
    assert project.team.get().user == partnership_lead


def test_a_proposal_needs_a_title(client, partnership_lead, icb):
    client.force_login(partnership_lead)
    response = client.post(
        reverse("partnerships:project-create"), {"title": "  ", "lead_organisation": icb.pk}
    )
    assert response.status_code == 200
    assert has_error_summary(response)
    assert "Enter the project&#x27;s title" in response.content.decode()
    assert not Project.objects.exists()


def test_lead_cannot_start_a_proposal_for_an_icb_they_do_not_lead(client, partnership_lead):
    other_icb = OrganisationFactory()
    client.force_login(partnership_lead)
    page = client.get(reverse("partnerships:project-create"))
    assert other_icb.name not in page.content.decode()

    response = client.post(
        reverse("partnerships:project-create"),
        {"title": "Elsewhere", "lead_organisation": other_icb.pk},
    )
    assert response.status_code == 200
    assert has_error_summary(response)
    assert not Project.objects.exists()


def test_administrator_chooses_any_nhs_organisation(client, administrator, company):
    icb = OrganisationFactory(name="NHS Somewhere ICB")
    client.force_login(administrator)
    page = client.get(reverse("partnerships:project-create")).content.decode()
    assert icb.name in page
    assert company.name not in page  # only NHS bodies lead

    response = client.post(
        reverse("partnerships:project-create"), {"title": "Admin's", "lead_organisation": icb.pk}
    )
    assert response.status_code == 302
    assert Project.objects.get().lead_organisation == icb


@pytest.mark.parametrize("role", ["industry_member", "panel_member", "auditor", "outsider"])
def test_other_roles_cannot_start_a_proposal(client, request, role, icb):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("partnerships:project-create")).status_code == 403
    response = client.post(
        reverse("partnerships:project-create"), {"title": "Sneaky", "lead_organisation": icb.pk}
    )
    assert response.status_code == 403
    assert not Project.objects.exists()


# The task list and the sections ------------------------------------------------------

# For each field section: answers that start it, then answers that complete it.
SECTION_ANSWERS = {
    "about": (
        {"title": "Improving asthma care", "kind": "joint"},
        {
            "title": "Improving asthma care",
            "kind": "joint",
            "therapy_area": "Respiratory",
            "start_date_day": "1",
            "start_date_month": "4",
            "start_date_year": "2027",
            "end_date_day": "31",
            "end_date_month": "3",
            "end_date_year": "2028",
        },
    ),
    "need": (
        {"population_need": "High admissions"},
        {"population_need": "High admissions", "background": "Variation in care"},
    ),
    "aims": (
        {"aims": "Fewer admissions"},
        {
            "aims": "Fewer admissions",
            "objectives": "Review every patient\n\n  Train practice nurses  \n",
            "benefits_patients": "Better control",
            "benefits_nhs": "Fewer admissions",
            "benefits_industry": "Insight into pathways",
        },
    ),
    "delivery": (
        {"methodology": "Audit and clinics"},
        {"methodology": "Audit and clinics", "milestones": "Q1 audit"},
    ),
    "evaluation": (
        {"evaluation_plan": "Before and after"},
        {
            "evaluation_plan": "Before and after",
            "success_criteria": "20% fewer admissions",
            "publication_plan": "Outcome summary",
        },
    ),
    "governance": (
        {"governance_arrangements": "Joint oversight group"},
        {
            "governance_arrangements": "Joint oversight group",
            "data_protection": "ICB is controller",
            "confirm_nhs_data_controller": "on",
            "exit_strategy": "Three months' notice",
        },
    ),
    "declarations": (
        {"medicines_referenced": "Inhaled corticosteroids", "confirm_prospective": "on"},
        {
            "confirm_prospective": "on",
            "confirm_not_inducement": "on",
            "confirm_national_guidance": "on",
            "confirm_benefits_organisational": "on",
        },
    ),
    "summary": (None, {"executive_summary": "A project to improve asthma care."}),
}


@pytest.mark.parametrize("key", list(SECTION_ANSWERS))
def test_each_section_saves_and_its_status_moves_on(client, partnership_lead, draft, key):
    started, complete = SECTION_ANSWERS[key]
    client.force_login(partnership_lead)
    edit = url("section-edit", draft, key)
    assert client.get(edit).status_code == 200
    first = sections.IN_PROGRESS if key == "about" else sections.NOT_STARTED
    assert task_status(client, draft, key) == first

    if started is not None:
        response = client.post(edit, started, follow=True)
        assert response.redirect_chain[-1][0] == url("proposal", draft)
        assert "Section saved" in response.content.decode()
        assert task_status(client, draft, key) == sections.IN_PROGRESS

    response = client.post(edit, complete)
    assert response.status_code == 302
    if key == "evaluation":
        # Every answer given, but the section also needs an outcome measure per objective.
        assert task_status(client, draft, key) == sections.IN_PROGRESS
        _measure_every_objective(draft, partnership_lead)
    assert task_status(client, draft, key) == sections.COMPLETED
    assert sections.section_problems(Project.objects.get(pk=draft.pk), key) == []


def _measure_every_objective(project, lead_user):
    from partnerships.services import measures as measure_services
    from tests.factories import complete_measure

    project_services.section_save(
        project=project, key="aims", data={"objectives": ["Review every patient"]}, actor=lead_user
    )
    for objective in project.objectives.all():
        measure_services.outcome_measure_add(
            project=project,
            data=complete_measure(objective=objective, owner=project.partners.get(is_lead=True)),
            actor=lead_user,
        )


def test_saving_a_section_records_what_was_entered(client, partnership_lead, draft):
    client.force_login(partnership_lead)
    client.post(url("section-edit", draft, "about"), SECTION_ANSWERS["about"][1])
    client.post(url("section-edit", draft, "aims"), SECTION_ANSWERS["aims"][1])
    draft.refresh_from_db()
    assert (draft.start_date.isoformat(), draft.end_date.isoformat()) == (
        "2027-04-01",
        "2028-03-31",
    )
    assert draft.kind == Project.Kind.JOINT
    assert list(Objective.objects.filter(project=draft).values_list("description", flat=True)) == [
        "Review every patient",
        "Train practice nurses",
    ]
    # The objectives come back one a line, and the dates in their boxes.
    aims_page = client.get(url("section-edit", draft, "aims")).content.decode()
    assert "Review every patient\nTrain practice nurses</textarea>" in aims_page
    about_page = client.get(url("section-edit", draft, "about")).content.decode()
    assert 'name="start_date_year" value="2027"' in about_page


def test_the_task_list_counts_completed_sections(client, partnership_lead, ready_proposal):
    client.force_login(partnership_lead)
    page = client.get(url("proposal", ready_proposal)).content.decode()
    assert "You have completed 10 of 10 sections" in page
    assert "Check your answers and submit" in page
    assert 'class="nhsuk-task-list"' in page
    # Partners and team have pages of their own.
    assert url("partner-list", ready_proposal) in page
    assert url("team-list", ready_proposal) in page


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("31", "2", "2027", "Start date must be a real date"),
        ("1", "", "", "Start date must include a month and a year"),
        ("1", "4", "27", "Start date year must include 4 numbers"),
        ("x", "4", "2027", "Start date must be a real date"),
    ],
)
def test_an_invalid_date_is_shown_and_nothing_is_saved(
    client, partnership_lead, draft, day, month, year, message
):
    client.force_login(partnership_lead)
    response = client.post(
        url("section-edit", draft, "about"),
        {
            "title": "A changed title",
            "therapy_area": "Respiratory",
            "start_date_day": day,
            "start_date_month": month,
            "start_date_year": year,
        },
    )
    assert response.status_code == 200
    assert has_error_summary(response)
    page = response.content.decode()
    assert message in page
    assert "<title>Error:" in page
    assert 'href="#id_start_date"' in page  # the summary links to the day box
    draft.refresh_from_db()
    assert (draft.title, draft.therapy_area, draft.start_date) == (
        "Improving asthma care",
        "",
        None,
    )


def test_the_end_date_must_come_after_the_start_date(client, partnership_lead, draft):
    client.force_login(partnership_lead)
    data = {**SECTION_ANSWERS["about"][1], "end_date_year": "2026"}
    response = client.post(url("section-edit", draft, "about"), data)
    assert has_error_summary(response)
    assert "End date must be after the start date" in response.content.decode()
    draft.refresh_from_db()
    assert draft.end_date is None


def test_the_title_cannot_be_emptied(client, partnership_lead, draft):
    client.force_login(partnership_lead)
    response = client.post(url("section-edit", draft, "about"), {"title": ""})
    assert has_error_summary(response)
    draft.refresh_from_db()
    assert draft.title == "Improving asthma care"


def test_partners_and_team_are_edited_on_their_own_pages(client, partnership_lead, draft):
    client.force_login(partnership_lead)
    assert client.get(url("section-edit", draft, "partners")).url == url("partner-list", draft)
    assert client.get(url("section-edit", draft, "team")).url == url("team-list", draft)
    assert client.get(url("section-edit", draft, "nonsense")).status_code == 404


# Sections opened to partners ----------------------------------------------------------


def test_a_partner_edits_a_section_only_once_the_lead_opens_it(
    client, partnership_lead, industry_member, ready_proposal
):
    need = url("section-edit", ready_proposal, "need")
    client.force_login(industry_member)
    assert client.get(need).status_code == 403
    assert client.post(need, {"population_need": "Changed by the company"}).status_code == 403
    tasks = client.get(url("proposal", ready_proposal)).content.decode()
    assert need not in tasks
    assert f"{url('proposal-check', ready_proposal)}#section-need" in tasks
    assert 'id="open-sections"' not in tasks
    # A partner cannot open sections for themselves.
    assert (
        client.post(url("open-sections", ready_proposal), {"sections": ["need"]}).status_code == 403
    )

    client.force_login(partnership_lead)
    lead_tasks = client.get(url("proposal", ready_proposal)).content.decode()
    assert 'id="open-sections"' in lead_tasks
    response = client.post(url("open-sections", ready_proposal), {"sections": ["need"]})
    assert response.url == url("proposal", ready_proposal)
    ready_proposal.refresh_from_db()
    assert ready_proposal.open_sections == ["need"]

    client.force_login(industry_member)
    assert client.get(need).status_code == 200
    assert need in client.get(url("proposal", ready_proposal)).content.decode()
    response = client.post(
        need, {"population_need": "Changed by the company", "background": "Same"}
    )
    assert response.status_code == 302
    ready_proposal.refresh_from_db()
    assert ready_proposal.population_need == "Changed by the company"
    # Other sections stay closed.
    assert client.get(url("section-edit", ready_proposal, "about")).status_code == 403


@pytest.mark.parametrize("role", ["panel_member", "auditor"])
def test_read_only_viewers_see_the_task_list_but_cannot_edit(client, request, role, ready_proposal):
    client.force_login(request.getfixturevalue(role))
    page = client.get(url("proposal", ready_proposal)).content.decode()
    assert "You have completed 10 of 10 sections" in page
    assert "/proposal/about/" not in page
    assert "Check your answers and submit" not in page
    assert client.get(url("section-edit", ready_proposal, "about")).status_code == 403
    assert (
        client.post(url("section-edit", ready_proposal, "about"), {"title": "X"}).status_code == 403
    )
    check = client.get(url("proposal-check", ready_proposal)).content.decode()
    assert "Submit proposal" not in check
    assert ">Change<" not in check


# Comments ----------------------------------------------------------------------------


def test_team_members_comment_and_everyone_who_can_see_reads_it(
    client, partnership_lead, industry_member, panel_member, ready_proposal
):
    client.force_login(industry_member)
    response = client.post(
        url("comment-add", ready_proposal, "need"), {"need-body": "Please add the 2024 figures"}
    )
    assert response.url == url("proposal-check", ready_proposal) + "#section-need-comments"
    assert "Please add the 2024 figures" in client.get(response.url).content.decode()

    client.force_login(partnership_lead)
    response = client.post(
        url("comment-add", ready_proposal, "need"), {"need-body": "Added, thank you"}
    )
    assert response.url == url("section-edit", ready_proposal, "need") + "#comments"
    page = client.get(url("section-edit", ready_proposal, "need")).content.decode()
    first, second = page.index("Please add the 2024 figures"), page.index("Added, thank you")
    assert first < second  # oldest first
    assert industry_member.get_full_name() in page
    assert "Add comment" in page

    # The panel reads comments but cannot add them.
    client.force_login(panel_member)
    check = client.get(url("proposal-check", ready_proposal)).content.decode()
    assert "Please add the 2024 figures" in check
    assert "Add comment" not in check
    response = client.post(url("comment-add", ready_proposal, "need"), {"need-body": "Hmm"})
    assert response.status_code == 403
    assert SectionComment.objects.count() == 2


def test_an_empty_comment_is_refused_on_the_page(client, partnership_lead, draft):
    client.force_login(partnership_lead)
    response = client.post(url("comment-add", draft, "aims"), {"aims-body": "  "})
    assert response.status_code == 200
    assert has_error_summary(response)
    assert "Enter your comment" in response.content.decode()
    assert not SectionComment.objects.exists()


# Outsiders -----------------------------------------------------------------------------


PROPOSAL_URLS = [
    ("get", "proposal", ()),
    ("get", "proposal-check", ()),
    ("get", "proposal-submit", ()),
    ("post", "proposal-submit", ()),
    ("post", "open-sections", ()),
    ("get", "section-edit", ("about",)),
    ("post", "section-edit", ("about",)),
    ("get", "section-edit", ("partners",)),
    ("get", "section-edit", ("nonsense",)),
    ("post", "comment-add", ("need",)),
    ("get", "comment-add", ("need",)),
]


@pytest.mark.parametrize(("method", "name", "args"), PROPOSAL_URLS)
@pytest.mark.parametrize("role", ["outsider", "industry_member"])
def test_people_outside_the_project_get_404_everywhere(
    client, request, draft, role, method, name, args
):
    # The industry member's company is not a partner on this draft.
    client.force_login(request.getfixturevalue(role))
    response = getattr(client, method)(url(name, draft, *args), {"title": "X", "need-body": "X"})
    assert response.status_code == 404
    draft.refresh_from_db()
    assert draft.title == "Improving asthma care"
    assert not SectionComment.objects.exists()


def test_signed_out_visitors_are_sent_to_sign_in(client, draft):
    response = client.get(url("proposal", draft))
    assert response.status_code == 302
    assert "/accounts/login/" in response.url


# Check your answers and submit ------------------------------------------------------------


def test_submitting_an_incomplete_proposal_lists_every_missing_piece(
    client, partnership_lead, draft
):
    client.force_login(partnership_lead)
    check = client.get(url("proposal-check", draft)).content.decode()
    assert "Before you can submit the proposal" in check
    assert "Submit proposal" in check

    response = client.post(url("proposal-submit", draft))

    assert response.status_code == 200
    assert has_error_summary(response)
    page = response.content.decode()
    assert "<title>Error:" in page
    problems = sections.submission_problems(Project.objects.get(pk=draft.pk))
    assert len(problems) > 10
    for problem in problems:
        assert escape(problem) in page
    draft.refresh_from_db()
    assert (draft.status, draft.reference) == (Project.Status.DRAFT, None)


def test_submitting_a_ready_proposal(client, partnership_lead, ready_proposal):
    client.force_login(partnership_lead)
    check = client.get(url("proposal-check", ready_proposal)).content.decode()
    assert "Before you can submit" not in check

    response = client.post(url("proposal-submit", ready_proposal))

    ready_proposal.refresh_from_db()
    assert ready_proposal.status == Project.Status.SUBMITTED
    assert re.fullmatch(r"CW-\d{4}-\d{4}", ready_proposal.reference)
    assert response.url == reverse("partnerships:project-detail", args=[ready_proposal.pk])
    page = client.get(url("proposal", ready_proposal)).content.decode()
    assert f"Proposal submitted. Its reference is {ready_proposal.reference}" in page


def test_submitting_twice_says_why_not(client, partnership_lead, ready_proposal):
    client.force_login(partnership_lead)
    client.post(url("proposal-submit", ready_proposal))
    response = client.post(url("proposal-submit", ready_proposal))
    assert response.status_code == 200
    assert "This cannot be done while the project is submitted" in response.content.decode()


def test_a_team_member_from_a_partner_cannot_submit(client, industry_member, ready_proposal):
    client.force_login(industry_member)
    assert (
        "Submit proposal" not in client.get(url("proposal-check", ready_proposal)).content.decode()
    )
    assert client.post(url("proposal-submit", ready_proposal)).status_code == 403
    ready_proposal.refresh_from_db()
    assert ready_proposal.status == Project.Status.DRAFT


def test_a_submitted_proposal_is_read_only(client, partnership_lead, ready_proposal):
    project_services.project_transition(
        project=ready_proposal, action="submit", actor=partnership_lead
    )
    client.force_login(partnership_lead)
    tasks = client.get(url("proposal", ready_proposal)).content.decode()
    for key in SECTION_ANSWERS:
        assert url("section-edit", ready_proposal, key) not in tasks
    assert "Check your answers and submit" not in tasks
    assert 'id="open-sections"' not in tasks
    check = client.get(url("proposal-check", ready_proposal)).content.decode()
    assert ">Change<" not in check
    assert "Submit proposal" not in check
    assert "Before you can submit" not in check

    edit = url("section-edit", ready_proposal, "need")
    assert client.get(edit).status_code == 403
    assert client.post(edit, {"population_need": "Too late"}).status_code == 403
    ready_proposal.refresh_from_db()
    assert ready_proposal.population_need == "High asthma admissions"


def test_the_check_page_shows_every_answer_and_contributions(
    client, partnership_lead, ready_proposal
):
    client.force_login(partnership_lead)
    page = client.get(url("proposal-check", ready_proposal)).content.decode()
    for text in (
        "Respiratory",
        "1 January 2027",
        "30 June 2028",
        "18 months",
        "Review every patient on high-dose inhalers",
        "Insight into pathways",
        "Either party on 3 months&#x27; notice",
        "A project to improve asthma care.",
        "Example Pharma UK Ltd",
        "£50,000.00",
        "£20,000.00",
        "£70,000.00",
        "Confirmed",
        "Deputy lead",
    ):
        assert text in page, text
    assert page.count(">Change<") == 10  # the lead may change every section
    # Each answer sits in its own row, beside its label.
    assert re.search(
        r'<dt class="nhsuk-summary-list__key">Therapy area</dt>\s*'
        r'<dd class="nhsuk-summary-list__value">\s*Respiratory\s*</dd>',
        page,
    )
    assert re.search(
        r">Objectives</dt>\s*<dd[^>]*>\s*<ol[^>]*><li>Review every patient on high-dose "
        r"inhalers</li></ol>\s*</dd>",
        page,
    )


def test_user_text_is_escaped_on_the_check_page(client, partnership_lead, draft):
    project_services.section_save(
        project=draft,
        key="need",
        data={"population_need": "<script>alert('need')</script>", "background": "<b>bold</b>"},
        actor=partnership_lead,
    )
    client.force_login(partnership_lead)
    client.post(url("comment-add", draft, "need"), {"need-body": "<img src=x onerror=alert(1)>"})
    page = client.get(url("proposal-check", draft)).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#x27;need&#x27;)&lt;/script&gt;" in page
    assert "<b>bold</b>" not in page
    assert "<img src=x" not in page


# Queries ---------------------------------------------------------------------------------


def _grow(project, lead_user, size):
    """Add `size` company partners, each with someone on the team and a comment."""
    for _ in range(size):
        company = CompanyFactory()
        person = UserFactory()
        account_services.membership_add(
            user=person, organisation=company, role=Membership.Role.INDUSTRY_MEMBER
        )
        partner_services.partner_add(project=project, organisation=company, actor=lead_user)
        team_services.team_member_add(project=project, user=person, role="member", actor=lead_user)
        SectionComment.objects.create(project=project, section="need", author=person, body="Hi")


@pytest.mark.parametrize("name", ["proposal", "proposal-check"])
def test_query_count_does_not_grow_with_partners_and_team(
    client, partnership_lead, ready_proposal, django_assert_max_num_queries, name
):
    client.force_login(partnership_lead)
    page = url(name, ready_proposal)
    client.get(page)  # warm up: sessions, content types
    _grow(ready_proposal, partnership_lead, 1)
    with CaptureQueriesContext(connection) as small:
        assert client.get(page).status_code == 200
    _grow(ready_proposal, partnership_lead, 8)
    with django_assert_max_num_queries(len(small)):
        response = client.get(page)
    assert response.status_code == 200
