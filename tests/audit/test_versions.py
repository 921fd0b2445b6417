"""Pages cached at the data's version (audit.versions) show every change on the next
request: each cached page is asked for, asked again (from the cache), changed through a
service or the admin site, and asked once more."""

import re

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Membership, Organisation
from audit.versions import data_version
from governance.models import Gate
from governance.services.gates import gate_sign_off
from partnerships.services.partners import partner_remove
from partnerships.services.projects import project_transition, section_save
from partnerships.services.team import team_member_remove
from tests.factories import criteria_met
from tests.governance.test_public_register import another_project, publish
from tests.outcomes.conftest import declare_nil


def page(client, url, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def twice(client, url, **params) -> str:
    """The page, then the page again from the cache: the same, with fewer queries."""
    with CaptureQueriesContext(connection) as built:
        first = page(client, url, **params)
    with CaptureQueriesContext(connection) as again:
        second = page(client, url, **params)
    assert len(again) < len(built)
    assert _without_nonces(second) == _without_nonces(first)
    return second


def _without_nonces(html: str) -> str:
    """The page without what differs on every request (the CSP nonce, the CSRF token)."""
    return re.sub(r'(nonce|value)="[^"]*"', "", html)


def rename(project, lead, title):
    section_save(project=project, key="about", data={"title": title}, actor=lead)


def test_the_version_moves_with_an_audited_change_and_an_admin_change(
    draft, partnership_lead, administrator
):
    before = data_version()
    assert data_version() == before  # reading moves nothing
    rename(draft, partnership_lead, "Renamed")
    after_service = data_version()
    assert after_service != before
    LogEntry.objects.log_actions(
        user_id=administrator.pk,
        queryset=Membership.objects.filter(user=partnership_lead),
        action_flag=CHANGE,
        change_message="Changed role",
    )
    assert data_version() != after_service


def test_home_shows_a_renamed_project_at_once(client, draft, partnership_lead):
    client.force_login(partnership_lead)
    assert draft.title in twice(client, reverse("home"))
    rename(draft, partnership_lead, "Asthma reviews in Leeds")
    assert "Asthma reviews in Leeds" in page(client, reverse("home"))


def test_home_drops_a_project_when_the_company_leaves_it(
    client, ready_proposal, partnership_lead, industry_member
):
    client.force_login(industry_member)
    assert ready_proposal.title in twice(client, reverse("home"))
    team_member_remove(member=ready_proposal.team.get(user=industry_member), actor=partnership_lead)
    partner_remove(partner=ready_proposal.partners.get(is_lead=False), actor=partnership_lead)
    assert ready_proposal.title not in page(client, reverse("home"))


def test_home_shows_an_organisation_renamed_in_the_admin_site(
    client, partnership_lead, administrator, icb
):
    client.force_login(partnership_lead)
    assert icb.name in twice(client, reverse("home"))
    icb.name = "NHS Humber and North Yorkshire Integrated Care Board"
    icb.save()  # as the admin site saves it, and then logs it:
    LogEntry.objects.log_actions(
        user_id=administrator.pk,
        queryset=Organisation.objects.filter(pk=icb.pk),
        action_flag=CHANGE,
        change_message="Changed name",
    )
    assert "NHS Humber and North Yorkshire Integrated Care Board" in page(client, reverse("home"))


def test_project_list_shows_a_renamed_project_at_once(client, draft, partnership_lead):
    client.force_login(partnership_lead)
    url = reverse("partnerships:project-list")
    assert draft.title in twice(client, url, q=draft.title.split()[0])
    rename(draft, partnership_lead, "Heart failure clinics")
    assert "Heart failure clinics" in page(client, url)
    assert "Heart failure clinics" not in page(client, url, q=draft.title.split()[0])


def test_status_page_shows_a_transition_at_once(client, ready_proposal, partnership_lead):
    client.force_login(partnership_lead)
    url = reverse("partnerships:project-detail", args=[ready_proposal.pk])
    assert "Not yet submitted" in twice(client, url)
    project_transition(project=ready_proposal, action="submit", actor=partnership_lead)
    assert "Not yet submitted" not in page(client, url)


def test_status_page_checks_permission_on_every_request(
    client, ready_proposal, partnership_lead, industry_member
):
    client.force_login(industry_member)
    url = reverse("partnerships:project-detail", args=[ready_proposal.pk])
    twice(client, url)
    # Off the team, and the company no longer a partner: the cached page is not served.
    team_member_remove(member=ready_proposal.team.get(user=industry_member), actor=partnership_lead)
    partner_remove(partner=ready_proposal.partners.get(is_lead=False), actor=partnership_lead)
    assert client.get(url).status_code == 404


def test_review_queue_drops_a_gate_once_the_member_signs_it_off(
    client, ready_proposal, partnership_lead, panel_member
):
    project = project_transition(project=ready_proposal, action="submit", actor=partnership_lead)
    declare_nil(panel_member, project)
    client.force_login(panel_member)
    url = reverse("governance:review-queue")
    before = twice(client, url)
    assert before.count("Not yet decided") == 4  # each of the four gates
    gate = Gate.objects.get(project=project, kind=Gate.Kind.SHARED_PURPOSE)
    gate_sign_off(
        gate=gate,
        decision="approve",
        comment="",
        criteria=criteria_met(gate.kind),
        actor=panel_member,
    )
    after = page(client, url)
    assert after.count("Not yet decided") == 3
    assert ">Approve</strong>" in after


@pytest.mark.parametrize("q", ["", "asthma"])
def test_register_shows_a_newly_published_project_at_once(
    client, ready_proposal, partnership_lead, q
):
    publish(ready_proposal, partnership_lead)
    assert "Asthma clinics in Hull" not in twice(client, "/register/", q=q)
    another_project("Asthma clinics in Hull")
    assert "Asthma clinics in Hull" in page(client, "/register/", q=q)
