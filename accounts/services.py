"""Writes for accounts, organisations, memberships and invitations.

Each function validates, runs in one transaction, and queues side effects
(emails) in the transactional outbox, published after commit, so a rolled-back change
sends nothing and a committed one sends even if Redis was down at the time.
"""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from accounts import selectors
from accounts.models import Invitation, Membership, Organisation, User
from audit.services import audit_record
from outbox.services import outbox_enqueue

INVITATION_SALT = "accounts.invitation"
ORGANISATION_FIELDS = (
    "name",
    "kind",
    "ods_code",
    "companies_house_number",
    "address_line_1",
    "address_line_2",
    "town",
    "postcode",
    "website",
    "contact_email",
    "contact_phone",
    "partnership_lead",
)


# Emails -----------------------------------------------------------------------


def email_send(*, template: str, to: list[str], context: dict) -> None:
    """Render templates/emails/<template>/{subject.txt,body.txt,body.html} and send."""
    context = {"site_url": settings.SITE_URL, **context}
    subject = render_to_string(f"emails/{template}/subject.txt", context).strip()
    body = render_to_string(f"emails/{template}/body.txt", context)
    html = render_to_string(f"emails/{template}/body.html", context)
    message = EmailMultiAlternatives(
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject, body=body, to=to
    )
    message.attach_alternative(html, "text/html")
    message.send()


# Organisations ----------------------------------------------------------------


def _validate_partnership_lead(organisation: Organisation) -> None:
    lead = organisation.partnership_lead
    if lead and not Membership.objects.filter(user=lead, organisation=organisation).exists():
        raise ValidationError(
            {"partnership_lead": "The partnership lead must be a member of the organisation"}
        )


def organisation_create(*, actor: User, **fields) -> Organisation:
    if not selectors.is_administrator(actor):
        raise PermissionDenied("Only an administrator can add an organisation")
    organisation = Organisation(**{k: v for k, v in fields.items() if k in ORGANISATION_FIELDS})
    organisation.full_clean()
    _validate_partnership_lead(organisation)
    with transaction.atomic():
        organisation.save()
        audit_record(
            actor=actor,
            action="organisation.create",
            obj=organisation,
            after=_organisation_fields(organisation),
        )
    return organisation


def _organisation_fields(organisation: Organisation) -> dict:
    values = {name: getattr(organisation, name) for name in ORGANISATION_FIELDS}
    values["partnership_lead"] = organisation.partnership_lead_id
    return values


def organisation_update(*, organisation: Organisation, actor: User, **fields) -> Organisation:
    selectors.organisation_for_edit(user=actor, pk=organisation.pk)
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        before = _organisation_fields(organisation)
        for name, value in fields.items():
            if name in ORGANISATION_FIELDS:
                setattr(organisation, name, value)
        organisation.full_clean()
        _validate_partnership_lead(organisation)
        organisation.save()
        after = _organisation_fields(organisation)
        changed = [k for k in after if after[k] != before[k]]
        if changed:
            audit_record(
                actor=actor,
                action="organisation.update",
                obj=organisation,
                before={k: before[k] for k in changed},
                after={k: after[k] for k in changed},
            )
    return organisation


# Memberships ------------------------------------------------------------------


def organisation_group(organisation: Organisation):
    """The auth group of everyone in the organisation, created when first needed."""
    from django.contrib.auth.models import Group

    if organisation.group_id is None:
        with transaction.atomic():
            locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
            if locked.group_id is None:
                locked.group = Group.objects.create(name=f"organisation:{organisation.pk}")
                locked.save(update_fields=["group"])
            organisation.group = locked.group
    return organisation.group


