"""The pages of panels and gates: the review queue, a gate and its sign-off, the review
route and a panel's settings, for each role."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from governance.gates import GATES_BY_KIND
from governance.models import Gate, Panel, Review, RouteChange, SignOff
from governance.selectors import gates as selectors
from governance.services.declarations import declaration_record
from partnerships.models import Project
from partnerships.services.projects import project_transition
from tests.factories import complete_proposal, draft_project

pytestmark = pytest.mark.django_db

K = Gate.Kind
GS = Gate.Status


def nil(person, project):
    return declaration_record(
        person=person,
        project=project,
        role="team_member",
        nil_return=True,
        interests=[],
        actor=person,
    )


def submit(project, lead):
    return project_transition(project=project, action="submit", actor=lead)


@pytest.fixture
def everyone(partnership_lead, deputy, industry_member, panel_member, panel_chair):
    return [partnership_lead, deputy, industry_member, panel_member, panel_chair]


@pytest.fixture
def submitted(ready_proposal, everyone, partnership_lead):
    """Submitted, with everyone on the team and the panel declared (nil returns)."""
    for person in everyone:
        nil(person, ready_proposal)
    return submit(ready_proposal, partnership_lead)


def gate_url(project, kind=K.SHARED_PURPOSE):
    return reverse("governance:gate-detail", args=[project.pk, kind])


def route_url(project):
    return reverse("governance:review-route", args=[project.pk])


def panel_url(project):
    return reverse("governance:panel-detail", args=[Review.objects.get(project=project).panel_id])


def sign_off_data(kind=K.SHARED_PURPOSE, decision="approve", comment="", low_risk=False, **over):
    data = {"decision": decision, "comment": comment}
    for c in GATES_BY_KIND[kind].criteria_for(low_risk=low_risk):
        data[f"c_{c.key}"] = "yes"
        data[f"c_{c.key}_comment"] = ""
    data.update(over)
    return data


def text(response):
    return response.content.decode()


# Who may see what ------------------------------------------------------------------------


def test_signed_out_visitors_are_sent_to_sign_in(client, submitted):
    for url in (
        reverse("governance:review-queue"),
        gate_url(submitted),
        route_url(submitted),
        panel_url(submitted),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("outsider", 403),
        ("partnership_lead", 403),
        ("industry_member", 403),
        ("auditor", 403),
        ("panel_member", 200),
        ("panel_chair", 200),
    ],
)
def test_review_queue_is_for_panel_members_and_chairs(client, submitted, cast, role, status):
    client.force_login(cast[role])
    assert client.get(reverse("governance:review-queue")).status_code == status


def test_outsiders_get_404_on_every_project_page(client, submitted, outsider):
    client.force_login(outsider)
    for url in (gate_url(submitted), route_url(submitted), panel_url(submitted)):
        assert client.get(url).status_code == 404
        assert client.post(url, {}).status_code == 404
    assert not SignOff.objects.exists()


def test_unknown_or_unopened_gate_is_404(client, submitted, partnership_lead, icb, panel_member):
    client.force_login(panel_member)
    assert client.get(gate_url(submitted, "no_such_gate")).status_code == 404
    assert client.post(gate_url(submitted, "no_such_gate"), {}).status_code == 404
    other = draft_project(lead_user=partnership_lead, lead_organisation=icb, title="Another")
    client.force_login(partnership_lead)
    assert client.get(gate_url(other)).status_code == 404  # a draft has no gates yet


@pytest.mark.parametrize("role", ["partnership_lead", "industry_member", "auditor"])
def test_team_and_auditors_see_the_gate_without_a_form_and_cannot_post(
    client, submitted, cast, role
):
    client.force_login(cast[role])
    response = client.get(gate_url(submitted))
    assert response.status_code == 200
    assert "Shared purpose gate" in text(response)
    assert 'data-testid="sign-off-form"' not in text(response)

    response = client.post(gate_url(submitted), sign_off_data())
    assert response.status_code == 403
    assert not SignOff.objects.exists()


@pytest.mark.parametrize("role", ["partnership_lead", "panel_member", "auditor"])
def test_only_the_chair_changes_the_route(client, submitted, cast, role):
    client.force_login(cast[role])
    assert client.get(route_url(submitted)).status_code == 403
    response = client.post(route_url(submitted), {"route": "low_risk", "reason": "Small"})
    assert response.status_code == 403
    assert not Review.objects.get(project=submitted).low_risk
    assert not RouteChange.objects.exists()


@pytest.mark.parametrize("role", ["partnership_lead", "industry_member", "auditor"])
def test_panel_page_is_404_for_anyone_not_on_it(client, submitted, cast, role):
    client.force_login(cast[role])
    assert client.get(panel_url(submitted)).status_code == 404


# The review queue ------------------------------------------------------------------------


def test_queue_lists_open_gates_with_project_partners_and_own_decision(
    client, submitted, panel_member
):
    client.force_login(panel_member)
    response = client.get(reverse("governance:review-queue"))
    page = text(response)
    assert page.count('data-testid="queue-item"') == 4
    assert submitted.reference in page and submitted.title in page
    assert "Example Pharma UK Ltd" in page  # the partner
    assert "0 working days" in page
    assert "Not yet decided" in page
    for gate in Gate.objects.filter(project=submitted):
        assert gate.get_absolute_url() in page

    client.post(gate_url(submitted), sign_off_data())

    page = text(client.get(reverse("governance:review-queue")))
    assert page.count("Not yet decided") == 3
    assert '<strong class="nhsuk-tag nhsuk-tag--green">Approve</strong>' in page


def test_queue_query_count_does_not_grow_with_the_gates(
    client, submitted, panel_member, partnership_lead, deputy, company, icb
):
    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("governance:review-queue"))
        assert response.status_code == 200
        return len(queries), text(response).count('data-testid="queue-item"')

    client.force_login(panel_member)
    few, rows = count()
    assert rows == 4
    for n in range(3):
        project = draft_project(
            lead_user=partnership_lead, lead_organisation=icb, title=f"Heart failure {n}"
        )
        complete_proposal(
            project=project, lead_user=partnership_lead, deputy_user=deputy, company=company
        )
        submit(project, partnership_lead)
    many, rows = count()
    assert rows == 16
    assert many == few


def test_queue_shows_fifty_gates_a_page_oldest_first_with_the_count(
    client, submitted, panel_member, monkeypatch
):
    assert selectors.REVIEW_QUEUE_PAGE_SIZE == 50
    monkeypatch.setattr(selectors, "REVIEW_QUEUE_PAGE_SIZE", 3)  # four gates wait
    oldest_first = [
        item.gate.get_absolute_url() for item in selectors.review_queue_for(user=panel_member)
    ]
    client.force_login(panel_member)

    def gates_on(response):
        body = response.content.decode()
        return [url for url in oldest_first if f'href="{url}"' in body]

    first = client.get(reverse("governance:review-queue"))
    assert gates_on(first) == oldest_first[:3]
    assert "4 gates awaiting review: 1 to 3 on this page." in text(first)
    assert 'href="?page=2"' in first.content.decode()
    assert "Page 2 of 2" in text(first)
    second = client.get(reverse("governance:review-queue") + "?page=2")
    assert gates_on(second) == oldest_first[3:]
    assert "4 gates awaiting review: 4 to 4 on this page." in text(second)
    assert 'href="?page=1"' in second.content.decode()
    # A page past the end shows the last.
    assert gates_on(client.get(reverse("governance:review-queue") + "?page=9")) == oldest_first[3:]


def test_home_page_shows_the_first_gates_and_the_nav_link(client, submitted, panel_member):
    client.force_login(panel_member)
    page = text(client.get(reverse("home")))
    assert page.count('data-testid="queue-item"') == 4
    assert "See all 4 gates in your review queue" in page
    assert f'href="{reverse("governance:review-queue")}"' in page
    assert ">Reviews</a>" in page


def test_nav_has_no_reviews_link_for_the_team(client, submitted, partnership_lead):
    client.force_login(partnership_lead)
    assert ">Reviews</a>" not in text(client.get(reverse("home")))


def test_status_page_links_each_open_gate(client, submitted, partnership_lead):
    client.force_login(partnership_lead)
    page = text(client.get(reverse("partnerships:project-detail", args=[submitted.pk])))
    for kind in K.values:
        assert f'href="{gate_url(submitted, kind)}"' in page


# The gate page -----------------------------------------------------------------------------


def test_gate_page_shows_what_the_gate_covers_and_nothing_else(client, submitted, auditor):
    client.force_login(auditor)
    page = text(client.get(gate_url(submitted, K.OUTCOME_MEASURES)))
    assert GATES_BY_KIND[K.OUTCOME_MEASURES].approves_that in page
    assert "Standard: a quorum of 2 approvals" in page
    assert page.count('data-testid="gate-section"') == 2
    assert "Aims, objectives and benefits" in page
    assert "Outcome measures and evaluation" in page
    assert "Before and after" in page  # the evaluation plan, read-only
    assert "Delivery plan and milestones" not in page
    assert "Every objective has at least one measure" in page
    assert "No one has decided yet in this round." in page


def test_conflicts_gate_shows_who_has_declared_and_what_blocks_it(
    client, ready_proposal, partnership_lead, deputy, industry_member, panel_member, panel_chair
):
    for person in (partnership_lead, deputy, panel_member, panel_chair):
        nil(person, ready_proposal)
    project = submit(ready_proposal, partnership_lead)
    client.force_login(partnership_lead)
    page = text(client.get(gate_url(project, K.CONFLICTS)))
    assert 'data-testid="declaration-status"' in page
    assert page.count("Nil return") == 4
    assert "Not declared" in page
    assert f"{industry_member} (team member) has not declared" in page
    assert page.count('data-testid="gate-section"') == 1  # the team


def test_panel_member_signs_off_a_gate_through_the_page(
    client, submitted, panel_member, panel_chair
):
    client.force_login(panel_member)
    page = text(client.get(gate_url(submitted)))
    assert 'data-testid="sign-off-form"' in page
    for criterion in GATES_BY_KIND[K.SHARED_PURPOSE].criteria:
        assert criterion.text in page

    response = client.post(gate_url(submitted), sign_off_data(comment="Clear need"), follow=True)

    assert response.redirect_chain[-1][0] == gate_url(submitted)
    page = text(response)
    assert (
        "Your decision on the shared purpose gate has been recorded: approve. "
        "The gate is in review." in page
    )
    assert "Clear need" in page
    sign_off = SignOff.objects.get()
    assert (sign_off.reviewer, sign_off.decision) == (panel_member, "approve")
    assert sign_off.criteria["population_need"] == {"met": True, "comment": ""}
    assert Gate.objects.get(project=submitted, kind=K.SHARED_PURPOSE).status == GS.IN_REVIEW

    client.force_login(panel_chair)
    response = client.post(gate_url(submitted), sign_off_data(), follow=True)
    assert "The gate is now approved." in text(response)
    assert Gate.objects.get(project=submitted, kind=K.SHARED_PURPOSE).status == GS.APPROVED
    assert '<strong class="nhsuk-tag nhsuk-tag--green" data-testid="gate-state">Approved' in (
        text(response)
    )
    assert 'data-testid="sign-off-form"' not in text(response)  # closed now
    assert "This gate has been decided: approved." in text(response)


def test_changes_requested_then_resubmitted_shows_the_earlier_round(
    client, submitted, panel_member, partnership_lead
):
    client.force_login(panel_member)
    url = gate_url(submitted, K.OUTCOME_MEASURES)
    data = sign_off_data(K.OUTCOME_MEASURES, decision="request_changes", comment="Add a baseline")
    response = client.post(url, data, follow=True)
    assert "The gate now asks for changes, and the proposal goes back to the team." in (
        text(response)
    )
    assert "This gate has been decided: changes requested." in text(response)

    project = submit(Project.objects.get(pk=submitted.pk), partnership_lead)
    client.force_login(partnership_lead)
    page = text(client.get(url))
    assert "No one has decided yet in this round." in page
    assert "Round 1 (1 decision)" in page
    assert "Add a baseline" in page  # the team sees the panel's comment
    assert Gate.objects.get(project=project, kind=K.OUTCOME_MEASURES).round == 2


def test_requesting_changes_needs_a_comment_and_keeps_what_was_typed(
    client, submitted, panel_member
):
    client.force_login(panel_member)
    data = sign_off_data(decision="request_changes", c_population_need_comment="Name it")
    response = client.post(gate_url(submitted), data)
    page = text(response)
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Say what needs to change: the team will see it" in page
    assert 'href="#id_comment"' in page  # the summary links to the box
    assert "Name it</textarea>" in page
    assert not SignOff.objects.exists()


def test_a_no_without_a_comment_is_an_error_and_the_comment_typed_stays(
    client, submitted, panel_member
):
    client.force_login(panel_member)
    data = sign_off_data(
        decision="request_changes",
        comment="Please name the population and its size",
        c_population_need="no",
    )
    response = client.post(gate_url(submitted), data)
    page = text(response)
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Say why not: The purpose answers a named population need" in page
    assert "Please name the population and its size</textarea>" in page
    assert re.search(r'<input type="radio"[^>]*id="id_c_population_need_1"[^>]*checked', page)
    assert not SignOff.objects.exists()
    assert Gate.objects.get(project=submitted, kind=K.SHARED_PURPOSE).status == GS.PENDING


def test_an_unanswered_criterion_is_named_in_the_error_summary(client, submitted, panel_member):
    client.force_login(panel_member)
    data = sign_off_data()
    del data["c_exit_and_data"]
    page = text(client.post(gate_url(submitted), data))
    assert (
        'href="#id_c_exit_and_data_0">Select yes or no: The exit strategy and the data '
        "protection arrangements are sound" in page
    )
    assert not SignOff.objects.exists()


def test_panel_member_who_has_not_declared_sees_why_and_is_refused(
    client, ready_proposal, partnership_lead, panel_member, panel_chair
):
    project = submit(ready_proposal, partnership_lead)
    declare_url = reverse("governance:declaration-project-new", args=[project.pk])
    client.force_login(panel_member)

    page = text(client.get(gate_url(project)))
    assert 'data-testid="not-eligible"' in page
    assert "You cannot sign off this gate because:" in page
    assert "you have not declared your interests in this project" in page
    assert f'href="{declare_url}"' in page
    assert 'data-testid="sign-off-form"' not in page

    response = client.post(gate_url(project), sign_off_data())
    page = text(response)
    assert response.status_code == 403
    assert 'data-testid="sign-off-refused"' in page
    assert "you have not declared your interests in this project" in page
    assert f'href="{declare_url}"' in page
    assert not SignOff.objects.exists()


def test_a_refusal_after_the_form_was_shown_lists_each_reason(
    client, submitted, panel_member, company
):
    """The form was shown, then the reviewer's position changed: the service refuses, and
    the page says why."""
    from accounts import services as account_services
    from accounts.models import Membership

    client.force_login(panel_member)
    assert 'data-testid="sign-off-form"' in text(client.get(gate_url(submitted)))
    account_services.membership_add(
        user=panel_member, organisation=company, role=Membership.Role.INDUSTRY_MEMBER
    )

    response = client.post(gate_url(submitted), sign_off_data())

    assert response.status_code == 403
    assert "you are a member of a partner organisation (Example Pharma UK Ltd)" in text(response)
    assert not SignOff.objects.exists()


# The route ---------------------------------------------------------------------------------


def test_chair_marks_the_project_low_risk(client, submitted, panel_chair, panel_member):
    client.force_login(panel_chair)
    assert f'href="{route_url(submitted)}"' in text(client.get(gate_url(submitted)))
    page = text(client.get(route_url(submitted)))
    assert "The review is on the <strong>standard</strong> route" in page

    response = client.post(
        route_url(submitted),
        {"route": "low_risk", "reason": "A small audit with no patient data"},
        follow=True,
    )

    assert "The review is now on the low-risk route, with a quorum of 1" in text(response)
    review = Review.objects.get(project=submitted)
    assert review.low_risk and review.quorum == 1
    change = RouteChange.objects.get()
    assert (change.changed_by, change.reason) == (panel_chair, "A small audit with no patient data")
    assert "A small audit with no patient data" in text(client.get(route_url(submitted)))

    # The panel member now signs off against the shorter list of criteria.
    client.force_login(panel_member)
    page = text(client.get(gate_url(submitted)))
    assert "Low-risk: a quorum of 1 approval " in page
    assert 'id="id_c_exit_and_data_0"' in page
    assert 'id="id_c_prospective_0"' not in page  # not on the low-risk list
    response = client.post(gate_url(submitted), sign_off_data(low_risk=True), follow=True)
    assert "The gate is now approved." in text(response)


def test_route_change_needs_a_reason(client, submitted, panel_chair):
    client.force_login(panel_chair)
    response = client.post(route_url(submitted), {"route": "low_risk", "reason": "  "})
    page = text(response)
    assert response.status_code == 200
    assert "There is a problem" in page
    assert 'href="#id_reason">Give the reason for the change of route' in page
    assert not Review.objects.get(project=submitted).low_risk


def test_member_cannot_see_the_route_link(client, submitted, panel_member):
    client.force_login(panel_member)
    assert route_url(submitted) not in text(client.get(gate_url(submitted)))


# The panel -----------------------------------------------------------------------------------


def test_panel_member_sees_the_panel_without_the_settings_form(
    client, submitted, panel_member, panel_chair
):
    client.force_login(panel_member)
    response = client.get(panel_url(submitted))
    page = text(response)
    assert response.status_code == 200
    # Names as the page writes them (escaped: a name such as O'Neill has an apostrophe).
    assert escape(str(panel_chair)) in page and escape(str(panel_member)) in page
    assert "2 approvals from eligible reviewers" in page
    assert "Save settings" not in page
    response = client.post(
        panel_url(submitted), {"quorum": "1", "remind_after_days": "5", "escalate_after_days": "10"}
    )
    assert response.status_code == 403
    assert Panel.objects.get().quorum == 2


def test_chair_changes_the_quorum_and_thresholds(client, submitted, panel_chair):
    client.force_login(panel_chair)
    assert "Save settings" in text(client.get(panel_url(submitted)))
    response = client.post(
        panel_url(submitted),
        {"quorum": "1", "remind_after_days": "4", "escalate_after_days": "8"},
        follow=True,
    )
    assert "settings have been saved" in text(response)
    panel = Panel.objects.get()
    assert (panel.quorum, panel.remind_after_days, panel.escalate_after_days) == (1, 4, 8)
    assert "1 approval from eligible reviewers" in text(response)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"quorum": "2", "remind_after_days": "6", "escalate_after_days": "6"},
            'href="#id_escalate_after_days">Escalate to the chair later than the reminder',
        ),
        (
            {"quorum": "0", "remind_after_days": "5", "escalate_after_days": "10"},
            'href="#id_quorum">The quorum must be a whole number from 1 to 20',
        ),
        (
            {"quorum": "3", "remind_after_days": "5", "escalate_after_days": "10"},
            'href="#id_quorum">The quorum cannot be more than the 2 people on the panel',
        ),
        (
            {"quorum": "two", "remind_after_days": "5", "escalate_after_days": "10"},
            'href="#id_quorum">Enter the quorum as a whole number, for example 2',
        ),
        (
            {"quorum": "99999", "remind_after_days": "5", "escalate_after_days": "10"},
            'href="#id_quorum">The quorum must be 999 or fewer',
        ),
        (
            {"quorum": "", "remind_after_days": "5", "escalate_after_days": "10"},
            'href="#id_quorum">Enter the quorum',
        ),
    ],
)
def test_panel_settings_errors_show_in_the_error_summary(
    client, submitted, panel_chair, data, message
):
    client.force_login(panel_chair)
    response = client.post(panel_url(submitted), data)
    assert response.status_code == 200
    page = text(response)
    assert "There is a problem" in page
    assert message in page
    assert f'value="{data["quorum"]}"' in page or data["quorum"] == ""  # kept as typed
    panel = Panel.objects.get()
    assert (panel.quorum, panel.remind_after_days, panel.escalate_after_days) == (2, 5, 10)


def test_administrator_changes_any_panel(client, submitted, administrator):
    client.force_login(administrator)
    response = client.post(
        panel_url(submitted),
        {"quorum": "1", "remind_after_days": "5", "escalate_after_days": "10"},
    )
    assert response.status_code == 302
    assert Panel.objects.get().quorum == 1
