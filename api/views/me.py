from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from accounts.selectors import profile_for
from api.errors import AUTH_ERRORS, errors
from api.models import ApiToken
from api.serializers import projects as s
from api.views.base import ApiView


class Me(ApiView):
    @extend_schema(
        operation_id="me_retrieve",
        summary="Who you are",
        description="The person the token belongs to, their roles, and the token's scope and "
        "expiry.",
        responses={200: s.MeSerializer, **errors(*AUTH_ERRORS)},
        tags=["me"],
    )
    def get(self, request):
        user, token = request.user, request.auth
        data = {
            "id": user.pk,
            "name": s.person(user),
            "email": user.email,
            "roles": [
                {"organisation": m.organisation.name, "role": m.role}
                for m in profile_for(user).memberships
            ],
            "token_scope": token.scope if isinstance(token, ApiToken) else None,
            "token_expires_at": token.expires_at if isinstance(token, ApiToken) else None,
        }
        return Response(s.MeSerializer(data).data)
