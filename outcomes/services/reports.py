"""Outcome reports: save a draft, submit it (which locks it), raise, change or remove a risk
or issue, comment.

Any member of the project team saves drafts and raises risks and issues; whoever raised a
risk or issue, or the project lead or deputy, changes or removes it; the project lead or
deputy submits; after submission the report cannot be changed, and the team comments on it.
"""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from outcomes.models import Lesson, MeasureValue, OutcomeReport, ReportComment, ReportIssue
from outcomes.schedule import project_periods
from outcomes.services.lessons import lesson_share
from partnerships.models import Project, TeamMember
from partnerships.selectors.projects import is_project_lead, team_member
from partnerships.services.projects import event_record

TEXT_FIELDS = ("rag", "rag_reason", "narrative", "what_worked", "what_did_not")
LOCKED = "This report has been submitted and cannot be changed"


def can_write_reports(user, project: Project) -> bool:
    return is_project_lead(user, project) or team_member(user, project) is not None


def can_submit_reports(user, project: Project) -> bool:
    if is_project_lead(user, project):
        return True
    member = team_member(user, project)
    return member is not None and member.role in (TeamMember.Role.LEAD, TeamMember.Role.DEPUTY)


def _check_team(project: Project, actor: User) -> None:
    if not can_write_reports(actor, project):
        raise PermissionDenied("Only the project team writes its outcome reports")


def _check_active(project: Project) -> None:
    if project.status != Project.Status.ACTIVE:
        raise ValidationError("Outcome reports are written while the project is active")


def _draft_for_period(project: Project, period_end) -> OutcomeReport:
    """The period's report, locked, made as a draft if there is none yet."""
    period = next((p for p in project_periods(project) if p.end == period_end), None)
    if period is None:
        raise ValidationError("That is not one of the project's reporting periods")
    defaults = {"period_start": period.start, "due_date": period.due_date}
    try:
        with transaction.atomic():
            OutcomeReport.objects.get_or_create(
                project=project, period_end=period_end, defaults=defaults
            )
    except IntegrityError:  # made by someone else at the same moment
        pass
    report = OutcomeReport.objects.select_for_update().get(project=project, period_end=period_end)
    if report.is_submitted:
        raise ValidationError(LOCKED)
    return report


def outcome_report_save(*, project: Project, period_end, data: dict, actor: User) -> OutcomeReport:
    """Save the draft: ``data`` holds the text fields and ``values``, {measure id: (value or
    None, note)}. Nothing is required until submission."""
    _check_team(project, actor)
    _check_active(project)
    measures = {m.pk: m for m in project.measures.all()}
    rag = data.get("rag") or ""
    if rag and rag not in OutcomeReport.Rag.values:
        raise ValidationError({"rag": "Choose red, amber or green"})
    with transaction.atomic():
        report = _draft_for_period(project, period_end)
        for name in TEXT_FIELDS:
            setattr(report, name, (data.get(name) or "").strip() if name != "rag" else rag)
        report.share_lessons = bool(data.get("share_lessons"))
        report.save()
        for measure_id, (value, note) in (data.get("values") or {}).items():
            if measure_id not in measures:
                continue
            if value is None:
                MeasureValue.objects.filter(report=report, measure_id=measure_id).delete()
            else:
                MeasureValue.objects.update_or_create(
                    report=report,
                    measure_id=measure_id,
                    defaults={"value": Decimal(value), "note": (note or "").strip()},
                )
        event_record(
            project=project,
            actor=actor,
            action="outcome_report_save",
            description=f"Saved the draft outcome report to {period_end:%-d %B %Y}",
        )
    return report


def submission_problems(report: OutcomeReport, measures) -> dict[str, str]:
    """What is missing before a report can be submitted, by form field."""
    given = set(report.values.values_list("measure_id", flat=True))
    problems = {}
    for measure in measures:
        if measure.pk not in given:
            problems[f"value_{measure.pk}"] = f"Enter a value for “{measure.name}”"
    if not report.rag:
        problems["rag"] = "Choose a RAG status"
    if not report.rag_reason.strip():
        problems["rag_reason"] = "Give the reason for the RAG status"
    if not report.narrative.strip():
        problems["narrative"] = "Enter the narrative"
    return problems


def outcome_report_submit(*, report: OutcomeReport, actor: User) -> OutcomeReport:
    project = report.project
    if not can_submit_reports(actor, project):
        raise PermissionDenied("Only the project lead or deputy submits an outcome report")
    _check_active(project)
    with transaction.atomic():
        report = OutcomeReport.objects.select_for_update().get(pk=report.pk)
        if report.is_submitted:
            raise ValidationError(LOCKED)
        problems = submission_problems(report, project.measures.all())
        if problems:
            raise ValidationError(problems)
        now = timezone.now()
        updated = OutcomeReport.objects.filter(
            pk=report.pk, status=OutcomeReport.Status.DRAFT
        ).update(status=OutcomeReport.Status.SUBMITTED, submitted_by=actor, submitted_at=now)
        if updated != 1:
            raise ValidationError(LOCKED)
        if report.share_lessons and (report.what_worked or report.what_did_not):
            lesson_share(
                project=project,
                source=Lesson.Source.REPORT,
                at=now,
                outcome_report=report,
                what_worked=report.what_worked,
                what_did_not=report.what_did_not,
            )
        event_record(
            project=project,
            actor=actor,
            action="outcome_report_submit",
            description=f"Submitted the outcome report to {report.period_end:%-d %B %Y}",
        )
    report.refresh_from_db()
    return report


