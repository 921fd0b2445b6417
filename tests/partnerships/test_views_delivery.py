"""The pages that start a project and complete its delivery, and the final report's
deadline on the status page."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from partnerships.models import Project, ProjectEvent
from tests.partnerships.delivery import S, ready_to_start, set_state
from tests.partnerships.test_views_projects import detail_url, text

DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def start_url(project):
    return reverse("partnerships:project-start", args=[project.pk])


def complete_url(project):
    return reverse("partnerships:project-complete", args=[project.pk])


def today():
    return timezone.localdate()


def status_of(project):
    return Project.objects.values_list("status", flat=True).get(pk=project.pk)


@pytest.fixture
def approved(ready_proposal, partnership_lead):
    return ready_to_start(ready_proposal, partnership_lead, start=today())


@pytest.fixture
def active(ready_proposal):
    return set_state(ready_proposal, S.ACTIVE, start=today() - 90 * DAY, end=today() + 30 * DAY)


# Starting ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["partnership_lead", "deputy"])
def test_lead_or_deputy_starts_the_project_from_the_status_page(client, request, approved, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    body = client.get(detail_url(approved)).content.decode()
    assert f'href="{start_url(approved)}"' in body
    page = client.get(start_url(approved))
    assert page.status_code == 200
    assert "csrfmiddlewaretoken" in page.content.decode()
    assert "Start date " + today().strftime("%-d %B %Y") in text(page)
    response = client.post(start_url(approved))
    assert response.status_code == 302 and response["Location"] == detail_url(approved)
    assert status_of(approved) == S.ACTIVE
    event = ProjectEvent.objects.filter(project=approved).first()
    assert (event.action, event.actor) == ("activate", user)
    page = text(client.get(detail_url(approved)))
    assert "The project has started" in page
    assert "Started : Approved → Active" in page
    assert "Complete delivery" in page


def test_start_page_says_what_is_missing_and_offers_no_button(
    client, ready_proposal, partnership_lead
):
    ready_to_start(ready_proposal, partnership_lead, start=today() + DAY, agreement=False)
    client.force_login(partnership_lead)
    response = client.get(start_url(ready_proposal))
    page = text(response)
    assert "The project cannot start yet" in page
    assert "Upload the signed written agreement" in page
    assert "The start date has not been reached" in page
    upload = reverse("partnerships:document-upload", args=[ready_proposal.pk])
    assert f'href="{upload}"' in response.content.decode()
    assert 'type="submit">Start the project' not in response.content.decode()


def test_a_refused_start_lists_each_reason_in_an_error_summary(
    client, ready_proposal, partnership_lead
):
    ready_to_start(
        ready_proposal, partnership_lead, start=today() + DAY, agreement=False, published=False
    )
    client.force_login(partnership_lead)
    response = client.post(start_url(ready_proposal))
    assert response.status_code == 200
    body = response.content.decode()
    assert "<title>Error: Start the project" in body
    assert 'class="nhsuk-error-summary"' in body
    upload = reverse("partnerships:document-upload", args=[ready_proposal.pk])
    assert (
        f'<a href="{upload}">Before the project can start, upload the signed written agreement</a>'
        in body
    )
    page = text(response)
    assert "the executive summary must be published on the transparency register first" in page
    assert "Before the project can start, the start date has not been reached" in page
    assert status_of(ready_proposal) == S.APPROVED
    assert not ProjectEvent.objects.filter(action="activate").exists()


@pytest.mark.parametrize("who", ["industry_member", "panel_member", "panel_chair", "auditor"])
def test_other_roles_do_not_see_or_use_the_actions(client, request, approved, who):
    client.force_login(request.getfixturevalue(who))
    body = client.get(detail_url(approved)).content.decode()
    assert f'href="{start_url(approved)}"' not in body
    assert client.get(start_url(approved)).status_code == 403
    assert client.post(start_url(approved)).status_code == 403
    assert status_of(approved) == S.APPROVED
    Project.objects.filter(pk=approved.pk).update(status=S.ACTIVE)
    body = client.get(detail_url(approved)).content.decode()
    assert f'href="{complete_url(approved)}"' not in body
    assert client.post(complete_url(approved), {"reason": "Done"}).status_code == 403
    assert status_of(approved) == S.ACTIVE


@pytest.mark.parametrize("who", ["outsider", "other_company_member"])
def test_outsiders_get_404(client, request, approved, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(start_url(approved)).status_code == 404
    assert client.post(start_url(approved)).status_code == 404
    Project.objects.filter(pk=approved.pk).update(status=S.ACTIVE)
    assert client.post(complete_url(approved), {"reason": "Done"}).status_code == 404
    assert status_of(approved) == S.ACTIVE
    assert client.post(reverse("partnerships:project-start", args=[999999])).status_code == 404


@pytest.fixture
def other_company_member(db):
    from accounts.models import Membership
    from tests.factories import CompanyFactory
    from tests.partnerships.test_views_projects import member_of

    return member_of(CompanyFactory(name="Elsewhere Pharma Ltd"), Membership.Role.INDUSTRY_MEMBER)


def test_anonymous_goes_to_sign_in(client, approved):
    for url in (start_url(approved), complete_url(approved)):
        response = client.post(url, {"reason": "x"})
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    assert status_of(approved) == S.APPROVED


@pytest.mark.parametrize("status", [S.DRAFT, S.SUBMITTED, S.ACTIVE, S.COMPLETED, S.CLOSED])
def test_start_is_offered_only_when_approved(client, ready_proposal, partnership_lead, status):
    set_state(ready_proposal, status, start=today() - DAY, end=today() + DAY)
    client.force_login(partnership_lead)
    body = client.get(detail_url(ready_proposal)).content.decode()
    assert f'href="{start_url(ready_proposal)}"' not in body
    response = client.post(start_url(ready_proposal), follow=True)
    assert f"This project cannot be started while it is {S(status).label.lower()}" in text(response)
    assert status_of(ready_proposal) == status


# Completing -------------------------------------------------------------------------------


def test_completing_early_needs_a_reason_under_the_exit_strategy(client, active, deputy):
    client.force_login(deputy)
    assert f'href="{complete_url(active)}"' in client.get(detail_url(active)).content.decode()
    page = client.get(complete_url(active))
    assert "This closes delivery early" in text(page)
    assert "Either party on 3 months' notice" in text(page)
    response = client.post(complete_url(active), {"reason": "  "})
    assert response.status_code == 200
    body = response.content.decode()
    assert "<title>Error: Complete delivery" in body
    assert (
        '<a href="#id_reason">Enter why delivery is closing before the end date, under the exit '
        "strategy</a>" in body
    )
    assert status_of(active) == S.ACTIVE
    response = client.post(complete_url(active), {"reason": "Funding ended early"})
    assert response.status_code == 302
    assert status_of(active) == S.COMPLETED
    page = text(client.get(detail_url(active)))
    assert "Delivery completed : Active → Completed" in page
    assert "Reason: Funding ended early" in page


def test_completing_after_the_end_date_needs_only_a_confirmation(
    client, ready_proposal, partnership_lead
):
    set_state(ready_proposal, S.ACTIVE, start=today() - 400 * DAY, end=today() - DAY)
    client.force_login(partnership_lead)
    page = client.get(complete_url(ready_proposal))
    assert 'name="reason"' not in page.content.decode()
    assert "has been reached" in text(page)
    response = client.post(complete_url(ready_proposal))
    assert response.status_code == 302
    assert status_of(ready_proposal) == S.COMPLETED
    assert ProjectEvent.objects.filter(project=ready_proposal).first().reason == ""


def test_a_reason_too_long_is_an_error_not_a_crash(client, active, partnership_lead):
    client.force_login(partnership_lead)
    response = client.post(complete_url(active), {"reason": "x" * 2001})
    assert response.status_code == 200
    assert "The reason must be 2,000 characters or fewer" in text(response)
    assert status_of(active) == S.ACTIVE


def test_completing_twice_says_it_is_already_done(client, active, partnership_lead):
    client.force_login(partnership_lead)
    client.post(complete_url(active), {"reason": "Stopped"})
    response = client.post(complete_url(active), {"reason": "Again"}, follow=True)
    assert "Delivery cannot be completed while the project is completed" in text(response)
    assert ProjectEvent.objects.filter(project=active, action="complete").count() == 1


# The final report's deadline on the status page -------------------------------------------


def test_completed_project_shows_its_final_report_deadline(client, ready_proposal, auditor):
    end = today() - 10 * DAY
    set_state(ready_proposal, S.COMPLETED, start=end - 300 * DAY, end=end)
    client.force_login(auditor)
    page = text(client.get(detail_url(ready_proposal)))
    deadline = ready_proposal.final_report_deadline
    assert f"Final report Due by {deadline:%-d %B %Y}" in page
    assert "Overdue" not in page


def test_overdue_final_report_is_flagged(client, ready_proposal, industry_member):
    end = today() - 400 * DAY
    set_state(ready_proposal, S.COMPLETED, start=end - 300 * DAY, end=end)
    client.force_login(industry_member)
    response = client.get(detail_url(ready_proposal))
    assert "Overdue" in text(response)
    assert '<strong class="nhsuk-tag nhsuk-tag--red">Overdue</strong>' in response.content.decode()


def test_active_project_shows_no_final_report_deadline(client, active, partnership_lead):
    client.force_login(partnership_lead)
    assert "Final report Due by" not in text(client.get(detail_url(active)))
