"""Starting and completing delivery: the service's rules, and the daily task that moves
projects by itself on their dates."""

import datetime
import threading

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from audit.models import AuditEvent
from partnerships import tasks
from partnerships.models import Project, ProjectEvent
from partnerships.services.projects import project_transition, projects_advance
from tests.factories import draft_project
from tests.partnerships.delivery import S, ready_to_start, set_state

TODAY = datetime.date(2027, 3, 15)
DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def status_of(project):
    return Project.objects.values_list("status", flat=True).get(pk=project.pk)


# Starting ---------------------------------------------------------------------------------


def test_lead_starts_a_ready_project_and_the_timeline_says_who(ready_proposal, partnership_lead):
    ready_to_start(ready_proposal, partnership_lead, start=TODAY)
    project = project_transition(
        project=ready_proposal, action="activate", actor=partnership_lead, today=TODAY
    )
    assert project.status == S.ACTIVE
    event = ProjectEvent.objects.filter(project=project).first()
    assert (event.action, event.actor, event.description) == (
        "activate",
        partnership_lead,
        "Started",
    )
    audit = AuditEvent.objects.filter(action="project.activate").latest("seq")
    assert audit.after["status"] == S.ACTIVE


def test_start_is_refused_with_every_reason(ready_proposal, partnership_lead):
    ready_to_start(
        ready_proposal, partnership_lead, start=TODAY + DAY, agreement=False, published=False
    )
    with pytest.raises(ValidationError) as exc:
        project_transition(
            project=ready_proposal, action="activate", actor=partnership_lead, today=TODAY
        )
    assert exc.value.messages == [
        "Before the project can start, the executive summary must be published on the "
        "transparency register first",
        "Before the project can start, upload the signed written agreement",
        "Before the project can start, the start date has not been reached: it is 16 March 2027",
    ]
    assert [e.code for e in exc.value.error_list] == ["summary", "agreement", "start_date"]
    assert status_of(ready_proposal) == S.APPROVED
    assert not ProjectEvent.objects.filter(action="activate").exists()


def test_industry_member_and_panel_cannot_start(
    ready_proposal, partnership_lead, industry_member, panel_member
):
    ready_to_start(ready_proposal, partnership_lead, start=TODAY)
    for user in (industry_member, panel_member):
        with pytest.raises(PermissionDenied):
            project_transition(project=ready_proposal, action="activate", actor=user, today=TODAY)
    assert status_of(ready_proposal) == S.APPROVED


# Completing -------------------------------------------------------------------------------


def test_completing_before_the_end_date_needs_a_reason(ready_proposal, deputy):
    set_state(ready_proposal, S.ACTIVE, start=TODAY - 100 * DAY, end=TODAY + DAY)
    for reason in ("", "   "):
        with pytest.raises(ValidationError) as exc:
            project_transition(
                project=ready_proposal, action="complete", actor=deputy, reason=reason, today=TODAY
            )
        assert exc.value.message_dict == {
            "reason": ["Enter why delivery is closing before the end date, under the exit strategy"]
        }
    assert status_of(ready_proposal) == S.ACTIVE
    project = project_transition(
        project=ready_proposal,
        action="complete",
        actor=deputy,
        reason="The pathway was commissioned nationally",
        today=TODAY,
    )
    assert project.status == S.COMPLETED
    event = project.events.first()
    assert (event.actor, event.reason) == (deputy, "The pathway was commissioned nationally")


@pytest.mark.parametrize("end", [TODAY, TODAY - DAY])
def test_completing_on_or_after_the_end_date_needs_no_reason(ready_proposal, deputy, end):
    set_state(ready_proposal, S.ACTIVE, start=TODAY - 100 * DAY, end=end)
    project = project_transition(
        project=ready_proposal, action="complete", actor=deputy, today=TODAY
    )
    assert project.status == S.COMPLETED


def test_industry_member_cannot_complete(ready_proposal, industry_member):
    set_state(ready_proposal, S.ACTIVE, start=TODAY - 100 * DAY, end=TODAY - DAY)
    with pytest.raises(PermissionDenied):
        project_transition(
            project=ready_proposal, action="complete", actor=industry_member, today=TODAY
        )
    assert status_of(ready_proposal) == S.ACTIVE


# The daily task ---------------------------------------------------------------------------


