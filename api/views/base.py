from drf_spectacular.utils import OpenApiParameter
from rest_framework.views import APIView

from partnerships.selectors import projects as project_selectors


class ApiView(APIView):
    """Authentication, the token scope, throttling and the error format come from
    REST_FRAMEWORK in settings."""


def project_for(request, pk):
    """The project through the pages' selector: 404 to whoever may not see it."""
    return project_selectors.project_for_view(user=request.user, pk=pk)


PROJECT_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The project's id.")
