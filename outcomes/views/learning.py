"""The learning library page."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.urls import path
from django.utils import timezone

from audit.versions import cached_page
from outcomes.selectors import learning


@login_required
def learning_library(request):
    """Lessons the person may see, searched; cached for them at the data's version."""

    def context() -> dict:
        params = {k: request.GET.get(k, "").strip()[:200] for k in ("q", "area", "outcome")}
        lessons = learning.lesson_search(
            learning.lessons_for(user=request.user),
            text=params["q"],
            area=params["area"],
            outcome=params["outcome"],
        )
        page = Paginator(lessons, 20).get_page(request.GET.get("page"))
        return {"page": page, "params": params, "areas": learning.therapy_areas()}

    return cached_page(
        request,
        "outcomes/learning_library.html",
        name="learning-library",
        parts=(request.user.pk, timezone.localdate()),
        context=context,
    )


urlpatterns = [path("learning/", learning_library, name="learning-library")]
