from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """Public sign-up is closed: people join through an invitation."""

    def is_open_for_signup(self, request):
        return False


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Single sign-on signs in people who already have an account; it creates none."""

    def is_open_for_signup(self, request, sociallogin):
        return False
