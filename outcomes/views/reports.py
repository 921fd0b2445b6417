"""Outcome reports on a project: the schedule with each measure's chart, a report page
(a form while it is a draft, read-only with comments once submitted), and pages to change
or remove a risk or issue raised on a draft."""

from collections import defaultdict

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone

from accounts.forms import apply_service_errors
from outcomes.forms.reports import CommentForm, IssueForm, ReportForm
from outcomes.models import MeasureValue, OutcomeReport, ReportComment, ReportIssue
from outcomes.schedule import measure_chart, project_periods
from outcomes.services import reports as services
from partnerships.models import Project
from partnerships.selectors.projects import project_for_view


def _rows(project, periods, reports):
    today = timezone.localdate()
    rows = []
    for period in periods:
        report = reports.get(period.end)
        submitted = report is not None and report.is_submitted
        rows.append(
            {
                "period": period,
                "report": report,
                "status": "Submitted" if submitted else ("Draft" if report else "Not started"),
                "overdue": not submitted and period.due_date < today,
            }
        )
    return rows


@login_required
def report_list(request, pk):
    project = project_for_view(user=request.user, pk=pk)
    periods = project_periods(project)
    reports = {r.period_end: r for r in OutcomeReport.objects.filter(project=project)}
    reported = defaultdict(list)
    for value in MeasureValue.objects.filter(
        report__project=project, report__status=OutcomeReport.Status.SUBMITTED
    ).select_related("report"):
        reported[value.measure_id].append((value.report.period_end, value.value))
    charts = [
        {"measure": m, "chart": measure_chart(m, reported[m.pk])} for m in project.measures.all()
    ]
    return render(
        request,
        "outcomes/report_list.html",
        {
            "project": project,
            "rows": _rows(project, periods, reports),
            "charts": charts,
            "is_active": project.status == Project.Status.ACTIVE,
        },
    )


def _report(project, period):
    return (
        OutcomeReport.objects.filter(project=project, period_end=period.end)
        .select_related("submitted_by")
        .prefetch_related(
            "values",
            Prefetch(
                "issues", queryset=ReportIssue.objects.select_related("raised_by", "organisation")
            ),
            Prefetch("comments", queryset=ReportComment.objects.select_related("author")),
        )
        .first()
    )


def _period(project, number):
    periods = project_periods(project)
    if not 1 <= number <= len(periods):
        raise Http404("No such reporting period")
    return periods[number - 1]


@login_required
def report_detail(request, pk, number):
    project = project_for_view(user=request.user, pk=pk)
    period = _period(project, number)
    report = _report(project, period)
    can_write = services.can_write_reports(request.user, project)
    measures = list(project.measures.all())
    posted = request.POST if request.method == "POST" else None
    action = request.POST.get("action", "save") if posted else None
    if posted is not None and not can_write:
        raise PermissionDenied("Only the project team writes its outcome reports")

    form = ReportForm(
        posted if action in ("save", "submit") else None, measures=measures, report=report
    )
    issue_form = IssueForm(posted if action == "issue" else None)
    comment_form = CommentForm(posted if action == "comment" else None)
    here = redirect("outcomes:report-detail", pk=project.pk, number=number)

    try:
        if action in ("save", "submit") and form.is_valid():
            report = services.outcome_report_save(
                project=project, period_end=period.end, data=form.report_data(), actor=request.user
            )
            if action == "save":
                messages.success(request, "Your draft report has been saved")
                return here
            try:
                services.outcome_report_submit(report=report, actor=request.user)
            except ValidationError as exc:
                apply_service_errors(form, exc)
                report = _report(project, period)
            else:
                messages.success(request, "The report has been submitted")
                return here
        elif action == "issue" and issue_form.is_valid():
            services.issue_raise(
                project=project,
                period_end=period.end,
                kind=issue_form.cleaned_data["kind"],
                description=issue_form.cleaned_data["description"],
                actor=request.user,
            )
            messages.success(request, "The risk or issue has been raised")
            return here
        elif action == "comment" and comment_form.is_valid():
            if report is None:
                raise ValidationError("Comments are added once the report has been submitted")
            services.report_comment_add(
                report=report, body=comment_form.cleaned_data["body"], actor=request.user
            )
            messages.success(request, "Your comment has been added")
            return here
    except ValidationError as exc:
        target = {"issue": issue_form, "comment": comment_form}.get(action, form)
        apply_service_errors(target, exc)

    submitted = report is not None and report.is_submitted
    editable = can_write and not submitted and project.status == Project.Status.ACTIVE
    values = {v.measure_id: v for v in report.values.all()} if report else {}
    changeable = (
        {
            issue.pk
            for issue in report.issues.all()
            if services.can_change_issue(request.user, issue, project)
        }
        if editable and report is not None
        else set()
    )
    return render(
        request,
        "outcomes/report_detail.html",
        {
            "project": project,
            "period": period,
            "report": report,
            "submitted": submitted,
            "editable": editable,
            "can_submit": editable and services.can_submit_reports(request.user, project),
            "can_comment": can_write and submitted,
            "form": form,
            "issue_form": issue_form,
            "comment_form": comment_form,
            "measure_values": [(m, values.get(m.pk)) for m in measures],
            "changeable_issues": changeable,
        },
    )


