"""Twenty people acting on one project at the same moment, each a separate process with its
own database connection (tests/governance/process_actor.py): submissions racing edits, then
sign-offs of all four gates racing each other. Each transition happens exactly once, no
edit lands after the submission, no gate is approved short of its quorum, and the audit
chain verifies.

The thread-based tests in tests/partnerships/test_concurrency.py share one process; these
prove the row locks hold between processes too, as they must with several gunicorn workers.
"""

import itertools
import json
import os
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection

from accounts.models import Membership
from audit.models import AuditEvent
from audit.services import audit_verify
from governance.models import Gate, Review, SignOff
from partnerships.models import Project, ProjectEvent, ReferenceCounter
from partnerships.services.projects import section_save
from tests.conftest import _member
from tests.outcomes.conftest import SUMMARY, declare_nil

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
S = Project.Status


def run_processes(jobs: list[dict], directory) -> list[dict]:
    """Start one process per job, release them together once all are ready, and return
    each one's outcome."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    }
    go = directory / "go"
    processes = []
    for index, job in enumerate(jobs):
        job = {**job, "ready": str(directory / f"ready-{index}"), "go": str(go)}
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "tests.governance.process_actor", json.dumps(job)],
                env=env,
                cwd=settings.BASE_DIR,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    deadline = time.monotonic() + 120
    while not all((directory / f"ready-{i}").exists() for i in range(len(jobs))):
        assert time.monotonic() < deadline, "the processes did not all start"
        assert all(p.poll() is None for p in processes), [p.communicate() for p in processes]
        time.sleep(0.05)
    go.write_text("go")
    outcomes = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        outcomes.append(json.loads(out.strip().splitlines()[-1]))
    go.unlink()
    for index in range(len(jobs)):
        (directory / f"ready-{index}").unlink()
    return outcomes


@pytest.fixture
def reviewers(icb, panel_member, panel_chair):
    """Five on the panel: the member, the chair and three more members."""
    more = [_member(icb, Membership.Role.PANEL_MEMBER) for _ in range(3)]
    return [panel_member, panel_chair, *more]


def test_twenty_processes_submit_edit_and_sign_off_one_project_consistently(
    tmp_path, ready_proposal, partnership_lead, deputy, industry_member, reviewers
):
    project = ready_proposal
    section_save(
        project=project, key="summary", data={"executive_summary": SUMMARY}, actor=partnership_lead
    )
    for person in (partnership_lead, deputy, industry_member, *reviewers):
        declare_nil(person, project)

    # Round one: four submissions and sixteen edits at once.
    jobs = [
        {"action": "submit", "user": lead.pk, "project": project.pk}
        for lead in (partnership_lead, deputy, partnership_lead, deputy)
    ]
    for n in range(16):
        section, field = [("need", "population_need"), ("delivery", "methodology")][n % 2]
        jobs.append(
            {
                "action": "edit",
                "user": (partnership_lead, deputy)[n // 2 % 2].pk,
                "project": project.pk,
                "section": section,
                "data": {field: f"Answer {n}"},
            }
        )
    before_race = ProjectEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    outcomes = run_processes(jobs, tmp_path)
    submits, edits = outcomes[:4], outcomes[4:]
    assert [o["ok"] for o in submits].count(True) == 1, submits
    assert all("while the project is submitted" in o["message"] for o in submits if not o["ok"])
    for outcome in edits:
        assert outcome["ok"] or "cannot be changed while it is submitted" in outcome["message"]

    project = Project.objects.get(pk=project.pk)
    assert project.status == S.SUBMITTED and project.reference
    assert ReferenceCounter.objects.get().last == 1
    events = ProjectEvent.objects.filter(project=project)
    [submitted] = events.filter(action="submit")
    # Every edit that was saved came before the submission, and each is on the timeline once.
    assert events.filter(action="edit", pk__gt=submitted.pk).count() == 0
    saved = [job for job, outcome in zip(jobs[4:], edits, strict=True) if outcome["ok"]]
    assert events.filter(action="edit", pk__gt=before_race).count() == len(saved)
    # Each section holds one whole answer that was saved (or its answer from before).
    for section, field in (("need", "population_need"), ("delivery", "methodology")):
        answers = {job["data"][field] for job in saved if job["section"] == section}
        assert getattr(project, field) in answers | {getattr(ready_proposal, field)}
    gates = Gate.objects.filter(project=project)
    assert gates.count() == 4 and all(g.status in Gate.OPEN_STATUSES for g in gates)

    # Round two: five reviewers sign off each of the four gates, twenty at once.
    quorum = Review.objects.get(project=project).quorum
    assert quorum == 2 and len(reviewers) > quorum
    jobs = [
        {"action": "sign_off", "user": reviewer.pk, "project": project.pk, "gate": kind}
        for kind, reviewer in itertools.product(Gate.Kind.values, reviewers)
    ]
    outcomes = run_processes(jobs, tmp_path)
    refused = [o for o in outcomes if not o["ok"]]
    assert all("is not open for sign-off" in o["message"] for o in refused), refused

    project = Project.objects.get(pk=project.pk)
    assert project.status == S.APPROVED
    assert project.summary_published_at is not None
    assert ProjectEvent.objects.filter(project=project, action="approve").count() == 1
    for gate in Gate.objects.filter(project=project):
        assert gate.status == Gate.Status.APPROVED
        # Approved exactly once, by exactly the quorum: later sign-offs were refused.
        approvals = AuditEvent.objects.filter(
            action="gate.status", object_id=str(gate.pk), after__status="approved"
        )
        assert approvals.count() == 1, gate
        assert SignOff.objects.filter(gate=gate, decision="approve").count() == quorum
    assert len(outcomes) - len(refused) == 4 * quorum
    assert audit_verify().intact
