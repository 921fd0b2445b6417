"""Outcome reports (the schedule, a report, saving a draft, submitting it) and disclosure
documents (request, status, download)."""

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.response import Response

from api.errors import AUTH_ERRORS, errors
from api.serializers import outcomes as s
from api.serializers.projects import person
from api.views.base import ApiView, project_for
from outcomes.models import DisclosureDocument, OutcomeReport, ReportIssue
from outcomes.schedule import project_periods
from outcomes.selectors import disclosure as selectors
from outcomes.services import disclosure as services
from outcomes.services import reports as report_services
from outcomes.views.disclosure import disclosure_file_response
from partnerships.models import Project

NUMBER = OpenApiParameter(
    "number", int, OpenApiParameter.PATH, description="The period's number in the schedule."
)


class NotReady(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The document is not ready yet"
    default_code = "not_ready"


def _reports(project: Project, **filters) -> dict:
    reports = (
        OutcomeReport.objects.filter(project=project, **filters)
        .select_related("submitted_by")
        .prefetch_related(
            "values",
            Prefetch("issues", queryset=ReportIssue.objects.select_related("raised_by")),
        )
    )
    return {r.period_end: r for r in reports}


def _row(number: int, period, report: OutcomeReport | None, today) -> dict:
    submitted = report is not None and report.is_submitted
    row = {
        "number": number,
        "period_start": period.start,
        "period_end": period.end,
        "due_date": period.due_date,
        "status": "submitted" if submitted else ("draft" if report else "not_started"),
        "overdue": not submitted and period.due_date < today,
        "rag": "",
        "rag_reason": "",
        "narrative": "",
        "what_worked": "",
        "what_did_not": "",
        "share_lessons": False,
        "submitted_by": "",
        "submitted_at": None,
        "values": [],
        "issues": [],
    }
    if report is not None:
        for name in report_services.TEXT_FIELDS:
            row[name] = getattr(report, name)
        row["share_lessons"] = report.share_lessons
        row["submitted_by"] = person(report.submitted_by) if report.submitted_by_id else ""
        row["submitted_at"] = report.submitted_at
        row["values"] = list(report.values.all())
        row["issues"] = list(report.issues.all())
    return row


def _period(project: Project, number: int):
    periods = project_periods(project)
    if not 1 <= number <= len(periods):
        raise Http404("No such reporting period")
    return periods[number - 1]


def report_response(request, pk, number, status_code=200) -> Response:
    project = project_for(request, pk)
    period = _period(project, number)
    report = _reports(project, period_end=period.end).get(period.end)
    row = _row(number, period, report, timezone.localdate())
    return Response(s.ReportSerializer(row).data, status=status_code)


class ReportList(ApiView):
    @extend_schema(
        operation_id="projects_reports_list",
        summary="A project's outcome reports",
        description="The schedule of reporting periods, each with its report (if started), "
        "due date and whether it is overdue.",
        responses={200: s.ReportSerializer(many=True), **errors(*AUTH_ERRORS, 404)},
        tags=["outcomes"],
    )
    def get(self, request, pk):
        project = project_for(request, pk)
        reports = _reports(project)
        today = timezone.localdate()
        rows = [
            _row(number, period, reports.get(period.end), today)
            for number, period in enumerate(project_periods(project), start=1)
        ]
        return Response(s.ReportSerializer(rows, many=True).data)


def _save(request, project: Project, period) -> OutcomeReport:
    data = s.ReportInputSerializer(
        data=request.data, context={"measure_ids": {m.pk for m in project.measures.all()}}
    )
    data.is_valid(raise_exception=True)
    return report_services.outcome_report_save(
        project=project, period_end=period.end, data=data.report_data(), actor=request.user
    )


class ReportDetail(ApiView):
    @extend_schema(
        operation_id="projects_reports_retrieve",
        summary="An outcome report",
        parameters=[NUMBER],
        responses={200: s.ReportSerializer, **errors(*AUTH_ERRORS, 404)},
        tags=["outcomes"],
    )
    def get(self, request, pk, number):
        return report_response(request, pk, number)

    @extend_schema(
        operation_id="projects_reports_update",
        summary="Save the draft report",
        description="Any member of the project team, while the project is active and the "
        "report not submitted. Text fields left out are saved empty; values left out are kept.",
        parameters=[NUMBER],
        request=s.ReportInputSerializer,
        responses={200: s.ReportSerializer, **errors(400, *AUTH_ERRORS, 404)},
        tags=["outcomes"],
    )
    def put(self, request, pk, number):
        project = project_for(request, pk)
        period = _period(project, number)
        if not report_services.can_write_reports(request.user, project):
            raise PermissionDenied("Only the project team writes its outcome reports")
        _save(request, project, period)
        return report_response(request, pk, number)


class ReportSubmit(ApiView):
    @extend_schema(
        operation_id="projects_reports_submit",
        summary="Submit the report",
        description="The project lead or deputy. A body, if given, is saved first as the "
        "draft (as by PUT); then the report is submitted, refused with what is missing. "
        "Submission locks it.",
        parameters=[NUMBER],
        request=s.ReportInputSerializer,
        responses={200: s.ReportSerializer, **errors(400, *AUTH_ERRORS, 404)},
        tags=["outcomes"],
    )
    def post(self, request, pk, number):
        project = project_for(request, pk)
        period = _period(project, number)
        if not report_services.can_submit_reports(request.user, project):
            raise PermissionDenied("Only the project lead or deputy submits an outcome report")
        if request.data:
            report = _save(request, project, period)
        else:
            report = OutcomeReport.objects.filter(project=project, period_end=period.end).first()
            if report is None:
                raise Http404("This report has not been started")
        report_services.outcome_report_submit(report=report, actor=request.user)
        return report_response(request, pk, number)


# Disclosure documents -------------------------------------------------------------------


class DisclosureList(ApiView):
    @extend_schema(
        operation_id="projects_disclosures_list",
        summary="A project's disclosure documents",
        description="For the project team, auditors and administrators.",
        responses={200: s.DisclosureDocumentSerializer(many=True), **errors(*AUTH_ERRORS, 404)},
        tags=["disclosures"],
    )
    def get(self, request, pk):
        project = selectors.project_for_disclosure(user=request.user, pk=pk)
        documents = selectors.project_documents(project)
        return Response(
            s.DisclosureDocumentSerializer(documents, many=True, context={"request": request}).data
        )

    @extend_schema(
        operation_id="projects_disclosures_create",
        summary="Request the project's disclosure PDF",
        description="The document for the project's data as it is now: an existing one when "
        "nothing has changed, else a new one, made in the background (poll its status).",
        request=None,
        responses={202: s.DisclosureDocumentSerializer, **errors(*AUTH_ERRORS, 404)},
        tags=["disclosures"],
    )
    def post(self, request, pk):
        project = selectors.project_for_disclosure(user=request.user, pk=pk)
        document = services.disclosure_request(
            kind=DisclosureDocument.Kind.PROJECT, project=project, actor=request.user
        )
        return Response(
            s.DisclosureDocumentSerializer(document, context={"request": request}).data,
            status=status.HTTP_202_ACCEPTED,
        )


class DisclosureDetail(ApiView):
    @extend_schema(
        operation_id="disclosures_retrieve",
        summary="A disclosure document's status",
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
        responses={200: s.DisclosureDocumentSerializer, **errors(*AUTH_ERRORS, 404)},
        tags=["disclosures"],
    )
    def get(self, request, pk):
        document = selectors.document_for_user(user=request.user, pk=pk)
        return Response(s.DisclosureDocumentSerializer(document, context={"request": request}).data)


class DisclosureDownload(ApiView):
    @extend_schema(
        operation_id="disclosures_download",
        summary="Download a ready disclosure document",
        description="The PDF; each download is recorded in the audit trail.",
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="PDF"),
            **errors(*AUTH_ERRORS, 404, 409),
        },
        tags=["disclosures"],
    )
    def get(self, request, pk):
        document = selectors.document_for_user(user=request.user, pk=pk)
        if document.status != DisclosureDocument.Status.READY or not document.file:
            raise NotReady(
                f"The document is not ready: it is {document.get_status_display().lower()}"
            )
        return disclosure_file_response(document, actor=request.user)
