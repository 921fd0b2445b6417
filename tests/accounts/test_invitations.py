import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import Invitation, Membership, User
from tests.factories import InvitationFactory, OrganisationFactory

NEW_PASSWORD = "Quiet-meadow-lantern-7"


@pytest.fixture
def eager_celery():
    from portal.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def accept_path(invitation):
    return reverse("accounts:invitation-accept", args=[services.invitation_token(invitation)])


def test_partnership_lead_invites_a_colleague_who_gets_a_single_use_link(
    client, partnership_lead, icb, eager_celery, django_capture_on_commit_callbacks
):
    client.force_login(partnership_lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:invitation-create"),
            {
                "organisation": icb.pk,
                "first_name": "Grace",
                "last_name": "Hopper",
                "job_title": "Deputy partnership lead",
                "email": "Grace.Hopper@Example.org",
                "role": Membership.Role.PARTNERSHIP_LEAD,
            },
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.email == "grace.hopper@example.org"
    assert invitation.invited_by == partnership_lead
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["grace.hopper@example.org"]
    assert icb.name in message.subject
    pattern = re.escape(settings.SITE_URL) + r"(/invitations/accept/\S+/)"
    link = re.search(pattern, message.body).group(1)

    client.logout()
    page = client.get(link)
    assert page.status_code == 200
    assert "Set up your account" in page.content.decode()
    done = client.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302
    user = User.objects.get(email="grace.hopper@example.org")
    assert user.check_password(NEW_PASSWORD)
    assert client.session["_auth_user_id"] == str(user.pk)
    assert EmailAddress.objects.get(user=user).verified
    assert Membership.objects.filter(
        user=user, organisation=icb, role=Membership.Role.PARTNERSHIP_LEAD
    ).exists()
    # The new lead may now change the organisation's details (django-guardian).
    assert user.has_perm("accounts.change_organisation", icb)

    client.logout()
    again = client.get(link)
    assert again.status_code == 410
    assert "already been used" in again.content.decode()
    reuse = client.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert reuse.status_code == 410
    assert User.objects.filter(email="grace.hopper@example.org").count() == 1


def test_expired_invitation_is_refused_with_a_clear_message(client, db):
    invitation = InvitationFactory(expires_at=timezone.now() - timezone.timedelta(minutes=1))
    response = client.get(accept_path(invitation))
    assert response.status_code == 410
    assert "This invitation has expired" in response.content.decode()
    post = client.post(
        accept_path(invitation), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert post.status_code == 410
    assert not User.objects.filter(email=invitation.email).exists()


def test_withdrawn_invitation_is_refused(client, partnership_lead, icb):
    invitation = InvitationFactory(organisation=icb, invited_by=partnership_lead)
    client.force_login(partnership_lead)
    client.post(reverse("accounts:invitation-revoke", args=[invitation.pk]))
    client.logout()
    response = client.get(accept_path(invitation))
    assert response.status_code == 410
    assert "withdrawn" in response.content.decode()


def test_tampered_link_is_refused(client, db):
    invitation = InvitationFactory()
    token = services.invitation_token(invitation)
    response = client.get(reverse("accounts:invitation-accept", args=[token[:-2] + "xx"]))
    assert response.status_code == 410
    assert "not valid" in response.content.decode()


def test_weak_password_is_refused_and_the_invitation_stays_usable(client, db):
    invitation = InvitationFactory()
    path = accept_path(invitation)
    response = client.post(path, {"password1": "password", "password2": "password"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    assert "This password is too short" in body
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert not User.objects.filter(email=invitation.email).exists()
    mismatch = client.post(path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"})
    assert "The passwords do not match" in mismatch.content.decode()
    assert (
        client.post(path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}).status_code == 302
    )


def test_accepting_twice_creates_one_account(db):
    invitation = InvitationFactory()
    token = services.invitation_token(invitation)
    services.invitation_accept(token=token, password=NEW_PASSWORD)
    with pytest.raises(services.InvitationInvalid, match="already been used"):
        services.invitation_accept(token=token, password=NEW_PASSWORD)
    assert User.objects.filter(email=invitation.email).count() == 1
    assert Membership.objects.filter(user__email=invitation.email).count() == 1


def test_a_lead_cannot_invite_to_another_organisation(partnership_lead):
    other = OrganisationFactory()
    with pytest.raises(PermissionDenied):
        services.invitation_create(
            organisation=other,
            email="x@example.org",
            first_name="X",
            last_name="Y",
            role=Membership.Role.PARTNERSHIP_LEAD,
            actor=partnership_lead,
        )


def test_a_lead_cannot_appoint_a_chair_or_auditor(partnership_lead, icb):
    for role in (Membership.Role.PANEL_CHAIR, Membership.Role.AUDITOR):
        with pytest.raises(ValidationError):
            services.invitation_create(
                organisation=icb,
                email="x@example.org",
                first_name="X",
                last_name="Y",
                role=role,
                actor=partnership_lead,
            )
    assert not Invitation.objects.exists()


def test_company_roles_fit_companies(administrator, company):
    with pytest.raises(ValidationError):
        services.invitation_create(
            organisation=company,
            email="x@example.org",
            first_name="X",
            last_name="Y",
            role=Membership.Role.PANEL_MEMBER,
            actor=administrator,
        )
    invitation = services.invitation_create(
        organisation=company,
        email="x@example.org",
        first_name="X",
        last_name="Y",
        role=Membership.Role.INDUSTRY_MEMBER,
        actor=administrator,
    )
    assert invitation.status == Invitation.Status.PENDING


def test_inviting_an_existing_account_says_so_on_the_page(
    client, partnership_lead, icb, industry_member
):
    client.force_login(partnership_lead)
    response = client.post(
        reverse("accounts:invitation-create"),
        {
            "organisation": icb.pk,
            "first_name": "A",
            "last_name": "B",
            "email": industry_member.email,
            "role": Membership.Role.PARTNERSHIP_LEAD,
        },
    )
    assert response.status_code == 200
    assert "already has an account" in response.content.decode()
    assert not Invitation.objects.exists()


def test_empty_invitation_form_shows_the_error_summary(client, partnership_lead):
    client.force_login(partnership_lead)
    response = client.post(reverse("accounts:invitation-create"), {})
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert 'href="#id_email"' in body
    for message in ("Enter their first name", "Enter their email address", "Select their role"):
        assert message in body
    assert not Invitation.objects.exists()


def test_a_new_invitation_replaces_a_pending_one(partnership_lead, icb):
    kwargs = {
        "organisation": icb,
        "email": "dup@example.org",
        "first_name": "D",
        "last_name": "U",
        "role": Membership.Role.PARTNERSHIP_LEAD,
        "actor": partnership_lead,
    }
    first = services.invitation_create(**kwargs)
    second = services.invitation_create(**kwargs)
    first.refresh_from_db()
    assert first.status == Invitation.Status.REVOKED
    assert second.status == Invitation.Status.PENDING


def test_invitation_list_shows_only_own_organisations(client, partnership_lead, icb):
    mine = InvitationFactory(
        organisation=icb, invited_by=partnership_lead, email="mine@example.org"
    )
    InvitationFactory(email="theirs@example.org")
    client.force_login(partnership_lead)
    body = client.get(reverse("accounts:invitation-list")).content.decode()
    assert mine.email in body
    assert "theirs@example.org" not in body


def test_withdrawing_someone_elses_invitation_is_404(client, partnership_lead):
    other = InvitationFactory()
    client.force_login(partnership_lead)
    response = client.post(reverse("accounts:invitation-revoke", args=[other.pk]))
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.revoked_at is None


def test_an_invitation_is_emailed_once_however_often_its_task_is_delivered(db):
    invitation = InvitationFactory(email="once@example.org")
    assert services.invitation_send(invitation_id=invitation.pk)
    # A second delivery (a worker killed after sending, the outbox publishing twice).
    assert not services.invitation_send(invitation_id=invitation.pk)
    assert [m.to for m in mail.outbox] == [["once@example.org"]]
    invitation.refresh_from_db()
    assert invitation.emailed_at is not None


def test_a_failed_send_leaves_the_invitation_to_be_sent_by_the_retry(db, monkeypatch):
    invitation = InvitationFactory(email="retry@example.org")

    def refuse(**kwargs):
        raise OSError("SMTP server not answering")

    with monkeypatch.context() as patched:
        patched.setattr(services, "email_send", refuse)
        with pytest.raises(OSError):
            services.invitation_send(invitation_id=invitation.pk)
    invitation.refresh_from_db()
    assert invitation.emailed_at is None
    assert services.invitation_send(invitation_id=invitation.pk)
    assert len(mail.outbox) == 1


def test_names_in_the_invitation_email_are_escaped_in_its_html(db):
    """Names and organisation names are typed by people: in the HTML part they are text,
    never markup; the plain-text part keeps them as typed."""
    script = '<script>alert("x")</script>'
    invitation = InvitationFactory(
        first_name=f"Ada {script}",
        organisation=OrganisationFactory(name=f"Evil & Co {script}"),
    )

    assert services.invitation_send(invitation_id=invitation.pk)

    message = mail.outbox[-1]
    html = message.alternatives[0][0]
    assert script not in html
    assert "&lt;script&gt;" in html and "Evil &amp; Co" in html
    assert f"Ada {script}" in message.body


def test_every_plain_text_email_template_turns_html_escaping_off():
    """Plain text is not HTML: "&amp;" in a text email is a mistake (the HTML part escapes)."""
    from pathlib import Path

    folder = Path(settings.BASE_DIR) / "templates" / "emails"
    texts = sorted(folder.glob("*/*.txt"))
    assert texts
    for path in texts:
        source = path.read_text()
        assert source.startswith("{% autoescape off %}"), path
        assert source.rstrip().endswith("{% endautoescape %}"), path


@pytest.mark.parametrize(
    ("new_password", "message"),
    [
        ("Short-1", "This password is too short. It must contain at least 12 characters."),
        ("qwerty123456", "This password is too common."),
        ("830274619502", "This password is entirely numeric."),
        ("grace.hopper.example", "The password is too similar to the"),
    ],
)
def test_django_password_validators_apply_when_accepting_an_invitation(
    client, db, new_password, message
):
    invitation = InvitationFactory(email="grace.hopper.example@example.org")
    response = client.post(
        accept_path(invitation), {"password1": new_password, "password2": new_password}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.filter(email=invitation.email).exists()


def test_the_invitation_task_tries_again_when_the_database_is_unavailable(db, monkeypatch):
    from django.db import OperationalError

    from accounts.tasks import invitation_send_task

    invitation = InvitationFactory(email="later@example.org")
    send = services.invitation_send
    calls = []

    def unavailable_once(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return send(**kwargs)

    monkeypatch.setattr(services, "invitation_send", unavailable_once)
    assert invitation_send_task.apply(args=[invitation.pk]).get() is True
    assert len(calls) == 2
    assert [m.to for m in mail.outbox] == [["later@example.org"]]
