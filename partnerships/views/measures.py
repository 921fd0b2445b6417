"""Outcome measures, in the proposal's "Outcome measures and evaluation" section: add,
change and remove one, each on a page of its own."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse

from accounts.forms import apply_service_errors
from partnerships.forms.measures import OutcomeMeasureForm
from partnerships.selectors import projects as selectors
from partnerships.services import measures as measure_services
from partnerships.views.proposal import measure_rows

SECTION = measure_services.SECTION


def _project(request, pk):
    """The project, for someone who may change its outcome measures (404 for those who may
    not see it, 403 for those who may see but not change it)."""
    project = selectors.project_for_view(user=request.user, pk=pk)
    if not selectors.can_edit_section(request.user, project, SECTION):
        raise PermissionDenied("You cannot change this project's outcome measures")
    return project


def _measure(project, measure_pk):
    measure = next((m for m in project.measures.all() if m.pk == measure_pk), None)
    if measure is None:
        raise Http404("No such outcome measure")
    return measure


def _section_url(project) -> str:
    return reverse("partnerships:section-edit", args=[project.pk, SECTION]) + "#measures"


@login_required
def measure_add(request, pk):
    project = _project(request, pk)
    initial = {}
    wanted = request.GET.get("objective", "")
    if wanted.isdigit() and any(o.pk == int(wanted) for o in project.objectives.all()):
        initial["objective"] = int(wanted)
    form = OutcomeMeasureForm(
        request.POST if request.method == "POST" else None, project=project, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            measure = measure_services.outcome_measure_add(
                project=project, data=form.measure_data(), actor=request.user
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"The outcome measure “{measure.name}” has been added")
            return redirect(_section_url(project))
    return render(
        request,
        "partnerships/measure_form.html",
        {"project": project, "form": form, "measure": None},
    )


@login_required
def measure_edit(request, pk, measure_pk):
    project = _project(request, pk)
    measure = _measure(project, measure_pk)
    form = OutcomeMeasureForm(
        request.POST if request.method == "POST" else None, project=project, measure=measure
    )
    if request.method == "POST" and form.is_valid():
        try:
            measure = measure_services.outcome_measure_update(
                project=project, measure=measure, data=form.measure_data(), actor=request.user
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"The outcome measure “{measure.name}” has been saved")
            return redirect(_section_url(project))
    return render(
        request,
        "partnerships/measure_form.html",
        {"project": project, "form": form, "measure": measure},
    )


@login_required
def measure_remove(request, pk, measure_pk):
    """Ask, then remove."""
    project = _project(request, pk)
    measure = _measure(project, measure_pk)
    if request.method == "POST":
        try:
            measure_services.outcome_measure_remove(
                project=project, measure=measure, actor=request.user
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"The outcome measure “{measure.name}” has been removed")
        return redirect(_section_url(project))
    return render(
        request,
        "partnerships/measure_remove.html",
        {
            "project": project,
            "measure": measure,
            "rows": measure_rows(measure, with_objective=True),
        },
    )


urlpatterns = [
    path("<int:pk>/proposal/evaluation/measures/add/", measure_add, name="measure-add"),
    path(
        "<int:pk>/proposal/evaluation/measures/<int:measure_pk>/",
        measure_edit,
        name="measure-edit",
    ),
    path(
        "<int:pk>/proposal/evaluation/measures/<int:measure_pk>/remove/",
        measure_remove,
        name="measure-remove",
    ),
]
