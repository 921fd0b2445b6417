"""The public transparency register: no sign-in."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import path

from governance.selectors import register


def register_list(request):
    params = {k: request.GET.get(k, "").strip() for k in ("q", "icb", "company", "area", "year")}
    projects = register.register_search(register.published_projects(), params["q"])
    projects = register.register_filters(
        projects,
        icb=params["icb"],
        company=params["company"],
        area=params["area"],
        year=params["year"],
    )
    page = Paginator(projects, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "governance/register_list.html",
        {"page": page, "params": params, **register.register_choices()},
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
