"""The project list, the status page, withdrawal and the home page of each role."""

import datetime
import html
import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import services as account_services
from accounts.models import Membership
from partnerships.models import Project, ProjectEvent
from partnerships.services.partners import partner_add
from partnerships.services.projects import event_record, project_transition
from tests.factories import CompanyFactory, OrganisationFactory, UserFactory, draft_project

S = Project.Status
LIST_URL = reverse("partnerships:project-list")


def detail_url(project):
    return reverse("partnerships:project-detail", args=[project.pk])


def withdraw_url(project):
    return reverse("partnerships:project-withdraw", args=[project.pk])


def strip_tags(markup: str) -> str:
    """Text as a reader sees it: tags removed, entities decoded, white space collapsed."""
    markup = re.sub(r"<(script|style)\b.*?</\1>", " ", markup, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", markup))).strip()


def text(response) -> str:
    return strip_tags(response.content.decode())


def section(response, label_id: str) -> str:
    """The text of one <section aria-labelledby=...> of the page ('' if absent)."""
    body = response.content.decode()
    match = re.search(rf'<section aria-labelledby="{label_id}">(.*?)</section>', body, re.S)
    if not match:
        return ""
    return strip_tags(match.group(1))


def table_rows(response) -> list[str]:
    body = response.content.decode()
    tbody = re.search(r'<tbody class="nhsuk-table__body">(.*?)</tbody>', body, re.S)
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", tbody.group(1), re.S) if tbody else []
    return [strip_tags(r) for r in rows]


def member_of(organisation, role, **kwargs):
    user = UserFactory(**kwargs)
    account_services.membership_add(user=user, organisation=organisation, role=role)
    return user


def make_projects(n, *, lead_user, icb, company=None, prefix="Project"):
    projects = []
    for i in range(n):
        project = draft_project(lead_user=lead_user, lead_organisation=icb, title=f"{prefix} {i}")
        if company is not None:
            partner_add(project=project, organisation=company, actor=lead_user)
        projects.append(project)
    return projects


@pytest.fixture
def other_company_member(db):
    """An industry member of a company that is not on the project."""
    return member_of(CompanyFactory(name="Elsewhere Pharma Ltd"), Membership.Role.INDUSTRY_MEMBER)


@pytest.fixture
def submitted(ready_proposal, partnership_lead):
    return project_transition(project=ready_proposal, action="submit", actor=partnership_lead)


# The project list ---------------------------------------------------------------------------


def test_list_shows_each_project_with_its_facts(client, submitted, partnership_lead):
    client.force_login(partnership_lead)
    response = client.get(LIST_URL)
    assert response.status_code == 200
    [row] = table_rows(response)
    assert submitted.reference in row
    assert "Improving asthma care" in row
    assert "NHS Testshire Integrated Care Board" in row
    assert "Example Pharma UK Ltd" in row
    assert "Submitted" in row
    assert timezone.localdate().strftime("%-d %B %Y") in row
    assert f'href="{detail_url(submitted)}"' in response.content.decode()


def test_list_shows_only_projects_the_user_may_see(
    client, draft, partnership_lead, industry_member, other_company_member, outsider, auditor
):
    other_icb = OrganisationFactory(name="NHS Elsewhere ICB")
    other_lead = member_of(other_icb, Membership.Role.PARTNERSHIP_LEAD)
    draft_project(lead_user=other_lead, lead_organisation=other_icb, title="Someone else's idea")

    client.force_login(partnership_lead)
    page = text(client.get(LIST_URL))
    assert "Improving asthma care" in page
    assert "Someone else's idea" not in page

    client.force_login(auditor)
    page = text(client.get(LIST_URL))
    assert "Improving asthma care" in page and "Someone else's idea" in page

    for user in (industry_member, other_company_member, outsider):
        client.force_login(user)
        page = text(client.get(LIST_URL))
        assert "Improving asthma care" not in page
        assert "There are no projects you can view yet" in page


def test_industry_member_sees_projects_once_their_company_is_a_partner(
    client, draft, partnership_lead, company, industry_member
):
    partner_add(project=draft, organisation=company, actor=partnership_lead)
    client.force_login(industry_member)
    assert "Improving asthma care" in text(client.get(LIST_URL))


def test_anonymous_is_sent_to_sign_in(client, draft):
    response = client.get(LIST_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_list_filters_by_status_partner_icb_and_year(
    client, submitted, partnership_lead, icb, administrator
):
    other_company = CompanyFactory(name="Other Bio Ltd")
    make_projects(1, lead_user=partnership_lead, icb=icb, company=other_company, prefix="Diabetes")
    other_icb = OrganisationFactory(name="NHS Northshire ICB")
    other_lead = member_of(other_icb, Membership.Role.PARTNERSHIP_LEAD)
    draft_project(lead_user=other_lead, lead_organisation=other_icb, title="Heart failure")
    # A draft started years ago counts in the year it was started.
    old = draft_project(lead_user=partnership_lead, lead_organisation=icb, title="Old idea")
    Project.objects.filter(pk=old.pk).update(created_at=timezone.now().replace(year=2021))
    this_year = timezone.localdate().year

    client.force_login(administrator)

    def titles(**params):
        rows = table_rows(client.get(LIST_URL, params))
        return sorted(
            t
            for t in ("Improving asthma care", "Diabetes 0", "Heart failure", "Old idea")
            if any(t in r for r in rows)
        )

    assert titles() == ["Diabetes 0", "Heart failure", "Improving asthma care", "Old idea"]
    assert titles(status="submitted") == ["Improving asthma care"]
    assert titles(status="draft") == ["Diabetes 0", "Heart failure", "Old idea"]
    assert titles(partner=other_company.pk) == ["Diabetes 0"]
    assert titles(icb=other_icb.pk) == ["Heart failure"]
    assert titles(year=2021) == ["Old idea"]
    assert titles(year=this_year) == ["Diabetes 0", "Heart failure", "Improving asthma care"]
    assert titles(status="draft", icb=icb.pk) == ["Diabetes 0", "Old idea"]
    # Nonsense is ignored rather than refused.
    assert len(titles(status="nonsense", partner="x", year="soon")) == 4

    page = client.get(LIST_URL, {"status": "closed"})
    assert "No projects match" in text(page)
    body = client.get(LIST_URL).content.decode()
    # The filters offer the partners, lead organisations and years there are.
    assert f'<option value="{other_company.pk}">Other Bio Ltd</option>' in body
    assert f'<option value="{other_icb.pk}">NHS Northshire ICB</option>' in body
    assert '<option value="2021">2021</option>' in body


def test_filter_choices_offer_only_what_the_user_may_see(
    client, draft, partnership_lead, company, other_company_member
):
    partner_add(project=draft, organisation=company, actor=partnership_lead)
    other_icb = OrganisationFactory(name="NHS Hidden ICB")
    other_lead = member_of(other_icb, Membership.Role.PARTNERSHIP_LEAD)
    hidden = draft_project(lead_user=other_lead, lead_organisation=other_icb, title="Hidden")
    partner_add(project=hidden, organisation=CompanyFactory(name="Secret Co Ltd"), actor=other_lead)
    client.force_login(partnership_lead)
    body = client.get(LIST_URL).content.decode()
    assert "Example Pharma UK Ltd</option>" in body
    assert "Secret Co Ltd" not in body
    assert "NHS Hidden ICB" not in body


def test_list_searches_title_and_reference(client, submitted, partnership_lead, icb):
    make_projects(2, lead_user=partnership_lead, icb=icb, prefix="Diabetes")
    client.force_login(partnership_lead)
    rows = table_rows(client.get(LIST_URL, {"q": "ASTHMA"}))
    assert len(rows) == 1 and "Improving asthma care" in rows[0]
    rows = table_rows(client.get(LIST_URL, {"q": submitted.reference.lower()}))
    assert len(rows) == 1 and "Improving asthma care" in rows[0]
    rows = table_rows(client.get(LIST_URL, {"q": "diabetes"}))
    assert len(rows) == 2
    assert "Improving asthma care" not in " ".join(rows)


def test_list_paginates_25_a_page_and_keeps_the_filters(client, partnership_lead, icb):
    make_projects(30, lead_user=partnership_lead, icb=icb)
    client.force_login(partnership_lead)
    first = client.get(LIST_URL, {"status": "draft"})
    assert len(table_rows(first)) == 25
    assert "30 projects" in text(first)
    assert "Page 2 of 2" in text(first)
    assert 'href="?status=draft&amp;page=2"' in first.content.decode()
    second = client.get(LIST_URL, {"status": "draft", "page": 2})
    assert len(table_rows(second)) == 5
    first_titles = {r.split(" Draft")[0] for r in table_rows(first)}
    assert not first_titles & {r.split(" Draft")[0] for r in table_rows(second)}


@pytest.mark.parametrize("viewer", ["partnership_lead", "auditor", "industry_member"])
def test_list_query_count_does_not_grow_with_the_rows(
    client, request, partnership_lead, icb, company, viewer
):
    user = request.getfixturevalue(viewer)
    client.force_login(user)
    make_projects(3, lead_user=partnership_lead, icb=icb, company=company)
    with CaptureQueriesContext(connection) as few:
        response = client.get(LIST_URL)
    assert len(table_rows(response)) == 3

    more_companies = [CompanyFactory() for _ in range(3)]
    for i, project in enumerate(
        make_projects(27, lead_user=partnership_lead, icb=icb, company=company)
    ):
        partner_add(project=project, organisation=more_companies[i % 3], actor=partnership_lead)
    with CaptureQueriesContext(connection) as many:
        response = client.get(LIST_URL)
    assert len(table_rows(response)) == 25
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    assert len(few) <= 17
    # Asked again with nothing changed, the page comes from the cache: no query reads
    # projects, only the data's version and what every page reads (the session, the user).
    with CaptureQueriesContext(connection) as cached:
        response = client.get(LIST_URL)
    assert len(table_rows(response)) == 25
    assert not [q["sql"] for q in cached.captured_queries if "partnerships_" in q["sql"]]
    assert len(cached) < len(many)


def test_start_button_only_for_partnership_leads(client, partnership_lead, industry_member):
    client.force_login(partnership_lead)
    create_url = reverse("partnerships:project-create")
    assert f'href="{create_url}"' in client.get(LIST_URL).content.decode()
    client.force_login(industry_member)
    assert f'href="{create_url}"' not in client.get(LIST_URL).content.decode()


# The status page ----------------------------------------------------------------------------


def test_status_page_shows_the_gates_next_step_and_key_facts(
    client, ready_proposal, partnership_lead, deputy
):
    client.force_login(partnership_lead)
    response = client.get(detail_url(ready_proposal))
    assert response.status_code == 200
    page = text(response)
    assert 'data-testid="project-status">Draft<' in response.content.decode()
    for gate in (
        "Shared purpose",
        "Outcome measures",
        "Conflicts of interest",
        "Transparency disclosure",
    ):
        assert f"{gate} Not yet open" in page
    assert "What happens next Complete every section of the proposal, then submit it." in page
    assert "Who must act: The project lead" in page
    assert "Reference Given when the proposal is submitted" in page
    assert "Lead organisation NHS Testshire Integrated Care Board" in page
    assert "Partners Example Pharma UK Ltd" in page
    assert "Project lead Priya Shah" in page
    assert "Deputy lead Tom Hughes" in page
    assert "Start and end dates 1 January 2027 to 30 June 2028" in page
    assert "Submitted Not yet submitted" in page


def test_status_page_shows_gate_states_once_governance_provides_them(
    client, monkeypatch, ready_proposal, partnership_lead
):
    from partnerships.views import projects as project_views

    monkeypatch.setattr(project_views, "_gate_rows_provider", None)
    project_views.register_gate_rows(
        lambda project: [
            {"name": "Shared purpose", "state": "Approved", "colour": "green"},
            {"name": "Outcome measures", "state": "In review", "colour": "blue"},
        ]
    )
    client.force_login(partnership_lead)
    response = client.get(detail_url(ready_proposal))
    page = text(response)
    assert "Shared purpose Approved" in page
    assert "Outcome measures In review" in page
    assert "Not yet open" not in page
    assert "nhsuk-tag--green" in response.content.decode()


def test_status_page_timeline_says_who_did_what_when(
    client, submitted, partnership_lead, panel_member
):
    project_transition(
        project=submitted, action="request_changes", actor=panel_member, reason="Add a baseline"
    )
    client.force_login(partnership_lead)
    response = client.get(detail_url(submitted))
    page = text(response)
    assert f"Reference {submitted.reference}" in page
    event = ProjectEvent.objects.get(project=submitted, action="submit")
    when = timezone.localtime(event.created_at).strftime("%-d %B %Y %H:%M")
    assert f"Submitted : Draft → Submitted Priya Shah, {when}" in page
    assert f"Changes requested : Submitted → Changes requested {panel_member}," in page
    assert "Reason: Add a baseline" in page
    assert "Proposal started : Draft Priya Shah" in page
    # Newest first.
    assert page.index("Changes requested :") < page.index("Submitted :")
    assert page.index("Submitted :") < page.index("Proposal started")
    assert "Answer the panel's comments, change the proposal and resubmit it." in page


def test_status_page_query_count_does_not_grow_with_the_timeline(
    client, ready_proposal, partnership_lead
):
    client.force_login(partnership_lead)
    with CaptureQueriesContext(connection) as few:
        client.get(detail_url(ready_proposal))
    for i in range(20):
        with transaction.atomic():
            event_record(
                project=ready_proposal,
                actor=partnership_lead,
                action="edit",
                description=f"Edit {i}",
            )
    with CaptureQueriesContext(connection) as many:
        response = client.get(detail_url(ready_proposal))
    assert "Edit 19" in text(response)
    assert len(many) == len(few)


@pytest.mark.parametrize(
    ("who", "sees_link"),
    [
        ("partnership_lead", True),
        ("deputy", True),
        ("administrator", True),
        ("industry_member", False),
        ("panel_member", False),
        ("auditor", False),
    ],
)
def test_withdraw_link_only_for_the_lead_and_deputy(
    client, request, ready_proposal, who, sees_link
):
    client.force_login(request.getfixturevalue(who))
    body = client.get(detail_url(ready_proposal)).content.decode()
    assert (f'href="{withdraw_url(ready_proposal)}"' in body) == sees_link


@pytest.mark.parametrize(
    ("status", "sees_link"),
    [
        (S.DRAFT, True),
        (S.SUBMITTED, True),
        (S.CHANGES_REQUESTED, True),
        (S.APPROVED, False),
        (S.ACTIVE, False),
        (S.WITHDRAWN, False),
        (S.REJECTED, False),
    ],
)
def test_withdraw_link_only_before_approval(
    client, ready_proposal, partnership_lead, status, sees_link
):
    Project.objects.filter(pk=ready_proposal.pk).update(status=status)
    client.force_login(partnership_lead)
    body = client.get(detail_url(ready_proposal)).content.decode()
    assert (f'href="{withdraw_url(ready_proposal)}"' in body) == sees_link


def test_status_page_is_404_to_outsiders_and_sign_in_for_anonymous(
    client, ready_proposal, outsider, other_company_member
):
    for user in (outsider, other_company_member):
        client.force_login(user)
        assert client.get(detail_url(ready_proposal)).status_code == 404
    client.logout()
    response = client.get(detail_url(ready_proposal))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    client.force_login(outsider)
    assert client.get(reverse("partnerships:project-detail", args=[999999])).status_code == 404


# Withdrawing -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["partnership_lead", "deputy"])
def test_lead_or_deputy_withdraws_with_a_reason(client, request, submitted, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    form = client.get(withdraw_url(submitted))
    assert form.status_code == 200
    assert '<textarea name="reason"' in form.content.decode()
    response = client.post(withdraw_url(submitted), {"reason": "The company changed priorities"})
    assert response.status_code == 302
    assert response["Location"] == detail_url(submitted)
    submitted.refresh_from_db()
    assert submitted.status == S.WITHDRAWN
    event = submitted.events.first()
    assert (event.action, event.actor, event.reason) == (
        "withdraw",
        user,
        "The company changed priorities",
    )
    page = text(client.get(response["Location"]))
    assert "The proposal has been withdrawn" in page
    assert "Withdrawn : Submitted → Withdrawn" in page
    assert "Reason: The company changed priorities" in page
    assert "Nothing: the proposal was withdrawn." in page


@pytest.mark.parametrize("reason", ["", "   "])
def test_withdraw_without_a_reason_changes_nothing(client, draft, partnership_lead, reason):
    client.force_login(partnership_lead)
    events = draft.events.count()
    response = client.post(withdraw_url(draft), {"reason": reason})
    assert response.status_code == 200
    body = response.content.decode()
    assert "<title>Error: Withdraw the proposal" in body
    assert "There is a problem" in body
    assert '<a href="#id_reason">Enter why you are withdrawing the proposal</a>' in body
    draft.refresh_from_db()
    assert draft.status == S.DRAFT
    assert draft.events.count() == events


@pytest.mark.parametrize("who", ["industry_member", "panel_member", "auditor"])
def test_other_viewers_cannot_withdraw(client, request, ready_proposal, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(withdraw_url(ready_proposal)).status_code == 403
    assert client.post(withdraw_url(ready_proposal), {"reason": "Mine now"}).status_code == 403
    assert Project.objects.get(pk=ready_proposal.pk).status == S.DRAFT


@pytest.mark.parametrize("who", ["outsider", "other_company_member"])
def test_outsiders_get_404_on_withdraw(client, request, ready_proposal, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(withdraw_url(ready_proposal)).status_code == 404
    assert client.post(withdraw_url(ready_proposal), {"reason": "Gone"}).status_code == 404
    assert Project.objects.get(pk=ready_proposal.pk).status == S.DRAFT


def test_anonymous_withdraw_goes_to_sign_in(client, ready_proposal):
    response = client.post(withdraw_url(ready_proposal), {"reason": "Gone"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert Project.objects.get(pk=ready_proposal.pk).status == S.DRAFT


def test_approved_project_cannot_be_withdrawn(client, ready_proposal, partnership_lead):
    Project.objects.filter(pk=ready_proposal.pk).update(status=S.APPROVED)
    client.force_login(partnership_lead)
    response = client.post(withdraw_url(ready_proposal), {"reason": "Too late"}, follow=True)
    assert response.redirect_chain[-1][0] == detail_url(ready_proposal)
    assert "This project cannot be withdrawn while it is approved" in text(response)
    assert Project.objects.get(pk=ready_proposal.pk).status == S.APPROVED
    assert not ready_proposal.events.filter(action="withdraw").exists()


def test_withdraw_refused_after_someone_else_withdrew(client, draft, partnership_lead):
    """The page was opened before another person withdrew it: a message, not a 500."""
    client.force_login(partnership_lead)
    assert client.get(withdraw_url(draft)).status_code == 200
    project_transition(project=draft, action="withdraw", actor=partnership_lead, reason="First")
    response = client.post(withdraw_url(draft), {"reason": "Second"}, follow=True)
    assert "cannot be withdrawn while it is withdrawn" in text(response)
    assert draft.events.filter(action="withdraw").count() == 1


# Home pages --------------------------------------------------------------------------------


def test_lead_home_shows_drafts_needing_action_and_active(
    client, partnership_lead, deputy, icb, company
):
    waiting, started, draft = make_projects(3, lead_user=partnership_lead, icb=icb)
    Project.objects.filter(pk=waiting.pk).update(status=S.CHANGES_REQUESTED, title="Waiting")
    Project.objects.filter(pk=started.pk).update(status=S.ACTIVE, title="Running")
    Project.objects.filter(pk=draft.pk).update(title="Just an idea")
    client.force_login(partnership_lead)
    response = client.get("/")
    assert "Welcome, Priya" in text(response)
    action = section(response, "home-needing-action")
    drafts = section(response, "home-drafts")
    active = section(response, "home-active")
    assert "Waiting" in action and "Changes requested" in action
    assert "Just an idea" in drafts and "Waiting" not in drafts and "Running" not in drafts
    assert "Running" in active and "Active" in active and "Just an idea" not in active
    body = response.content.decode()
    assert f'href="{reverse("partnerships:project-create")}"' in body
    assert "Start a new proposal" in body
    # The page keeps what it had.
    assert "Your roles" in text(response) and "What you can do" in text(response)


def test_lead_home_with_nothing_says_so(client, partnership_lead):
    client.force_login(partnership_lead)
    response = client.get("/")
    assert "You have no draft proposals." in section(response, "home-drafts")
    assert "Nothing is waiting for you" in section(response, "home-needing-action")


def test_lead_home_links_to_all_when_there_are_many(client, partnership_lead, icb):
    make_projects(12, lead_user=partnership_lead, icb=icb)
    client.force_login(partnership_lead)
    response = client.get("/")
    drafts = section(response, "home-drafts")
    assert drafts.count("Draft") >= 10
    assert "See all 12" in drafts
    assert f'href="{LIST_URL}?status=draft"' in response.content.decode()


def _set_updated(projects, base):
    """Give each project its own last-updated time, the first the oldest."""
    for i, project in enumerate(projects):
        Project.objects.filter(pk=project.pk).update(
            updated_at=base + datetime.timedelta(minutes=i)
        )


@pytest.mark.parametrize(("cap", "walk_from"), [(100, 1000), (5, 1000), (5, 5), (100, 5)])
def test_newest_projects_are_the_same_whichever_way_they_are_read(
    partnership_lead, icb, company, other_company_member, cap, walk_from
):
    """Up to walk_from matches the list is read through the permission tables and sorted;
    past it, newest first project by project: the same projects in the same order either
    way, none the user may not see, and the count stopping past the cap."""
    from django.db.models import Q

    from partnerships.selectors.projects import newest_projects_for

    ours = make_projects(12, lead_user=partnership_lead, icb=icb, company=company)
    other_icb = OrganisationFactory()
    elsewhere = draft_project(
        lead_user=member_of(other_icb, Membership.Role.PARTNERSHIP_LEAD),
        lead_organisation=other_icb,
        title="Someone else's",
    )
    _set_updated([*ours[:6], elsewhere, *ours[6:]], timezone.now() - datetime.timedelta(days=1))
    Project.objects.filter(pk=ours[3].pk).update(updated_at=timezone.now())
    expected = [ours[3], *reversed(ours[6:]), ours[5], ours[4], ours[2]]
    projects, count = newest_projects_for(
        user=partnership_lead, where=Q(), limit=10, cap=cap, walk_from=walk_from
    )
    assert projects == expected
    assert count == (12 if cap == 100 else cap + 1)
    assert elsewhere not in projects
    drafts, _ = newest_projects_for(
        user=partnership_lead,
        where=Q(status=Project.Status.DRAFT, title__endswith="1"),
        limit=10,
        cap=cap,
        walk_from=walk_from,
    )
    assert [p.title for p in drafts] == ["Project 11", "Project 1"]
    nothing, none = newest_projects_for(
        user=other_company_member, where=Q(), limit=10, cap=cap, walk_from=walk_from
    )
    assert (nothing, none) == ([], 0)


def test_home_lists_the_newest_ten_and_says_there_are_more_than_the_cap(
    client, partnership_lead, industry_member, icb, company, monkeypatch
):
    monkeypatch.setattr("portal.views.HOME_COUNT_CAP", 5)
    projects = make_projects(12, lead_user=partnership_lead, icb=icb, company=company)
    _set_updated(projects, timezone.now() - datetime.timedelta(days=1))
    client.force_login(industry_member)
    listed = section(client.get("/"), "home-organisation-projects")
    titles = re.findall(r"Project \d+", listed)
    assert titles == [f"Project {i}" for i in range(11, 1, -1)]  # the newest ten, newest first
    assert "See all (more than 5)" in listed
    assert "See all 12" not in listed


def test_industry_home_shows_their_organisations_projects_at_a_glance(
    client, submitted, industry_member, partnership_lead, company
):
    client.force_login(industry_member)
    response = client.get("/")
    projects = section(response, "home-organisation-projects")
    assert "Improving asthma care" in projects
    assert submitted.reference in projects
    assert "Submitted" in projects
    assert "nhsuk-tag--blue" in response.content.decode()
    assert f'href="{reverse("partnerships:project-create")}"' not in response.content.decode()
    assert section(response, "home-drafts") == ""


def test_industry_home_of_a_company_on_no_project(client, submitted, other_company_member):
    client.force_login(other_company_member)
    projects = section(client.get("/"), "home-organisation-projects")
    assert "Improving asthma care" not in projects
    assert "Your organisation is not a partner on any project yet" in projects


@pytest.mark.parametrize("who", ["panel_member", "panel_chair"])
def test_panel_home_counts_submitted_proposals_of_their_icb(
    client, request, submitted, partnership_lead, icb, who
):
    make_projects(2, lead_user=partnership_lead, icb=icb)  # drafts: not for the panel yet
    client.force_login(request.getfixturevalue(who))
    response = client.get("/")
    panel = section(response, "home-panel")
    assert "1 submitted proposal led by NHS Testshire Integrated Care Board" in panel
    assert f'href="{LIST_URL}?status=submitted&amp;icb={icb.pk}"' in response.content.decode()
    listed = table_rows(client.get(LIST_URL, {"status": "submitted", "icb": icb.pk}))
    assert len(listed) == 1 and submitted.reference in listed[0]


@pytest.mark.parametrize("who", ["auditor", "administrator"])
def test_oversight_home_counts_projects_by_status(
    client, request, submitted, partnership_lead, icb, who
):
    make_projects(2, lead_user=partnership_lead, icb=icb)
    client.force_login(request.getfixturevalue(who))
    response = client.get("/")
    counts = section(response, "home-by-status")
    assert "Draft 2" in counts
    assert "Submitted 1" in counts
    assert "Approved 0" in counts
    assert f'href="{LIST_URL}?status=draft"' in response.content.decode()


def test_outsider_home_has_no_project_lists(client, submitted, outsider):
    client.force_login(outsider)
    response = client.get("/")
    page = text(response)
    assert "You do not have a role in any organisation yet" in page
    for label in ("home-drafts", "home-organisation-projects", "home-panel", "home-by-status"):
        assert section(response, label) == ""
    assert "Improving asthma care" not in page


def test_anonymous_home_is_the_landing_page(client, submitted):
    page = text(client.get("/"))
    assert "Partnership portal" in page
    assert "Find who to contact in each ICB" in page
    assert "Improving asthma care" not in page


@pytest.mark.parametrize(
    "who", ["partnership_lead", "industry_member", "panel_member", "auditor", "administrator"]
)
def test_home_query_count_does_not_grow_with_the_projects(
    client, request, partnership_lead, icb, company, who
):
    client.force_login(request.getfixturevalue(who))
    statuses = [S.DRAFT, S.ACTIVE, S.CHANGES_REQUESTED, S.SUBMITTED]

    def add(n):
        for i, project in enumerate(
            make_projects(n, lead_user=partnership_lead, icb=icb, company=company)
        ):
            Project.objects.filter(pk=project.pk).update(status=statuses[i % len(statuses)])

    add(4)
    with CaptureQueriesContext(connection) as few:
        client.get("/")
    add(36)
    with CaptureQueriesContext(connection) as many:
        client.get("/")
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_filter_choices_kept_in_the_cache_follow_a_new_partner(
    client, draft, partnership_lead, company
):
    client.force_login(partnership_lead)
    assert "Example Pharma UK Ltd</option>" not in client.get(LIST_URL).content.decode()
    assert "Example Pharma UK Ltd</option>" not in client.get(LIST_URL).content.decode()
    partner_add(project=draft, organisation=company, actor=partnership_lead)
    assert "Example Pharma UK Ltd</option>" in client.get(LIST_URL).content.decode()
