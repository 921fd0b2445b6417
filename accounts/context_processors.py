from django.conf import settings

from accounts.selectors import profile_for


def portal(request):
    profile = getattr(request, "profile", None)
    if profile is None and hasattr(request, "user"):
        profile = profile_for(request.user)
    return {
        "profile": profile,
        "sso_enabled": bool(settings.SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"]),
    }
