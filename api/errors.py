"""Every error as JSON with a stable code and a message:
``{"error": {"code": "validation_error", "message": "...", "fields": {"title": ["..."]}}}``.

The services raise Django's ValidationError and PermissionDenied, and the selectors Http404;
they become 400, 403 and 404 here, so the views call them exactly as the pages do.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from governance.services.gates import SignOffRefused
from partnerships.services.projects import TransitionRefused

NON_FIELD = "non_field_errors"
DEFAULT_MESSAGES = {
    "validation_error": "Check the fields named in the error",
    "permission_denied": "You do not have permission to do this",
    "not_found": "Not found",
    "bad_request": "The request could not be read",
    "server_error": "Something went wrong on our side; nothing was changed. Try again later",
}


def _flatten(detail, prefix="") -> dict[str, list[str]]:
    """DRF's nested error detail as {"field.0.name": [messages]}."""
    fields: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = str(key) if not prefix else f"{prefix}.{key}"
            if key in (NON_FIELD, "__all__"):
                name = prefix or NON_FIELD
            for k, v in _flatten(value, name).items():
                fields.setdefault(k, []).extend(v)
    elif isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            fields.setdefault(prefix or NON_FIELD, []).extend(str(item) for item in detail)
        else:
            for index, item in enumerate(detail):
                name = f"{prefix}.{index}" if prefix else str(index)
                for k, v in _flatten(item, name).items():
                    fields.setdefault(k, []).extend(v)
    else:
        fields.setdefault(prefix or NON_FIELD, []).append(str(detail))
    return fields


def _django_fields(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {
            (NON_FIELD if field == "__all__" else field): list(messages)
            for field, messages in exc.message_dict.items()
        }
    return {NON_FIELD: list(exc.messages)}


def _message(fields: dict[str, list[str]]) -> str:
    if fields.get(NON_FIELD):
        return " ".join(fields[NON_FIELD])
    for messages in fields.values():
        if messages:
            return messages[0]
    return DEFAULT_MESSAGES["validation_error"]


def error_body(code: str, message: str, **extra) -> dict:
    return {"error": {"code": code, "message": message, **extra}}


def is_api_path(path: str) -> bool:
    """The API's own addresses: its errors are JSON even where DRF never runs (no URL
    matched, a request refused by middleware, a fault)."""
    return path.startswith("/api/v1/") or path == "/api/v1"


def json_error(status_code: int, code: str, message: str | None = None) -> JsonResponse:
    """An error outside DRF's views, in the same shape as the views' errors."""
    return JsonResponse(
        error_body(code, message or DEFAULT_MESSAGES.get(code, code)), status=status_code
    )


def _response(status_code: int, body: dict, headers=None) -> Response:
    response = Response(body, status=status_code)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def api_exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        set_rollback()
        fields = _django_fields(exc)
        return _response(400, error_body("validation_error", _message(fields), fields=fields))
    if isinstance(exc, SignOffRefused):
        set_rollback()
        return _response(403, error_body("sign_off_refused", str(exc), reasons=exc.problems))
    if isinstance(exc, TransitionRefused):
        set_rollback()
        return _response(409, error_body("invalid_state", str(exc)))
    if isinstance(exc, Http404):
        set_rollback()
        message = str(exc) if exc.args and exc.args[0] else DEFAULT_MESSAGES["not_found"]
        return _response(404, error_body("not_found", message))
    if isinstance(exc, DjangoPermissionDenied):
        set_rollback()
        message = str(exc) or DEFAULT_MESSAGES["permission_denied"]
        return _response(403, error_body("permission_denied", message))
    if not isinstance(exc, exceptions.APIException):
        return None  # a real fault: Django's 500 handler and logging
    set_rollback()
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        return _response(
            exc.status_code,
            error_body("validation_error", _message(fields), fields=fields),
            headers,
        )
    code = exc.get_codes()
    code = code if isinstance(code, str) else exc.default_code
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.default_detail)
    if isinstance(exc, exceptions.NotAuthenticated):
        code = "not_authenticated"
        detail = "Send a personal access token: Authorization: Bearer followed by the token"
    if isinstance(exc, exceptions.Throttled):
        code = "throttled"
    return _response(exc.status_code, error_body(code, str(detail)), headers)


# The error's shape in the OpenAPI schema ---------------------------------------------------

ErrorSerializer = inline_serializer(
    "Error",
    {
        "error": inline_serializer(
            "ErrorDetail",
            {
                "code": serializers.CharField(help_text="Stable: for programs to act on."),
                "message": serializers.CharField(help_text="For people, in British English."),
                "fields": serializers.DictField(
                    child=serializers.ListField(child=serializers.CharField()),
                    required=False,
                    help_text="Validation errors by field (nested fields dotted: "
                    "interests.0.start_date).",
                ),
                "reasons": serializers.ListField(
                    child=serializers.CharField(),
                    required=False,
                    help_text="Why a sign-off was refused.",
                ),
            },
        )
    },
)


def errors(*codes: int) -> dict:
    """The error responses of an operation, for extend_schema(responses=...)."""
    text = {
        400: "Invalid input, with the fields named",
        401: "No token, or a token that is not valid, expired or revoked",
        403: "Not allowed (a read-only token writing, a role that may not act)",
        404: "Not found, or not visible to you",
        409: "Not possible in the object's present state",
        429: "Too many requests: wait for the time in Retry-After",
    }
    return {c: OpenApiResponse(ErrorSerializer, description=text[c]) for c in codes}


AUTH_ERRORS = (401, 403, 429)
__all__ = [
    "api_exception_handler",
    "error_body",
    "errors",
    "is_api_path",
    "json_error",
    "status",
]