def membership_add(*, user: User, organisation: Organisation, role: str) -> Membership:
    """Give a user a role; partnership leads may then edit their organisation's details."""
    if role not in dict(Membership.roles_for(organisation)):
        label, kind = Membership.Role(role).label, organisation.get_kind_display()
        raise ValidationError({"role": f"{label} is not a role in an organisation of kind {kind}"})
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(
            user=user, organisation=organisation, role=role
        )
        user.groups.add(organisation_group(organisation))
        if created:
            audit_record(
                actor=None,
                action="membership.add",
                obj=organisation,
                after={"user": user.email, "role": role},
            )
        if role == Membership.Role.PARTNERSHIP_LEAD:
            assign_perm("accounts.change_organisation", user, organisation)
    return membership


def membership_remove(*, membership: Membership) -> None:
    with transaction.atomic():
        user, organisation, role = membership.user, membership.organisation, membership.role
        membership.delete()
        audit_record(
            actor=None,
            action="membership.remove",
            obj=organisation,
            before={"user": user.email, "role": role},
        )
        if not Membership.objects.filter(user=user, organisation=organisation).exists():
            user.groups.remove(organisation_group(organisation))
        still_lead = Membership.objects.filter(
            user=user, organisation=organisation, role=Membership.Role.PARTNERSHIP_LEAD
        ).exists()
        if role == Membership.Role.PARTNERSHIP_LEAD and not still_lead:
            remove_perm("accounts.change_organisation", user, organisation)
            Organisation.objects.filter(pk=organisation.pk, partnership_lead=user).update(
                partnership_lead=None
            )


# Invitations ------------------------------------------------------------------


def invitation_token(invitation: Invitation) -> str:
    """A signed token for the invitation's link; nothing secret is stored in the database."""
    return signing.dumps(str(invitation.key), salt=INVITATION_SALT)


def invitation_url(invitation: Invitation) -> str:
    return settings.SITE_URL + reverse(
        "accounts:invitation-accept", args=[invitation_token(invitation)]
    )


class InvitationInvalid(Exception):
    """The link cannot be used; the message says why, for the person holding it."""


def invitation_from_token(token: str) -> Invitation:
    try:
        key = signing.loads(token, salt=INVITATION_SALT)
        invitation = Invitation.objects.select_related("organisation").get(key=key)
    except (signing.BadSignature, Invitation.DoesNotExist, ValidationError, ValueError) as exc:
        raise InvitationInvalid(
            "This invitation link is not valid. Check you copied the whole link from the email."
        ) from exc
    _check_usable(invitation)
    return invitation


def _check_usable(invitation: Invitation) -> None:
    status = invitation.status
    if status == Invitation.Status.ACCEPTED:
        raise InvitationInvalid(
            "This invitation has already been used. Sign in with your email address and "
            "password, or reset your password if you have forgotten it."
        )
    if status == Invitation.Status.REVOKED:
        raise InvitationInvalid(
            "This invitation has been withdrawn. Ask the person who invited you to send a new one."
        )
    if status == Invitation.Status.EXPIRED:
        raise InvitationInvalid(
            "This invitation has expired. Ask the person who invited you to send a new one."
        )


