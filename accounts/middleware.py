from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from accounts.selectors import profile_for, user_has_mfa

# Pages a person who must set up MFA can still reach.
MFA_SETUP_URL_NAMES = (
    "mfa_activate_totp",
    "mfa_index",
    "mfa_generate_recovery_codes",
    "mfa_view_recovery_codes",
    "mfa_download_recovery_codes",
    "account_logout",
    "account_reauthenticate",
    "mfa_reauthenticate",
)
ALWAYS_ALLOWED_PREFIXES = ("/static/", "/healthz")


class RequireMFAMiddleware:
    """Panel members, chairs, auditors and administrators reach nothing but the
    MFA set-up pages until they have an authenticator app set up."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._allowed = None

    def allowed_paths(self):
        if self._allowed is None:
            self._allowed = {reverse(name) for name in MFA_SETUP_URL_NAMES}
        return self._allowed

    def __call__(self, request):
        user = request.user
        request.profile = profile_for(user)
        if (
            user.is_authenticated
            and not request.path.startswith(ALWAYS_ALLOWED_PREFIXES)
            and request.path not in self.allowed_paths()
            and request.profile.requires_mfa
            and not user_has_mfa(user)
        ):
            messages.warning(
                request,
                "Your role needs two-factor authentication. Set up an authenticator app "
                "to continue.",
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)