def _issue_for_view(request, pk, number, issue_id):
    """The project, period and risk or issue: 404 to outsiders and for an issue of another
    report or project, 403 to those who may not change it."""
    project = project_for_view(user=request.user, pk=pk)
    period = _period(project, number)
    issue = (
        ReportIssue.objects.select_related("report", "raised_by", "organisation")
        .filter(pk=issue_id, report__project=project, report__period_end=period.end)
        .first()
    )
    if issue is None:
        raise Http404("No such risk or issue")
    issue.report.project = project
    if not services.can_change_issue(request.user, issue, project):
        raise PermissionDenied(
            "Only whoever raised a risk or issue, or the project lead or deputy, changes it"
        )
    locked = issue.report.is_submitted or project.status != Project.Status.ACTIVE
    return project, period, issue, locked


@login_required
def report_issue_change(request, pk, number, issue_id):
    project, period, issue, locked = _issue_for_view(request, pk, number, issue_id)
    form = IssueForm(
        request.POST if request.method == "POST" else None,
        initial={"kind": issue.kind, "description": issue.description},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.issue_change(
                issue=issue,
                kind=form.cleaned_data["kind"],
                description=form.cleaned_data["description"],
                actor=request.user,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"The {issue.get_kind_display().lower()} has been changed")
            return redirect("outcomes:report-detail", pk=project.pk, number=number)
    return render(
        request,
        "outcomes/report_issue_change.html",
        {"project": project, "period": period, "issue": issue, "form": form, "locked": locked},
    )


@login_required
def report_issue_remove(request, pk, number, issue_id):
    """Ask, then remove."""
    project, period, issue, locked = _issue_for_view(request, pk, number, issue_id)
    form = forms.Form(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.issue_remove(issue=issue, actor=request.user)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"The {issue.get_kind_display().lower()} has been removed")
            return redirect("outcomes:report-detail", pk=project.pk, number=number)
    return render(
        request,
        "outcomes/report_issue_remove.html",
        {"project": project, "period": period, "issue": issue, "form": form, "locked": locked},
    )


urlpatterns = [
    path("projects/<int:pk>/reports/", report_list, name="report-list"),
    path("projects/<int:pk>/reports/<int:number>/", report_detail, name="report-detail"),
    path(
        "projects/<int:pk>/reports/<int:number>/issues/<int:issue_id>/change/",
        report_issue_change,
        name="report-issue-change",
    ),
    path(
        "projects/<int:pk>/reports/<int:number>/issues/<int:issue_id>/remove/",
        report_issue_remove,
        name="report-issue-remove",
    ),
]
