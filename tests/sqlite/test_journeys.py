"""The README's journeys on the embedded default of `make run`: each demo role signs in and
sees their home, a proposal is submitted, a gate signed off, the register and the learning
library searched, the audit trail verified (and a tampered row caught), and what needs
PostgreSQL says so."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from accounts.models import Organisation, User
from audit.models import AuditEvent
from governance.gates import GATES_BY_KIND
from governance.models import Gate, SignOff
from partnerships.models import Project
from tests.factories import complete_proposal, draft_project
from tests.sqlite.conftest import sign_in

pytestmark = [pytest.mark.sqlite, pytest.mark.usefixtures("demo_data", "db")]

LEAD = "lead@lincolnshire-icb.example"
DEPUTY = "deputy@lincolnshire-icb.example"
INDUSTRY = "industry@boehringer.example"
PANEL = "panel@lincolnshire-icb.example"
AUDITOR = "auditor@audit.example"


def test_the_database_is_sqlite_and_the_broker_the_filesystem():
    assert connection.vendor == "sqlite"
    assert settings.CELERY_BROKER_URL.startswith("filesystem://")


def test_healthz_answers_for_the_sqlite_file_and_the_filesystem_broker(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "broker": "ok"}


@pytest.mark.parametrize(
    ("email", "heading"),
    [
        (LEAD, "Needing your action"),
        (INDUSTRY, "Your organisation's projects"),
        (PANEL, "Awaiting your panel's review"),
        ("chair@lincolnshire-icb.example", "Awaiting your panel's review"),
        (AUDITOR, "Projects by status"),
        ("admin@portal.example", "Projects by status"),
    ],
)
def test_each_demo_role_signs_in_and_sees_their_home(client, email, heading):
    sign_in(client, email)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    page = response.content.decode()
    assert heading in page
    assert f"Welcome, {User.objects.get(email=email).first_name}" in page


def test_a_partnership_lead_submits_a_proposal(client):
    lead, deputy, industry = (User.objects.get(email=e) for e in (LEAD, DEPUTY, INDUSTRY))
    icb = Organisation.objects.get(name="NHS Lincolnshire Integrated Care Board")
    project = complete_proposal(
        project=draft_project(lead_user=lead, lead_organisation=icb, title="Asthma reviews"),
        lead_user=lead,
        deputy_user=deputy,
        company=Organisation.objects.get(name="Boehringer Ingelheim"),
        industry_user=industry,
    )
    sign_in(client, LEAD)
    check = client.get(reverse("partnerships:proposal-check", args=[project.pk]))
    assert check.status_code == 200
    assert "Before you can submit" not in check.content.decode()

    response = client.post(reverse("partnerships:proposal-submit", args=[project.pk]))

    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == Project.Status.SUBMITTED
    assert project.reference.startswith("CW-")
    assert set(Gate.objects.filter(project=project).values_list("kind", flat=True)) == set(
        Gate.Kind.values
    )


def test_a_panel_member_signs_off_a_gate(client):
    project = Project.objects.get(reference="CW-2026-0006")
    kind = Gate.Kind.SHARED_PURPOSE
    url = reverse("governance:gate-detail", args=[project.pk, kind])
    sign_in(client, PANEL)
    assert client.get(url).status_code == 200
    data = {"decision": "approve", "comment": ""}
    for criterion in GATES_BY_KIND[kind].criteria_for(low_risk=False):
        data[f"c_{criterion.key}"] = "yes"
        data[f"c_{criterion.key}_comment"] = ""

    response = client.post(url, data)

    assert response.status_code == 302
    sign_off = SignOff.objects.get(gate__project=project, gate__kind=kind, reviewer__email=PANEL)
    assert sign_off.decision == "approve"


def references(response) -> set[str]:
    page = response.content.decode()
    known = Project.objects.exclude(reference=None).values_list("reference", flat=True)
    return {reference for reference in known if reference in page}


def test_the_register_is_searched(client):
    register = reverse("governance:register")
    # The kidney disease project (therapy area Renal), not the diabetes one of the same ICB.
    assert references(client.get(register, {"q": "kidney"})) == {"CW-2026-0004"}
    assert references(client.get(register, {"q": "renal"})) == {"CW-2026-0004"}
    # A partner's name, a reference typed in full, a phrase, either of two words, a word left out.
    with_boehringer = set(
        Project.objects.filter(
            summary_published_at__isnull=False,
            partners__organisation__name__startswith="Boehringer",
        ).values_list("reference", flat=True)
    )
    assert {"CW-2026-0001", "CW-2026-0004"} <= with_boehringer  # and the planted breach's
    assert references(client.get(register, {"q": "Boehringer"})) == with_boehringer
    assert references(client.get(register, {"q": "cw-2026-0009"})) == {"CW-2026-0009"}
    assert references(client.get(register, {"q": '"heart failure"'})) == {"CW-2026-0007"}
    assert references(client.get(register, {"q": "osteoporosis or hepatitis"})) == {
        "CW-2026-0008",
        "CW-2026-0009",
    }
    assert references(client.get(register, {"q": "undiagnosed -kidney"})) == {"CW-2026-0007"}
    # Nothing unpublished, however it is searched for.
    assert references(client.get(register, {"q": "COPD"})) == set()
    assert references(client.get(register, {"q": "the"})) == set()


def test_the_learning_library_is_searched(client):
    sign_in(client, LEAD)
    library = reverse("outcomes:learning-library")
    found = client.get(library, {"q": "peer workers"}).content.decode()
    assert "Hepatitis C testing in needle and syringe programmes" in found
    missing = client.get(library, {"q": "osteoporosis"}).content.decode()
    assert "Hepatitis C testing in needle and syringe programmes" not in missing


def test_verify_audit_passes_then_catches_a_tampered_row(client, capsys):
    call_command("verify_audit")
    count = AuditEvent.objects.count()
    assert f"Audit trail intact: {count} events." in capsys.readouterr().out
    sign_in(client, AUDITOR)
    trail = reverse("audit-trail")
    assert client.get(trail).status_code == 200
    intact = client.post(trail).content.decode()
    assert f"The audit trail is intact: {count} events checked." in intact

    tampered = AuditEvent.objects.order_by("seq")[count // 2].seq
    with connection.cursor() as cursor:  # the model refuses changes; someone with the file
        cursor.execute(
            "UPDATE audit_auditevent SET object_repr = %s WHERE seq = %s", ["altered", tampered]
        )

    with pytest.raises(SystemExit) as exit_status:
        call_command("verify_audit")
    assert exit_status.value.code == 1
    assert f"Audit trail broken at event #{tampered}" in capsys.readouterr().err
    broken = client.post(trail).content.decode()
    assert f"The chain breaks at event #{tampered}: its content does not match its hash" in broken


def test_disclosure_pdf_command_writes_the_pdf(tmp_path, capsys):
    target = tmp_path / "disclosure.pdf"
    call_command("disclosure_pdf", "CW-2026-0001", "-o", str(target))
    assert target.read_bytes().startswith(b"%PDF")
    assert "written to" in capsys.readouterr().out


def test_backup_says_it_needs_postgresql_without_a_traceback():
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{connection.settings_dict['NAME']}"}
    result = subprocess.run(
        [sys.executable, "manage.py", "backup"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "Backups need PostgreSQL" in result.stderr
    assert "Traceback" not in result.stderr
    with pytest.raises(CommandError, match="needs PostgreSQL"):
        call_command("seed_scale", "--projects", "2")
    with pytest.raises(CommandError, match="needs PostgreSQL"):
        call_command("restore", str(settings.BASE_DIR))