@pytest.fixture
def cases(ready_proposal, partnership_lead, icb, company):
    """One project in each situation the daily task meets."""
    from partnerships.services.partners import partner_add

    def another(title):
        project = draft_project(lead_user=partnership_lead, lead_organisation=icb, title=title)
        partner_add(project=project, organisation=company, actor=partnership_lead)
        return project

    due = ready_to_start(ready_proposal, partnership_lead, start=TODAY)
    return {
        "due": due,
        "started_yesterday_date": ready_to_start(
            another("Start date yesterday"), partnership_lead, start=TODAY - DAY
        ),
        "future": ready_to_start(another("Starts tomorrow"), partnership_lead, start=TODAY + DAY),
        "no_agreement": ready_to_start(
            another("No agreement"), partnership_lead, start=TODAY - DAY, agreement=False
        ),
        "unpublished": ready_to_start(
            another("Not on the register"), partnership_lead, start=TODAY - DAY, published=False
        ),
        "ended": set_state(
            another("Ended yesterday"), S.ACTIVE, start=TODAY - 300 * DAY, end=TODAY - DAY
        ),
        "ends_today": set_state(
            another("Ends today"), S.ACTIVE, start=TODAY - 300 * DAY, end=TODAY
        ),
        "draft_past_dates": set_state(
            another("Old draft"), S.DRAFT, start=TODAY - 300 * DAY, end=TODAY - DAY
        ),
        "submitted_past": set_state(
            another("Submitted late"), S.SUBMITTED, start=TODAY - DAY, end=TODAY + DAY
        ),
    }


EXPECTED = {
    "due": S.ACTIVE,
    "started_yesterday_date": S.ACTIVE,
    "future": S.APPROVED,
    "no_agreement": S.APPROVED,
    "unpublished": S.APPROVED,
    "ended": S.COMPLETED,
    "ends_today": S.ACTIVE,
    "draft_past_dates": S.DRAFT,
    "submitted_past": S.SUBMITTED,
}


def test_daily_task_moves_the_right_projects_only_and_says_it_was_automatic(cases):
    assert projects_advance(today=TODAY) == {"activated": 2, "completed": 1}
    assert {name: status_of(p) for name, p in cases.items()} == EXPECTED
    started = ProjectEvent.objects.get(project=cases["due"], action="activate")
    assert started.actor is None
    assert started.description == (
        "Started automatically: the start date came and every condition was met"
    )
    ended = ProjectEvent.objects.get(project=cases["ended"], action="complete")
    assert ended.actor is None
    assert ended.description == "Delivery completed automatically: the end date passed"
    assert AuditEvent.objects.filter(action="project.complete", actor__isnull=True).count() == 1


def test_daily_task_twice_changes_nothing_more(cases):
    projects_advance(today=TODAY)
    events, audits = ProjectEvent.objects.count(), AuditEvent.objects.count()
    assert projects_advance(today=TODAY) == {"activated": 0, "completed": 0}
    assert {name: status_of(p) for name, p in cases.items()} == EXPECTED
    assert (ProjectEvent.objects.count(), AuditEvent.objects.count()) == (events, audits)


def test_a_project_started_today_completes_once_its_end_date_has_passed(cases):
    projects_advance(today=TODAY)
    end = Project.objects.get(pk=cases["due"].pk).end_date
    projects_advance(today=end)
    assert status_of(cases["due"]) == S.ACTIVE  # its last day
    assert status_of(cases["started_yesterday_date"]) == S.COMPLETED
    assert projects_advance(today=end + DAY) == {"activated": 0, "completed": 1}
    assert status_of(cases["due"]) == S.COMPLETED


def test_the_task_uses_todays_date(ready_proposal, partnership_lead):
    from django.utils import timezone

    ready_to_start(ready_proposal, partnership_lead, start=timezone.localdate())
    assert tasks.projects_advance_task.apply().get() == {"activated": 1, "completed": 0}
    assert status_of(ready_proposal) == S.ACTIVE


def test_the_task_is_on_the_beat_schedule_daily():
    from portal.celery import app

    entry = django_settings.CELERY_BEAT_SCHEDULE["projects-advance"]
    assert entry["task"] == "partnerships.tasks.projects_advance_task"
    assert entry["task"] in app.tasks
    assert entry["schedule"].hour == {6} and entry["schedule"].minute == {30}


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_move_each_project_once(ready_proposal, partnership_lead):
    ready_to_start(ready_proposal, partnership_lead, start=TODAY)
    results, barrier = [], threading.Barrier(2)

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(projects_advance(today=TODAY))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(r["activated"] for r in results) == [0, 1]
    assert ProjectEvent.objects.filter(project=ready_proposal, action="activate").count() == 1
    assert status_of(ready_proposal) == S.ACTIVE
