"""The public transparency register: no sign-in."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from audit.versions import cached_page
from governance.selectors import register


def register_list(request):
    """The public register, searched and filtered; the same for everyone, so cached once
    for each search at the data's version."""

    def context() -> dict:
        params = {
            k: request.GET.get(k, "").strip() for k in ("q", "icb", "company", "area", "year")
        }
        projects = register.register_search(register.published_projects(), params["q"])
        projects = register.register_filters(
            projects,
            icb=params["icb"],
            company=params["company"],
            area=params["area"],
            year=params["year"],
        )
        page = Paginator(projects, 20).get_page(request.GET.get("page"))
        return {"page": page, "params": params, **register.register_choices()}

    return cached_page(
        request,
        "governance/register_list.html",
        name="register",
        parts=(timezone.localdate(),),
        context=context,
    )


def register_entry(request, reference):
    return render(
        request,
        "governance/register_entry.html",
        {"project": register.register_entry(reference)},
    )


urlpatterns = [
    path("register/", register_list, name="register"),
    path("register/<str:reference>/", register_entry, name="register-entry"),
]
