"""Personal access tokens: make one (shown once) and revoke it, each audited."""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.selectors import is_administrator
from api.models import ApiToken
from audit.services import audit_record

TOKEN_PREFIX = "pp_"  # noqa: S105 (how every token begins, not a secret)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_secret() -> tuple[str, str]:
    """(prefix, whole token): 8 hexadecimal characters to find the row, then 256 random bits."""
    prefix = secrets.token_hex(4)
    return prefix, f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"


def max_expiry_date(today: datetime.date | None = None) -> datetime.date:
    today = today or timezone.localdate()
    return today + datetime.timedelta(days=settings.PORTAL_API_TOKEN_MAX_DAYS)


def token_errors(*, name: str, scope: str, expires_on, today=None) -> dict[str, str]:
    """What is wrong with a token request, by field: shared by the form and the service."""
    today = today or timezone.localdate()
    errors = {}
    if not (name or "").strip():
        errors["name"] = "Enter a name for the token, so you can recognise it later"
    elif len(name.strip()) > 100:
        errors["name"] = "The name must be 100 characters or fewer"
    if scope not in ApiToken.Scope.values:
        errors["scope"] = "Select read only or read and write"
    if not isinstance(expires_on, datetime.date):
        errors["expires_on"] = "Enter the date the token expires"
    elif expires_on <= today:
        errors["expires_on"] = "The expiry date must be in the future"
    elif expires_on > max_expiry_date(today):
        errors["expires_on"] = (
            f"The expiry date must be no more than {settings.PORTAL_API_TOKEN_MAX_DAYS} days "
            f"from today, on or before {max_expiry_date(today):%-d %B %Y}"
        )
    return errors


def token_create(
    *, user: User, name: str, scope: str, expires_on: datetime.date, actor: User
) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the row and the token itself, which is not stored
    and cannot be shown again. It works until the end of ``expires_on`` (portal time)."""
    if actor is None or actor.pk != user.pk:
        raise PermissionDenied("People make their own API tokens")
    errors = token_errors(name=name, scope=scope, expires_on=expires_on)
    if errors:
        raise ValidationError(errors)
    end_of_day = datetime.datetime.combine(
        expires_on + datetime.timedelta(days=1), datetime.time.min
    )
    expires_at = timezone.make_aware(end_of_day)
    with transaction.atomic():
        while True:
            prefix, token = _new_secret()
            if not ApiToken.objects.filter(prefix=prefix).exists():
                break
        row = ApiToken.objects.create(
            user=user,
            name=name.strip(),
            prefix=prefix,
            token_hash=token_hash(token),
            scope=scope,
            expires_at=expires_at,
        )
        audit_record(
            actor=actor,
            action="api_token.create",
            obj=row,
            after={
                "user": user.email,
                "name": row.name,
                "prefix": prefix,
                "scope": scope,
                "expires_at": expires_at.isoformat(),
            },
        )
    return row, token


def token_revoke(*, token: ApiToken, actor: User) -> ApiToken:
    """Stop a token working at once. Revoking one already revoked changes nothing."""
    if not (actor.pk == token.user_id or is_administrator(actor)):
        raise PermissionDenied("You can revoke only your own API tokens")
    with transaction.atomic():
        now = timezone.now()
        changed = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=now
        )
        token.refresh_from_db()
        if changed:
            audit_record(
                actor=actor,
                action="api_token.revoke",
                obj=token,
                before={"revoked_at": None},
                after={"prefix": token.prefix, "revoked_at": now.isoformat()},
            )
    return token


def token_touch(token: ApiToken) -> None:
    """Note when a token was last used, at most once a minute (one conditional update)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > datetime.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
