"""Declarations of interest: your declarations, declaring, managing conflicts, the register."""

import csv
import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone

from accounts.forms import apply_service_errors
from governance.forms.declarations import ConflictManagementForm, DeclarationForm
from governance.models import Declaration
from governance.selectors import declarations as selectors
from governance.services import declarations as services

FILTERS = ("icb", "person", "category", "project", "year")


@login_required
def declaration_list(request):
    user = request.user
    declarations = list(selectors.declarations_for(user=user))
    declared_projects = {d.project_id for d in declarations if d.project_id}
    projects = [
        {"project": p, "declared": p.pk in declared_projects}
        for p in selectors.declarable_projects(user=user)
    ]
    return render(
        request,
        "governance/declaration_list.html",
        {
            "declarations": declarations,
            "projects": projects,
            "can_declare_annual": selectors.can_make_annual_declaration(user),
            "annual_due": selectors.annual_declaration_due(user),
            "can_see_register": selectors.can_see_register(user),
            "year": timezone.localdate().year,
        },
    )


def _declare(request, *, project, role, template, context):
    form = DeclarationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.declaration_record(
                person=request.user,
                project=project,
                role=role,
                nil_return=form.nil_return,
                interests=form.cleaned_data["interests"],
                actor=request.user,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                "Your nil return has been recorded"
                if form.nil_return
                else "Your declaration of interests has been recorded",
            )
            return redirect("governance:declaration-list")
    return render(request, template, {"form": form, **context})


@login_required
def declaration_project_new(request, pk):
    project = selectors.project_for_declaration(user=request.user, pk=pk)
    role = selectors.declarable_role(request.user, project)
    return _declare(
        request,
        project=project,
        role=role,
        template="governance/declaration_form.html",
        context={
            "project": project,
            "role_label": Declaration.Role(role).label,
            "current": selectors.current_declaration(request.user, project),
        },
    )


@login_required
def declaration_annual_new(request):
    if not selectors.can_make_annual_declaration(request.user):
        raise PermissionDenied
    return _declare(
        request,
        project=None,
        role=Declaration.Role.DECISION_MAKER,
        template="governance/declaration_form.html",
        context={
            "annual": True,
            "year": timezone.localdate().year,
            "role_label": Declaration.Role.DECISION_MAKER.label,
            "current": selectors.current_declaration(request.user, None),
        },
    )


@login_required
def interest_manage(request, pk):
    interest = selectors.interest_for_manage(user=request.user, pk=pk)
    existing = getattr(interest, "management", None)
    initial = (
        {"action": existing.action, "excludes_from_decision": existing.excludes_from_decision}
        if existing
        else None
    )
    form = ConflictManagementForm(
        request.POST if request.method == "POST" else None, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.conflict_manage(
                interest=interest,
                action=form.cleaned_data["action"],
                excludes_from_decision=form.cleaned_data["excludes_from_decision"],
                actor=request.user,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"How {interest.declaration.person}'s interest is managed has been recorded",
            )
            return redirect("governance:declaration-register")
    return render(
        request,
        "governance/declaration_manage.html",
        {"interest": interest, "declaration": interest.declaration, "form": form},
    )


def _register(request):
    declarations = selectors.register_for(user=request.user)
    params = {k: request.GET.get(k, "").strip() for k in FILTERS}
    return declarations, params, selectors.register_filter(declarations, **params)


@login_required
def declaration_register(request):
    declarations, params, filtered = _register(request)
    page = Paginator(filtered, 50).get_page(request.GET.get("page"))
    rows = [
        {
            "declaration": d,
            "icb": selectors.register_icb_label(d),
            "interests": list(d.interests.all()),
        }
        for d in page
    ]
    query = "&".join(f"{k}={v}" for k, v in params.items() if v)
    return render(
        request,
        "governance/declaration_register.html",
        {
            "page": page,
            "rows": rows,
            "params": params,
            "query": query,
            "can_manage": request.profile.has_role("panel_chair")
            or request.profile.is_administrator,
            **selectors.register_choices(declarations, user=request.user),
        },
    )


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """A cell as text: dates in ISO 8601, and anything a spreadsheet could run as a formula
    made inert with a leading single quote."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).isoformat(timespec="seconds")
    elif isinstance(value, datetime.date):
        value = value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


CSV_HEADER = [
    "ICB",
    "Person",
    "Email",
    "Declared as",
    "Project reference",
    "Project",
    "Annual declaration year",
    "Declared at",
    "Nil return",
    "Category",
    "Type",
    "Description",
    "Organisation concerned",
    "From",
    "To",
    "Became aware on",
    "How the conflict is managed",
    "Excluded from the decision",
    "Managed by",
    "Managed at",
]


@login_required
def declaration_register_csv(request):
    _, _, filtered = _register(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="declarations-of-interest.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    for d in filtered.iterator(chunk_size=500):
        common = [
            selectors.register_icb_label(d),
            str(d.person),
            d.person.email,
            d.get_role_display(),
            d.project.reference if d.project_id else "",
            d.project.title if d.project_id else "",
            d.year,
            d.declared_at,
            d.nil_return,
        ]
        interests = list(d.interests.all()) or [None]
        for i in interests:
            m = getattr(i, "management", None) if i else None
            detail = (
                [
                    i.get_category_display(),
                    i.get_interest_type_display(),
                    i.description,
                    i.organisation_name,
                    i.start_date,
                    i.end_date,
                    i.became_aware_on,
                ]
                if i
                else [""] * 7
            )
            managed = (
                [m.action, m.excludes_from_decision, str(m.recorded_by), m.recorded_at]
                if m
                else [""] * 4
            )
            writer.writerow([csv_cell(v) for v in common + detail + managed])
    return response


urlpatterns = [
    path("declarations/", declaration_list, name="declaration-list"),
    path(
        "declarations/project/<int:pk>/new/",
        declaration_project_new,
        name="declaration-project-new",
    ),
    path("declarations/annual/new/", declaration_annual_new, name="declaration-annual-new"),
    path("declarations/interests/<int:pk>/manage/", interest_manage, name="interest-manage"),
    path("declarations/register/", declaration_register, name="declaration-register"),
    path("declarations/register.csv", declaration_register_csv, name="declaration-register-csv"),
]
