"""Reads of API tokens: a person sees and revokes only their own."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from api.models import ApiToken


def tokens_for(*, user) -> QuerySet[ApiToken]:
    if not user.is_authenticated:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user)


def token_for_manage(*, user, pk) -> ApiToken:
    return get_object_or_404(tokens_for(user=user), pk=pk)


def token_by_prefix(prefix: str) -> ApiToken | None:
    return ApiToken.objects.select_related("user").filter(prefix=prefix).first()
