"""Two people acting on a project at the same moment leave one consistent result.

Each test starts its actions in threads released together by a barrier, on committed data
(transactional tests), each thread with its own database connection. To make the race real
rather than lucky, every timeline write is slowed down: the first writer still holds its
transaction open while the second one reads, so an implementation that did not lock the row
(or check the status again under the lock) would let both win.
"""

import itertools
import threading
import time

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.models import User
from partnerships.models import Project, ProjectEvent, ReferenceCounter
from partnerships.services import projects as project_services
from partnerships.services.projects import TransitionRefused, project_transition, section_save
from tests.factories import complete_proposal, draft_project

S = Project.Status
pytestmark = pytest.mark.django_db(transaction=True)

DELAY = 0.3
RACING = threading.Event()


@pytest.fixture(autouse=True)
def slow_timeline(monkeypatch):
    """While the threads race, hold each transaction open a little after its change and
    before it commits."""
    real = project_services.event_record

    def slow(**kwargs):
        event = real(**kwargs)
        if RACING.is_set():
            time.sleep(DELAY)
        return event

    monkeypatch.setattr(project_services, "event_record", slow)


def run_together(*actions):
    """Run each action in its own thread, all released at once. Returns, for each, either
    ("ok", result) or ("error", exception)."""
    barrier = threading.Barrier(len(actions))
    results = [None] * len(actions)

    def worker(index, action):
        try:
            barrier.wait(timeout=10)
            results[index] = ("ok", action())
        except Exception as exc:
            results[index] = ("error", exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=worker, args=(i, action), daemon=True)
        for i, action in enumerate(actions)
    ]
    RACING.set()
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        RACING.clear()
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck"
    return results


def transition(project_pk, user_pk, action, reason=""):
    """What one browser request does: load its own copies, then call the service."""

    def act():
        actor = User.objects.get(pk=user_pk)
        project = Project.objects.get(pk=project_pk)
        return project_transition(project=project, action=action, actor=actor, reason=reason)

    return act


def assert_timeline_consistent(project):
    """Each status change starts where the one before it ended, and ends where the project is."""
    changes = list(
        ProjectEvent.objects.filter(project=project)
        .exclude(to_status="")
        .order_by("created_at", "pk")
        .values_list("action", "from_status", "to_status")
    )
    for (_, _, before), (action, after, _) in itertools.pairwise(changes):
        assert after == before, (action, changes)
    assert changes[-1][2] == Project.objects.get(pk=project.pk).status, changes


def test_two_submissions_of_the_same_proposal_submit_it_once(
    ready_proposal, partnership_lead, deputy
):
    results = run_together(
        transition(ready_proposal.pk, partnership_lead.pk, "submit"),
        transition(ready_proposal.pk, deputy.pk, "submit"),
    )
    outcomes = sorted(kind for kind, _ in results)
    assert outcomes == ["error", "ok"], results
    [refusal] = [value for kind, value in results if kind == "error"]
    assert isinstance(refusal, TransitionRefused)
    assert "while the project is submitted" in str(refusal)

    project = Project.objects.get(pk=ready_proposal.pk)
    assert project.status == S.SUBMITTED
    assert project.events.filter(action="submit").count() == 1
    assert project.reference is not None
    assert ReferenceCounter.objects.get().last == 1
    assert_timeline_consistent(project)


def test_two_withdrawals_at_once_withdraw_it_once(ready_proposal, partnership_lead, deputy):
    results = run_together(
        transition(ready_proposal.pk, partnership_lead.pk, "withdraw", reason="First reason"),
        transition(ready_proposal.pk, deputy.pk, "withdraw", reason="Second reason"),
    )
    assert sorted(kind for kind, _ in results) == ["error", "ok"], results
    project = Project.objects.get(pk=ready_proposal.pk)
    assert project.status == S.WITHDRAWN
    [event] = project.events.filter(action="withdraw")
    winner = next(value for kind, value in results if kind == "ok")
    assert event.reason in ("First reason", "Second reason")
    assert winner.status == S.WITHDRAWN
    assert_timeline_consistent(project)


def test_submit_and_withdraw_at_once_leave_a_consistent_state(
    ready_proposal, partnership_lead, deputy
):
    """Submit-then-withdraw is allowed; withdraw-then-submit refuses the submission.
    Either way the project ends withdrawn, with a timeline that adds up."""
    results = run_together(
        transition(ready_proposal.pk, partnership_lead.pk, "submit"),
        transition(ready_proposal.pk, deputy.pk, "withdraw", reason="Changed our minds"),
    )
    (submit_kind, submit_value), (withdraw_kind, _) = results
    assert withdraw_kind == "ok", results
    project = Project.objects.get(pk=ready_proposal.pk)
    assert project.status == S.WITHDRAWN
    assert project.events.filter(action="withdraw").count() == 1
    if submit_kind == "ok":
        assert project.events.filter(action="submit").count() == 1
        assert project.reference is not None
    else:
        assert isinstance(submit_value, TransitionRefused), results
        assert not project.events.filter(action="submit").exists()
        assert project.reference is None
        assert not ReferenceCounter.objects.exists()
    assert_timeline_consistent(project)


