"""The hash-chained audit trail: written with each change, unalterable, verifiable."""

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse

from audit.models import AuditEvent, AuditHead
from audit.services import audit_record, audit_verify
from partnerships.services.projects import project_transition


def verify_audit_exit(capsys):
    try:
        call_command("verify_audit")
    except SystemExit as exc:
        return exc.code, capsys.readouterr()
    return 0, capsys.readouterr()


def test_transitions_write_chained_events(ready_proposal, partnership_lead, capsys):
    before = AuditEvent.objects.latest("seq").seq
    project_transition(project=ready_proposal, action="submit", actor=partnership_lead)
    # The submission, then what it set off: the gates opening (and the ICB's panel, set up
    # on its first submission), each its own event in the chain.
    new = list(AuditEvent.objects.filter(seq__gt=before).order_by("seq"))
    assert [e.action for e in new] == [
        "project.submit",
        "panel.create",
        "review.open",
        "project.gates.open",
    ]
    event = new[0]
    assert (event.action, event.actor, event.object_type, event.object_id) == (
        "project.submit",
        partnership_lead,
        "partnerships.project",
        str(ready_proposal.pk),
    )
    assert event.before == {"status": "draft"}
    assert event.after["status"] == "submitted"
    previous = AuditEvent.objects.get(seq=event.seq - 1)
    assert event.prev_hash == previous.hash
    code, out = verify_audit_exit(capsys)
    assert code == 0
    assert f"Audit trail intact: {AuditEvent.objects.count()} events." in out.out


def test_a_rolled_back_change_leaves_no_event(ready_proposal, partnership_lead):
    before = AuditEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        project_transition(project=ready_proposal, action="submit", actor=partnership_lead)
        raise RuntimeError("the surrounding work failed")
    assert AuditEvent.objects.count() == before
    assert audit_verify().intact


def test_permission_changes_are_recorded(draft, deputy, partnership_lead):
    from partnerships.services.team import team_member_add

    team_member_add(project=draft, user=deputy, role="deputy", actor=partnership_lead)
    grants = AuditEvent.objects.filter(action="permission.grant", object_id=str(draft.pk))
    assert any(e.after.get("user") == deputy.email for e in grants)
    assert AuditEvent.objects.filter(action="membership.add", after__user=deputy.email).exists()


def test_the_app_cannot_change_or_delete_an_event(draft):
    event = AuditEvent.objects.latest("seq")
    event.action = "something else"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(seq=event.seq).update(action="x")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(seq=event.seq).delete()


@pytest.mark.django_db(transaction=True)
def test_events_are_written_only_inside_a_transaction(draft, partnership_lead):
    with pytest.raises(RuntimeError):
        audit_record(actor=partnership_lead, action="x", obj=draft)


@pytest.mark.parametrize(
    ("tamper", "problem"),
    [
        (
            "UPDATE audit_auditevent SET after = '{}'::jsonb WHERE seq = %(seq)s",
            "its content does not match its hash",
        ),
        ("DELETE FROM audit_auditevent WHERE seq = %(seq)s", "is missing"),
        (
            "UPDATE audit_auditevent SET prev_hash = repeat('a', 64) WHERE seq = %(seq)s",
            "does not follow the event before it",
        ),
    ],
)
def test_verify_audit_names_the_first_broken_event(draft, capsys, tamper, problem):
    seq = AuditEvent.objects.order_by("seq").values_list("seq", flat=True)[2]
    with connection.cursor() as cursor:
        cursor.execute(tamper % {"seq": seq})
    code, out = verify_audit_exit(capsys)
    assert code == 1
    assert f"broken at event #{seq}" in out.err
    assert problem in out.err


def test_removing_the_last_events_is_caught(draft, capsys):
    last = AuditHead.objects.get().last_seq
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq = %s", [last])
    code, out = verify_audit_exit(capsys)
    assert code == 1
    assert f"should end at event #{last}" in out.err


def test_auditor_page_lists_events_and_checks_the_chain(client, auditor, draft):
    client.force_login(auditor)
    page = client.get(reverse("audit-trail"))
    assert page.status_code == 200
    assert "project.create" in page.content.decode()
    checked = client.post(reverse("audit-trail"))
    assert "The audit trail is intact" in checked.content.decode()
    seq = AuditEvent.objects.order_by("seq").values_list("seq", flat=True)[0]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET actor_label = 'someone' WHERE seq = %s", [seq])
    broken = client.post(reverse("audit-trail")).content.decode()
    assert "The audit trail has been altered" in broken
    assert f"breaks at event #{seq}" in broken


@pytest.mark.parametrize("who", ["partnership_lead", "industry_member", "panel_member", "outsider"])
def test_audit_trail_is_for_auditors_and_administrators_only(client, cast, who):
    client.force_login(cast[who])
    assert client.get(reverse("audit-trail")).status_code == 403


def test_administrator_reads_the_audit_trail_and_anonymous_must_sign_in(client, administrator):
    assert client.get(reverse("audit-trail"))["Location"].startswith("/accounts/login/")
    client.force_login(administrator)
    assert client.get(reverse("audit-trail")).status_code == 200


def test_admin_cannot_add_change_or_delete_events(client, administrator, draft):
    client.force_login(administrator)
    event = AuditEvent.objects.latest("seq")
    assert client.get(f"/admin/audit/auditevent/{event.seq}/change/").status_code in (200, 302)
    body = client.get(f"/admin/audit/auditevent/{event.seq}/change/").content.decode()
    assert 'name="_save"' not in body
    assert client.get("/admin/audit/auditevent/add/").status_code == 403
    assert (
        client.post(f"/admin/audit/auditevent/{event.seq}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert AuditEvent.objects.filter(seq=event.seq).exists()


# The parallel check (verify_audit --jobs): stretches checked by separate processes in one
# snapshot, the links between them checked by the parent. The rows must be committed for the
# workers to see them, hence transaction=True.


def _events(n):
    from audit.models import AuditHead

    for number in range(n):
        with transaction.atomic():
            audit_record(actor=None, action=f"bench.event{number}", obj=None)
    return list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True)), AuditHead


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("tamper", "position", "problem"),
    [
        (None, None, None),
        ("UPDATE audit_auditevent SET after = '{\"x\": 1}' WHERE seq = %s", 7, "does not match"),
        ("DELETE FROM audit_auditevent WHERE seq = %s", 4, "is missing"),
        ("DELETE FROM audit_auditevent WHERE seq = %s", 5, "is missing"),
        ("UPDATE audit_auditevent SET prev_hash = repeat('a', 64) WHERE seq = %s", 5, "follow"),
        ("UPDATE audit_auditevent SET object_repr = 'x' WHERE seq = %s", 0, "does not match"),
    ],
)
def test_parallel_check_finds_what_the_single_pass_finds(monkeypatch, tamper, position, problem):
    from audit import services

    seqs, _ = _events(9)
    if tamper:
        with connection.cursor() as cursor:
            cursor.execute(tamper, [seqs[position]])
    monkeypatch.setattr(services, "PARALLEL_FROM", 1)
    single, parallel = audit_verify(jobs=1), audit_verify(jobs=2)  # stretches 1-5 and 6-9
    assert parallel == single
    assert parallel.intact is (tamper is None)
    if tamper:
        assert parallel.first_broken == seqs[position]
        assert problem in parallel.problem
    else:
        assert parallel.checked == 9
