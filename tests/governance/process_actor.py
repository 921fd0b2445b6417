"""One person acting on a project, as a process of its own with its own database
connection: ``python -m tests.governance.process_actor '<json>'``. Used by
test_concurrency_processes.py, which starts twenty of them at once.

It sets Django up, writes ``<ready>`` and waits for ``<go>`` to exist, so every process
starts its action at the same moment; then it does what one browser request would (load its
own copies, call the service) and prints the outcome as JSON. Each change to the project's
timeline is held open for DELAY seconds before commit, so transactions really overlap.
"""

import json
import os
import sys
import time
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
django.setup()

from accounts.models import User  # noqa: E402
from governance.gates import GATES_BY_KIND  # noqa: E402
from governance.models import Gate  # noqa: E402
from governance.services.gates import gate_sign_off  # noqa: E402
from partnerships.models import Project  # noqa: E402
from partnerships.services import projects as project_services  # noqa: E402

DELAY = float(os.environ.get("ACTOR_DELAY", "0.05"))
record = project_services.event_record


def slow_event_record(**kwargs):
    event = record(**kwargs)
    time.sleep(DELAY)
    return event


project_services.event_record = slow_event_record


def act(job: dict):
    actor = User.objects.get(pk=job["user"])
    project = Project.objects.get(pk=job["project"])
    if job["action"] == "submit":
        project_services.project_transition(project=project, action="submit", actor=actor)
    elif job["action"] == "edit":
        project_services.section_save(
            project=project, key=job["section"], data=job["data"], actor=actor
        )
    elif job["action"] == "sign_off":
        kind = job["gate"]
        gate_sign_off(
            gate=Gate.objects.get(project=project, kind=kind),
            decision="approve",
            criteria={
                c.key: {"met": True, "comment": ""}
                for c in GATES_BY_KIND[kind].criteria_for(low_risk=False)
            },
            actor=actor,
        )
    else:
        raise ValueError(job["action"])


def main() -> None:
    job = json.loads(sys.argv[1])
    User.objects.exists()  # connect before the start, not in the race
    Path(job["ready"]).write_text("ready")
    deadline = time.monotonic() + 120
    while not Path(job["go"]).exists():
        if time.monotonic() > deadline:
            raise SystemExit("never told to go")
        time.sleep(0.005)
    try:
        act(job)
    except Exception as exc:
        print(json.dumps({"ok": False, "error": type(exc).__name__, "message": str(exc)}))
    else:
        print(json.dumps({"ok": True}))


if __name__ == "__main__":
    main()
