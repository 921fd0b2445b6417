import time

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings

SIGNED_IN_AT = "accounts.signed_in_at"


def note_sign_in(sender, request, user, **kwargs):
    """Remember when this session signed in (connected to Django's user_logged_in)."""
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = time.time()


class AccountAdapter(DefaultAccountAdapter):
    """Public sign-up is closed: people join through an invitation."""

    def is_open_for_signup(self, request):
        return False

    def is_reauthentication_required(self, app=None):
        """A person who has only just signed in need not type their password again
        to set up MFA (the first thing the portal asks of panel members, chairs,
        auditors and administrators)."""
        required = super().is_reauthentication_required(app=app)
        if required and app == "allauth.mfa":
            request = context.request
            signed_in_at = request.session.get(SIGNED_IN_AT) if request else None
            if (
                signed_in_at
                and time.time() - signed_in_at < settings.ACCOUNT_REAUTHENTICATION_TIMEOUT
            ):
                return False
        return required


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Single sign-on signs in people who already have an account; it creates none."""

    def is_open_for_signup(self, request, sociallogin):
        return False
