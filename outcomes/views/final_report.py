"""The final report: a form while it is a draft, a check-your-answers page before it is
published, and the published report, read-only."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone

from accounts.forms import apply_service_errors
from outcomes.forms.final_report import FinalReportForm
from outcomes.models import FinalReport
from outcomes.services import final_report as services
from outcomes.services.reports import can_submit_reports, can_write_reports
from partnerships.models import Project
from partnerships.selectors.projects import project_for_view


def _final_report(project):
    return (
        FinalReport.objects.filter(project=project)
        .select_related("published_by")
        .prefetch_related("results")
        .first()
    )


def _context(request, project, report):
    measures = list(project.measures.all())
    results = {r.measure_id: r for r in report.results.all()} if report else {}
    deadline = project.final_report_deadline
    published = report is not None and report.is_published
    return {
        "project": project,
        "report": report,
        "published": published,
        "measures": measures,
        "results": [(m, results.get(m.pk)) for m in measures],
        "deadline": deadline,
        "overdue": (
            not published
            and project.status == Project.Status.COMPLETED
            and deadline is not None
            and deadline < timezone.localdate()
        ),
        "editable": (
            not published
            and project.status == Project.Status.COMPLETED
            and can_write_reports(request.user, project)
        ),
        "can_publish": (
            not published
            and project.status == Project.Status.COMPLETED
            and can_submit_reports(request.user, project)
        ),
    }


@login_required
def final_report(request, pk):
    project = project_for_view(user=request.user, pk=pk)
    report = _final_report(project)
    context = _context(request, project, report)
    measures = context["measures"]
    if request.method == "POST":
        if not can_write_reports(request.user, project):
            raise PermissionDenied("Only the project team writes its final report")
        form = FinalReportForm(request.POST, measures=measures, report=report)
        if form.is_valid():
            try:
                services.final_report_save(
                    project=project, data=form.report_data(), actor=request.user
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                if request.POST.get("action") == "check" and context["can_publish"]:
                    return redirect("outcomes:final-report-check", pk=project.pk)
                messages.success(request, "Your draft final report has been saved")
                return redirect("outcomes:final-report", pk=project.pk)
    else:
        form = FinalReportForm(measures=measures, report=report)
        if request.GET.get("check") and report is not None and context["editable"]:
            _mark_missing_answers(form, report, measures)
    return render(request, "outcomes/final_report.html", {**context, "form": form})


def _mark_missing_answers(form, report, measures):
    """Coming back from "check your answers" with answers missing: each missing answer is
    marked at its field and listed in the error summary, as the check page listed it.
    The form shows the saved draft (unbound); add_error needs somewhere to drop the field."""
    form.cleaned_data = {}
    for field, message in services.publication_problems(report, measures).items():
        if field in form.fields:
            form.add_error(field, message)


@login_required
def final_report_check(request, pk):
    """Check your answers, then publish: publishing cannot be undone, and closes the project."""
    project = project_for_view(user=request.user, pk=pk)
    if not can_submit_reports(request.user, project):
        raise PermissionDenied("Only the project lead or deputy publishes the final report")
    report = _final_report(project)
    if report is None or report.is_published or project.status != Project.Status.COMPLETED:
        return redirect("outcomes:final-report", pk=project.pk)
    errors = None
    if request.method == "POST":
        try:
            services.final_report_publish(project=project, actor=request.user)
        except ValidationError as exc:
            errors = (
                [(f, m) for f, ms in exc.message_dict.items() for m in ms]
                if hasattr(exc, "error_dict")
                else [("", m) for m in exc.messages]
            )
        else:
            messages.success(
                request,
                "The final report has been published, its outcome summary is on the "
                "transparency register, and the project is closed",
            )
            return redirect("outcomes:final-report", pk=project.pk)
    context = _context(request, project, report)
    problems = (
        errors
        if errors is not None
        else list(services.publication_problems(report, context["measures"]).items())
    )
    return render(
        request,
        "outcomes/final_report_check.html",
        {**context, "problems": problems, "question_names": services.ANSWER_FIELDS},
    )


urlpatterns = [
    path("projects/<int:pk>/final-report/", final_report, name="final-report"),
    path("projects/<int:pk>/final-report/check/", final_report_check, name="final-report-check"),
]
