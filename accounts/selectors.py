"""Permission-scoped reads for accounts and organisations.

Views fetch through these so that no page forgets a check: an object the user
may not see is a 404, an action the user may not take is a 403.
"""

from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import Invitation, Membership, Organisation, User

Role = Membership.Role


def is_administrator(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff)


@dataclass
class Profile:
    """What the layout and the permission checks need to know about a user."""

    user: User

    @cached_property
    def memberships(self) -> list[Membership]:
        if not self.user.is_authenticated:
            return []
        return list(self.user.memberships.select_related("organisation"))

    @cached_property
    def roles(self) -> set[str]:
        return {m.role for m in self.memberships}

    @property
    def is_administrator(self) -> bool:
        return is_administrator(self.user)

    @property
    def primary(self) -> Membership | None:
        return self.memberships[0] if self.memberships else None

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def organisations_with_role(self, *roles: str) -> list[Organisation]:
        return [m.organisation for m in self.memberships if m.role in roles]

    @property
    def requires_mfa(self) -> bool:
        return self.is_administrator or self.has_role(*settings.MFA_REQUIRED_ROLES)

    @property
    def role_label(self) -> str:
        if self.primary:
            return self.primary.get_role_display()
        return "Administrator" if self.is_administrator else ""

    @property
    def can_audit(self) -> bool:
        return self.is_administrator or self.has_role(Role.AUDITOR)

    @property
    def is_reviewer(self) -> bool:
        """Panel members and chairs: they review proposals at the governance gates."""
        return self.has_role(Role.PANEL_MEMBER, Role.PANEL_CHAIR)

    @property
    def can_invite(self) -> bool:
        return self.is_administrator or self.has_role(Role.PARTNERSHIP_LEAD)


def can_audit(user) -> bool:
    """Auditors and administrators: the audit trail, the compliance check, audit packs."""
    return bool(user.is_authenticated and profile_for(user).can_audit)


def profile_for(user) -> Profile:
    return Profile(user=user)


def user_has_mfa(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


# Organisations ---------------------------------------------------------------


def icb_directory() -> QuerySet[Organisation]:
    """ICBs with their named partnership lead: public information."""
    return Organisation.objects.filter(kind=Organisation.Kind.ICB).select_related(
        "partnership_lead"
    )


def organisation_list_for(*, user) -> QuerySet[Organisation]:
    """Every organisation, for a signed-in user (the partner directory)."""
    if not user.is_authenticated:
        raise PermissionDenied
    return Organisation.objects.select_related("partnership_lead")


def organisation_for_edit(*, user, pk) -> Organisation:
    """An organisation the user may change: administrators, and partnership leads of it."""
    organisation = get_object_or_404(Organisation, pk=pk)
    if not (is_administrator(user) or user.has_perm("accounts.change_organisation", organisation)):
        raise PermissionDenied
    return organisation


def organisations_user_can_invite_to(*, user) -> QuerySet[Organisation]:
    if is_administrator(user):
        return Organisation.objects.all()
    return Organisation.objects.filter(
        memberships__user=user, memberships__role=Role.PARTNERSHIP_LEAD
    ).distinct()


def invitation_roles_for(*, user, organisation) -> list[tuple[str, str]]:
    """Roles the user may offer in an invitation to this organisation."""
    roles = Membership.roles_for(organisation)
    if is_administrator(user):
        return roles
    # Partnership leads invite colleagues; chairs and auditors are appointed by administrators.
    return [(v, label) for v, label in roles if v not in (Role.PANEL_CHAIR, Role.AUDITOR)]


def invitation_list_for(*, user) -> QuerySet[Invitation]:
    if not profile_for(user).can_invite:
        raise PermissionDenied
    organisations = organisations_user_can_invite_to(user=user)
    return (
        Invitation.objects.filter(organisation__in=organisations)
        .select_related("organisation", "invited_by")
        .order_by("-created_at")
    )


def invitation_for_manage(*, user, pk) -> Invitation:
    return get_object_or_404(invitation_list_for(user=user), pk=pk)


def organisation_detail_for(*, user, pk) -> Organisation:
    """Any organisation's public details, for a signed-in user."""
    return get_object_or_404(organisation_list_for(user=user), pk=pk)


def organisation_members_for(*, user, organisation) -> QuerySet[Membership] | None:
    """Who holds which role: shown to administrators and the organisation's own members."""
    if not (
        is_administrator(user)
        or Membership.objects.filter(user=user, organisation=organisation).exists()
    ):
        return None
    return organisation.memberships.select_related("user").order_by(
        "role", "user__last_name", "user__first_name"
    )