def _a_kind(issue: ReportIssue) -> str:
    """“a risk” or “an issue”."""
    return (
        "an " if issue.kind == ReportIssue.Kind.ISSUE else "a "
    ) + issue.get_kind_display().lower()


def _check_issue(kind: str, description: str) -> None:
    errors = {}
    if kind not in ReportIssue.Kind.values:
        errors["kind"] = "Choose whether it is a risk or an issue"
    if not (description or "").strip():
        errors["description"] = "Describe the risk or issue"
    if errors:
        raise ValidationError(errors)


def issue_raise(
    *, project: Project, period_end, kind: str, description: str, actor: User
) -> ReportIssue:
    """Any partner on the team raises a risk or issue on a report while it is a draft."""
    _check_team(project, actor)
    _check_active(project)
    _check_issue(kind, description)
    member = team_member(actor, project)
    with transaction.atomic():
        report = _draft_for_period(project, period_end)
        issue = ReportIssue.objects.create(
            report=report,
            raised_by=actor,
            organisation=member.organisation if member else None,
            kind=kind,
            description=description.strip(),
        )
        event_record(
            project=project,
            actor=actor,
            action="outcome_report_issue",
            description=(
                f"Raised {_a_kind(issue)} on the outcome report to {period_end:%-d %B %Y}"
            ),
        )
    return issue


def can_change_issue(user, issue: ReportIssue, project: Project) -> bool:
    """Whoever raised it (while still on the team), or the project lead or deputy."""
    if can_submit_reports(user, project):
        return True
    return issue.raised_by_id == user.pk and can_write_reports(user, project)


def _issue_for_change(issue: ReportIssue, project: Project, actor: User) -> ReportIssue:
    """Checks, then the issue as it is now, its report locked (so a submission waits for
    the change, or the change sees the submission). Inside a transaction."""
    if not can_change_issue(actor, issue, project):
        raise PermissionDenied(
            "Only whoever raised a risk or issue, or the project lead or deputy, changes it"
        )
    _check_active(project)
    report = OutcomeReport.objects.select_for_update().get(pk=issue.report_id)
    if report.is_submitted:
        raise ValidationError(LOCKED)
    current = ReportIssue.objects.filter(pk=issue.pk, report=report).first()
    if current is None:
        raise ValidationError("This risk or issue has already been removed")
    return current


def _issue_words(issue: ReportIssue) -> str:
    return f"{_a_kind(issue)} on the outcome report to {issue.report.period_end:%-d %B %Y}"


def issue_change(*, issue: ReportIssue, kind: str, description: str, actor: User) -> ReportIssue:
    """Change a risk or issue's kind or description while its report is a draft."""
    project = issue.report.project
    _check_issue(kind, description)
    description = description.strip()
    with transaction.atomic():
        current = _issue_for_change(issue, project, actor)
        changes = {
            name: [getattr(current, name), value]
            for name, value in (("kind", kind), ("description", description))
            if getattr(current, name) != value
        }
        if not changes:
            return current
        current.kind, current.description = kind, description
        current.save(update_fields=["kind", "description"])
        event_record(
            project=project,
            actor=actor,
            action="outcome_report_issue_change",
            description=f"Changed {_issue_words(current)}",
            changes=changes,
        )
    return current


def issue_remove(*, issue: ReportIssue, actor: User) -> None:
    """Remove a risk or issue while its report is a draft; the audit trail keeps what it
    said."""
    project = issue.report.project
    with transaction.atomic():
        current = _issue_for_change(issue, project, actor)
        words = _issue_words(current)
        changes = {
            "kind": [current.kind, ""],
            "description": [current.description, ""],
            "raised_by": [current.raised_by.email, ""],
        }
        current.delete()
        event_record(
            project=project,
            actor=actor,
            action="outcome_report_issue_remove",
            description=f"Removed {words}",
            changes=changes,
        )


def report_comment_add(*, report: OutcomeReport, body: str, actor: User) -> ReportComment:
    project = report.project
    _check_team(project, actor)
    if not report.is_submitted:
        raise ValidationError("Comments are added once the report has been submitted")
    if not (body or "").strip():
        raise ValidationError({"body": "Enter your comment"})
    with transaction.atomic():
        comment = ReportComment.objects.create(report=report, author=actor, body=body.strip())
        event_record(
            project=project,
            actor=actor,
            action="outcome_report_comment",
            description=f"Commented on the outcome report to {report.period_end:%-d %B %Y}",
        )
    return comment
