"""Two people at once on make run's SQLite file (its web server answers each request in a
thread of its own, and the worker and beat write to the same file): SQLite has no row locks,
so each transaction takes the write lock as it begins and the other waits for it, where it
used to fail with "database is locked". The races are tests/partnerships/test_concurrency's."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from partnerships.models import Project
from partnerships.services.projects import TransitionRefused
from partnerships.services.team import team_member_add
from tests.partnerships.test_concurrency import (
    assert_timeline_consistent,
    run_together,
    slow_timeline,  # noqa: F401 - autouse: holds each transaction open while the other waits
    transition,
)

pytestmark = [pytest.mark.sqlite, pytest.mark.django_db(transaction=True)]


def test_two_submissions_at_once_submit_it_once(ready_proposal, partnership_lead, deputy):
    results = run_together(
        transition(ready_proposal.pk, partnership_lead.pk, "submit"),
        transition(ready_proposal.pk, deputy.pk, "submit"),
    )
    assert sorted(kind for kind, _ in results) == ["error", "ok"], results
    [refusal] = [value for kind, value in results if kind == "error"]
    assert isinstance(refusal, TransitionRefused)
    project = Project.objects.get(pk=ready_proposal.pk)
    assert project.status == Project.Status.SUBMITTED
    assert project.events.filter(action="submit").count() == 1
    assert_timeline_consistent(project)


def test_two_browsers_saving_one_section_both_get_an_answer(draft, partnership_lead, deputy):
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
    assert {"population_need": project.population_need, "background": project.background} in (
        answers
    )
