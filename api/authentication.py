"""Bearer-token authentication with personal access tokens, and its OpenAPI description."""

import hmac

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, status

from accounts.selectors import profile_for, user_has_mfa
from api import selectors
from api.services import TOKEN_PREFIX, token_hash, token_touch


class MfaRequired(exceptions.APIException):
    status_code = status.HTTP_403_FORBIDDEN
    default_detail = _(
        "Your role needs two-factor authentication: set up an authenticator app in the portal "
        "before using the API"
    )
    default_code = "mfa_required"


class TokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer pp_<prefix>_<secret>``. The prefix finds the token; the SHA-256
    of the whole token must match what was stored. Expired and revoked tokens are refused, and
    so is anyone whose role needs two-factor authentication while they have none set up (the
    pages refuse them too)."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "Give the token after Bearer, with no spaces in it", code="authentication_failed"
            )
        try:
            token = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(
                "The token is not valid", code="authentication_failed"
            ) from None
        return self.authenticate_token(token)

    def authenticate_token(self, token: str):
        invalid = exceptions.AuthenticationFailed(
            "The token is not valid", code="authentication_failed"
        )
        if not token.startswith(TOKEN_PREFIX) or token.count("_") < 2:
            raise invalid
        prefix = token[len(TOKEN_PREFIX) :].split("_", 1)[0]
        row = selectors.token_by_prefix(prefix) if prefix.isalnum() else None
        if row is None or not hmac.compare_digest(row.token_hash, token_hash(token)):
            raise invalid
        if row.revoked_at is not None:
            raise exceptions.AuthenticationFailed(
                "This token has been revoked", code="token_revoked"
            )
        if row.is_expired:
            raise exceptions.AuthenticationFailed("This token has expired", code="token_expired")
        user = row.user
        if not user.is_active:
            raise invalid
        if profile_for(user).requires_mfa and not user_has_mfa(user):
            raise MfaRequired()
        token_touch(row)
        return user, row

    def authenticate_header(self, request):
        return f'{self.keyword} realm="api"'


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal access token from the portal's API tokens page.",
        }