def invitation_create(
    *,
    organisation: Organisation,
    email: str,
    first_name: str,
    last_name: str,
    role: str,
    actor: User,
    job_title: str = "",
    authorised_by: str = "",
) -> Invitation:
    """Invite someone to an organisation.

    Administrators invite to any organisation and partnership leads to their own.
    A higher app that has checked a rule of its own (a project lead inviting a
    partner company's staff, say) passes ``authorised_by`` naming that rule; the
    role must still fit the organisation.
    """
    own = selectors.organisations_user_can_invite_to(user=actor).filter(pk=organisation.pk)
    if not authorised_by and not own.exists():
        raise PermissionDenied("You can only invite people to your own organisation")
    email = (email or "").strip().lower()
    allowed_roles = (
        Membership.roles_for(organisation)
        if authorised_by
        else selectors.invitation_roles_for(user=actor, organisation=organisation)
    )
    if role not in dict(allowed_roles):
        raise ValidationError({"role": "Select a role you can offer in this organisation"})
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(
            {
                "email": "Someone with this email address already has an account. "
                "An administrator can give them a role in your organisation."
            }
        )
    now = timezone.now()
    with transaction.atomic():
        # A new invitation replaces any still pending for the same person and organisation.
        Invitation.objects.filter(
            organisation=organisation,
            email__iexact=email,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
        ).update(revoked_at=now)
        invitation = Invitation(
            organisation=organisation,
            email=email,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            job_title=job_title.strip(),
            role=role,
            invited_by=actor,
            expires_at=now + timedelta(days=settings.INVITATION_VALID_DAYS),
        )
        invitation.full_clean()
        invitation.save()
        audit_record(
            actor=actor,
            action="invitation.create",
            obj=invitation,
            after={
                "email": email,
                "organisation": organisation.name,
                "role": role,
                **({"authorised_by": authorised_by} if authorised_by else {}),
            },
        )
        outbox_enqueue(task="accounts.tasks.invitation_send_task", args=[invitation.pk])
    return invitation


def invitation_send(*, invitation_id: int) -> bool:
    """Email the invitation link, once, if it can still be used. Returns whether it was sent.

    The row is claimed (emailed_at still empty: exactly one row) in a transaction that a
    failed send rolls back, so a retry sends it; a second delivery of the task (a worker
    killed after sending, the outbox publishing twice) finds it claimed."""
    invitation = Invitation.objects.select_related("organisation", "invited_by").get(
        pk=invitation_id
    )
    if invitation.status != Invitation.Status.PENDING or invitation.emailed_at is not None:
        return False
    with transaction.atomic():
        claimed = Invitation.objects.filter(pk=invitation_id, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
        if claimed != 1:
            return False
        email_send(
            template="invitation",
            to=[invitation.email],
            context={
                "invitation": invitation,
                "accept_url": invitation_url(invitation),
                "role": invitation.get_role_display(),
            },
        )
    return True


def invitation_revoke(*, invitation: Invitation, actor: User) -> Invitation:
    selectors.invitation_for_manage(user=actor, pk=invitation.pk)
    with transaction.atomic():
        updated = Invitation.objects.filter(
            pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
        if not updated:
            raise ValidationError("Only a pending invitation can be withdrawn")
        audit_record(actor=actor, action="invitation.revoke", obj=invitation)
    invitation.refresh_from_db()
    return invitation


def invitation_accept(*, token: str, password: str) -> User:
    """Create the invited person's account with the password they chose.

    Single use: the invitation is claimed with a conditional update, so two
    submissions of the same link cannot both create an account.
    """
    invitation = invitation_from_token(token)
    candidate = User(
        email=invitation.email, first_name=invitation.first_name, last_name=invitation.last_name
    )
    validate_password(password, user=candidate)
    try:
        with transaction.atomic():
            now = timezone.now()
            claimed = Invitation.objects.filter(
                pk=invitation.pk,
                accepted_at__isnull=True,
                revoked_at__isnull=True,
                expires_at__gt=now,
            ).update(accepted_at=now)
            if not claimed:
                invitation.refresh_from_db()
                _check_usable(invitation)
                raise InvitationInvalid("This invitation can no longer be used.")
            user = User.objects.create_user(
                email=invitation.email,
                password=password,
                first_name=invitation.first_name,
                last_name=invitation.last_name,
                job_title=invitation.job_title,
            )
            # Following the emailed link proves the address is theirs.
            EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
            membership_add(user=user, organisation=invitation.organisation, role=invitation.role)
            Invitation.objects.filter(pk=invitation.pk).update(accepted_by=user)
            audit_record(
                actor=user, action="invitation.accept", obj=invitation, after={"user": user.email}
            )
    except IntegrityError as exc:
        raise InvitationInvalid(
            "An account with this email address already exists. Sign in instead."
        ) from exc
    return user
