"""The learning library page."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import path

from outcomes.selectors import learning


@login_required
def learning_library(request):
    params = {k: request.GET.get(k, "").strip()[:200] for k in ("q", "area", "outcome")}
    lessons = learning.lesson_search(
        learning.lessons_for(user=request.user),
        text=params["q"],
        area=params["area"],
        outcome=params["outcome"],
    )
    page = Paginator(lessons, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "outcomes/learning_library.html",
        {"page": page, "params": params, "areas": learning.therapy_areas()},
    )


urlpatterns = [path("learning/", learning_library, name="learning-library")]