def test_panel_approval_and_withdrawal_at_once_exactly_one_wins(
    ready_proposal, partnership_lead, panel_member
):
    project_transition(project=ready_proposal, action="submit", actor=partnership_lead)
    results = run_together(
        transition(ready_proposal.pk, panel_member.pk, "approve"),
        transition(ready_proposal.pk, partnership_lead.pk, "withdraw", reason="No longer"),
    )
    assert sorted(kind for kind, _ in results) == ["error", "ok"], results
    assert all(isinstance(v, TransitionRefused) for kind, v in results if kind == "error")
    project = Project.objects.get(pk=ready_proposal.pk)
    assert project.status in (S.APPROVED, S.WITHDRAWN)
    assert project.events.filter(action__in=["approve", "withdraw"]).count() == 1
    assert_timeline_consistent(project)


@pytest.mark.parametrize("counter_exists", [False, True])
def test_two_projects_submitted_at_once_get_distinct_references(
    ready_proposal, partnership_lead, deputy, icb, company, industry_member, counter_exists
):
    second = complete_proposal(
        project=draft_project(
            lead_user=partnership_lead, lead_organisation=icb, title="Diabetes foot checks"
        ),
        lead_user=partnership_lead,
        deputy_user=deputy,
        company=company,
        industry_user=industry_member,
    )
    if counter_exists:
        from django.utils import timezone

        ReferenceCounter.objects.create(year=timezone.localdate().year, last=41)
    results = run_together(
        transition(ready_proposal.pk, partnership_lead.pk, "submit"),
        transition(second.pk, deputy.pk, "submit"),
    )
    assert [kind for kind, _ in results] == ["ok", "ok"], results
    references = set(Project.objects.values_list("reference", flat=True))
    assert len(references) == 2 and None not in references
    counter = ReferenceCounter.objects.get()
    first_number = 42 if counter_exists else 1
    assert counter.last == first_number + 1
    assert {int(r.rsplit("-", 1)[1]) for r in references} == {first_number, first_number + 1}


def save_section(project_pk, user_pk, key, data):
    def act():
        actor = User.objects.get(pk=user_pk)
        project = Project.objects.get(pk=project_pk)
        return section_save(project=project, key=key, data=data, actor=actor)

    return act


def test_two_saves_of_different_sections_keep_both(draft, partnership_lead):
    run_results = run_together(
        save_section(
            draft.pk, partnership_lead.pk, "need", {"population_need": "Asthma admissions"}
        ),
        save_section(draft.pk, partnership_lead.pk, "delivery", {"methodology": "Review clinics"}),
    )
    assert [kind for kind, _ in run_results] == ["ok", "ok"], run_results
    project = Project.objects.get(pk=draft.pk)
    assert project.population_need == "Asthma admissions"
    assert project.methodology == "Review clinics"
    assert project.events.filter(action="edit").count() == 2


def test_two_saves_of_one_section_keep_one_whole_answer(draft, partnership_lead, deputy):
    first = {"population_need": "First need", "background": "First background"}
    second = {"population_need": "Second need", "background": "Second background"}
    results = run_together(
        save_section(draft.pk, partnership_lead.pk, "need", first),
        save_section(draft.pk, partnership_lead.pk, "need", second),
    )
    assert [kind for kind, _ in results] == ["ok", "ok"], results
    project = Project.objects.get(pk=draft.pk)
    saved = {"population_need": project.population_need, "background": project.background}
    assert saved in (first, second)
    assert project.title == "Improving asthma care"


def test_two_browsers_saving_one_section_never_see_an_error(draft, partnership_lead, deputy):
    """The same race through the section page: both get an answer, never a 500, and the
    project holds one person's whole answer."""
    from partnerships.services.team import team_member_add

    team_member_add(project=draft, user=deputy, role="deputy", actor=partnership_lead)
    url = reverse("partnerships:section-edit", args=[draft.pk, "need"])
    answers = [
        {"population_need": "Lead's need", "background": "Lead's background"},
        {"population_need": "Deputy's need", "background": "Deputy's background"},
    ]

    def post(user_pk, data):
        def act():
            client = Client(raise_request_exception=False)
            client.force_login(User.objects.get(pk=user_pk))
            return client.post(url, data).status_code

        return act

    results = run_together(post(partnership_lead.pk, answers[0]), post(deputy.pk, answers[1]))
    assert [value for _, value in results] == [302, 302], results
    project = Project.objects.get(pk=draft.pk)
    saved = {"population_need": project.population_need, "background": project.background}
    assert saved in answers
