from rest_framework import exceptions, permissions

from api.models import ApiToken


class ReadOnlyToken(exceptions.PermissionDenied):
    default_detail = (
        "This token is read only: make a read and write token on the API tokens page to "
        "change anything"
    )
    default_code = "read_only_token"


class TokenScope(permissions.BasePermission):
    """A read-only token may only read (GET, HEAD, OPTIONS)."""

    def has_permission(self, request, view):
        token = request.auth
        if (
            isinstance(token, ApiToken)
            and request.method not in permissions.SAFE_METHODS
            and not token.can_write
        ):
            raise ReadOnlyToken()
        return True
