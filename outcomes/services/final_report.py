"""The final report: drafted by the team once delivery has ended, published by the project
lead or deputy. Publishing puts the outcome summary on the transparency register, adds the
lessons to the learning library and closes the project, all in one transaction.
"""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from outcomes.models import FinalMeasureResult, FinalReport, Lesson
from outcomes.services.lessons import lesson_share
from outcomes.services.reports import can_submit_reports, can_write_reports
from partnerships.models import Project
from partnerships.services.projects import event_record, project_transition

ANSWER_FIELDS = tuple(name for name, _ in FinalReport.QUESTIONS)
TEXT_FIELDS = (
    "overview",
    "outcomes_achieved",
    "benefits_patients",
    "benefits_nhs",
    "benefits_industry",
    *(f"{name}_comment" for name in ANSWER_FIELDS),
    "conclusions",
    "lessons_learned",
    "outcome_summary",
)
# Every text a published report must have, with what to ask for when it is missing.
REQUIRED_TEXT = {
    "overview": "Enter the overview and objectives",
    "outcomes_achieved": "Describe the outcomes achieved",
    "benefits_patients": "Describe the benefits to patients",
    "benefits_nhs": "Describe the benefits to the NHS",
    "benefits_industry": "Describe the benefits to the company",
    "conclusions": "Enter the conclusions",
    "lessons_learned": "Enter the lessons learned",
    "outcome_summary": "Enter the outcome summary for publication",
}
LOCKED = "The final report has been published and cannot be changed"
CLOSE_REFUSED = "Publish the final report and its outcome summary before the project is closed"


def _check_writable(project: Project, actor: User) -> None:
    if not can_write_reports(actor, project):
        raise PermissionDenied("Only the project team writes its final report")
    if project.status != Project.Status.COMPLETED:
        raise ValidationError("The final report is written once delivery has been completed")


def _draft(project: Project) -> FinalReport:
    """The project's final report, locked, made as a draft if there is none yet."""
    try:
        with transaction.atomic():
            FinalReport.objects.get_or_create(project=project)
    except IntegrityError:  # made by someone else at the same moment
        pass
    report = FinalReport.objects.select_for_update().get(project=project)
    if report.is_published:
        raise ValidationError(LOCKED)
    return report


def final_report_save(*, project: Project, data: dict, actor: User) -> FinalReport:
    """Save the draft. ``data`` holds the text fields, the answers (yes, partly, no or blank)
    and ``results``, {measure id: (achieved value or None, commentary)}. Nothing is required
    until publication."""
    _check_writable(project, actor)
    errors = {
        name: "Choose yes, partly or no"
        for name in ANSWER_FIELDS
        if (data.get(name) or "") not in ("", *FinalReport.Answer.values)
    }
    if errors:
        raise ValidationError(errors)
    measures = {m.pk for m in project.measures.all()}
    with transaction.atomic():
        report = _draft(project)
        for name in TEXT_FIELDS:
            setattr(report, name, (data.get(name) or "").strip())
        for name in ANSWER_FIELDS:
            setattr(report, name, data.get(name) or "")
        report.save()
        for measure_id, (achieved, commentary) in (data.get("results") or {}).items():
            if measure_id not in measures:
                continue
            if achieved is None:
                FinalMeasureResult.objects.filter(
                    final_report=report, measure_id=measure_id
                ).delete()
            else:
                FinalMeasureResult.objects.update_or_create(
                    final_report=report,
                    measure_id=measure_id,
                    defaults={
                        "achieved": Decimal(achieved),
                        "commentary": (commentary or "").strip(),
                    },
                )
        event_record(
            project=project,
            actor=actor,
            action="final_report_save",
            description="Saved the draft final report",
        )
    return report


def publication_problems(report: FinalReport, measures) -> dict[str, str]:
    """What is missing before the final report can be published, by form field."""
    given = set(report.results.values_list("measure_id", flat=True))
    problems = {
        f"achieved_{m.pk}": f"Enter what “{m.name}” achieved" for m in measures if m.pk not in given
    }
    for name, message in REQUIRED_TEXT.items():
        if not getattr(report, name).strip():
            problems[name] = message
    for name, question in FinalReport.QUESTIONS:
        if not getattr(report, name):
            problems[name] = f"Answer “{question}”"
    return problems


def final_report_publish(*, project: Project, actor: User) -> FinalReport:
    """Publish the saved final report: refused, naming each missing answer, until it is
    complete. The outcome summary goes on the register and the project closes."""
    if not can_submit_reports(actor, project):
        raise PermissionDenied("Only the project lead or deputy publishes the final report")
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        if locked.status != Project.Status.COMPLETED:
            raise ValidationError("The final report is published once delivery has been completed")
        report = FinalReport.objects.select_for_update().filter(project=locked).first()
        if report is None:
            raise ValidationError("Write the final report and save it before publishing it")
        if report.is_published:
            raise ValidationError(LOCKED)
        problems = publication_problems(report, locked.measures.all())
        if problems:
            raise ValidationError(problems)
        now = timezone.now()
        FinalReport.objects.filter(pk=report.pk, status=FinalReport.Status.DRAFT).update(
            status=FinalReport.Status.PUBLISHED, published_by=actor, published_at=now
        )
        Project.objects.filter(pk=locked.pk).update(
            outcome_summary=report.outcome_summary, outcome_summary_published_at=now
        )
        lesson_share(
            project=locked,
            source=Lesson.Source.FINAL,
            at=now,
            final_report=report,
            lessons=report.lessons_learned,
        )
        event_record(
            project=locked,
            actor=actor,
            action="final_report_publish",
            description="Published the final report; outcome summary published on the "
            "transparency register",
        )
        locked.refresh_from_db()
        project_transition(project=locked, action="close", actor=actor)
    report.refresh_from_db()
    return report


def closure_check(*, project: Project, action: str, **kwargs) -> None:
    """Transition hook: a project closes only once its final report is published."""
    if action != "close":
        return
    published = FinalReport.objects.filter(
        project=project, status=FinalReport.Status.PUBLISHED
    ).exists()
    if not published or project.outcome_summary_published_at is None:
        raise ValidationError(CLOSE_REFUSED)
