"""Administrators set up panels in the admin; every change goes through the services."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from governance.models import Panel

pytestmark = pytest.mark.django_db


def _post(client, icb, user, **overrides):
    data = {
        "organisation": icb.pk,
        "name": "Partnership governance panel",
        "is_default": "on",
        "quorum": 2,
        "remind_after_days": 5,
        "escalate_after_days": 10,
        "memberships-TOTAL_FORMS": 1,
        "memberships-INITIAL_FORMS": 0,
        "memberships-MIN_NUM_FORMS": 0,
        "memberships-MAX_NUM_FORMS": 1000,
        "memberships-0-user": user.pk,
        "memberships-0-is_chair": "on",
        **overrides,
    }
    return client.post(reverse("admin:governance_panel_add"), data)


def test_administrator_creates_a_panel_with_its_chair(client, administrator, icb, panel_chair):
    client.force_login(administrator)
    response = _post(client, icb, panel_chair)
    assert response.status_code == 302, response.content.decode()[:2000]
    panel = Panel.objects.get(name="Partnership governance panel")
    assert [(m.user, m.is_chair) for m in panel.memberships.all()] == [(panel_chair, True)]
    assert AuditEvent.objects.filter(action="panel.create", actor=administrator).exists()
    assert AuditEvent.objects.filter(action="panel.member_add", actor=administrator).exists()


def test_admin_shows_the_rules_as_form_errors(client, administrator, icb, outsider):
    client.force_login(administrator)
    response = _post(client, icb, outsider, escalate_after_days=3)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Escalate to the chair later than the reminder" in body
    assert "must be a panel member or chair of" in body
    assert not Panel.objects.exists()
