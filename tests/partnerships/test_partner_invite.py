"""A project lead invites someone from the partner company, who then joins the team."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from accounts.models import Invitation, Membership, User
from partnerships.models import ProjectEvent

NEW_PASSWORD = "Quiet-meadow-lantern-7"


@pytest.fixture
def eager_celery():
    from portal.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def invite_url(project, partner):
    return reverse("partnerships:partner-invite", args=[project.pk, partner.pk])


def test_lead_invites_company_staff_who_then_join_the_team(
    client,
    ready_proposal,
    partnership_lead,
    company,
    eager_celery,
    django_capture_on_commit_callbacks,
):
    partner = ready_proposal.partners.get(organisation=company)
    client.force_login(partnership_lead)
    assert (
        f'href="{invite_url(ready_proposal, partner)}"'
        in client.get(reverse("partnerships:team-list", args=[ready_proposal.pk])).content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            invite_url(ready_proposal, partner),
            {"first_name": "Grace", "last_name": "Hopper", "email": "grace@pharma.example"},
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="grace@pharma.example")
    assert (invitation.organisation, invitation.role) == (company, "industry_member")
    assert ProjectEvent.objects.filter(project=ready_proposal, action="partner_invite").exists()
    link = re.search(
        re.escape(settings.SITE_URL) + r"(/invitations/accept/\S+/)", mail.outbox[0].body
    )
    client.logout()
    client.post(link.group(1), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    grace = User.objects.get(email="grace@pharma.example")
    assert Membership.objects.filter(
        user=grace, organisation=company, role="industry_member"
    ).exists()
    # Being a member of a partner organisation, she can now see the project.
    assert (
        client.get(reverse("partnerships:project-detail", args=[ready_proposal.pk])).status_code
        == 200
    )


def test_only_the_lead_invites_and_only_to_non_nhs_partners(
    client, ready_proposal, industry_member, partnership_lead, company, outsider, icb
):
    partner = ready_proposal.partners.get(organisation=company)
    lead_partner = ready_proposal.partners.get(is_lead=True)
    client.force_login(industry_member)
    assert client.get(invite_url(ready_proposal, partner)).status_code == 403
    client.force_login(outsider)
    assert client.get(invite_url(ready_proposal, partner)).status_code == 404
    client.force_login(partnership_lead)
    assert client.get(invite_url(ready_proposal, lead_partner)).status_code == 403
    assert not Invitation.objects.exists()


def test_bad_invitation_shows_errors_and_saves_nothing(
    client, ready_proposal, partnership_lead, company
):
    partner = ready_proposal.partners.get(organisation=company)
    client.force_login(partnership_lead)
    response = client.post(invite_url(ready_proposal, partner), {"email": "not-an-email"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert "Enter their first name" in body
    assert "Enter an email address like name@example.org" in body
    existing = client.post(
        invite_url(ready_proposal, partner),
        {"first_name": "A", "last_name": "B", "email": partnership_lead.email},
    )
    assert "already has an account" in existing.content.decode()
    assert not Invitation.objects.exists()
