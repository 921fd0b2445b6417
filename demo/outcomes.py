"""Delivery for the demo projects that have started: the signed agreement, the start, the
outcome reports (with a risk, an issue and a comment), completion, and the final report.
Every step goes through the same services as the pages.

Figures and sentences are illustrative demo content.
"""

from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from demo.history import at, happened_on
from outcomes.models import FinalReport
from outcomes.schedule import project_periods
from outcomes.services.final_report import final_report_publish, final_report_save
from outcomes.services.reports import (
    issue_raise,
    outcome_report_save,
    outcome_report_submit,
    report_comment_add,
)
from partnerships.models import Document, Project
from partnerships.services.documents import document_upload
from partnerships.services.projects import project_transition

# A minimal, valid one-page PDF standing in for the signed agreement.
AGREEMENT_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)

RAG_REASONS = {
    "green": "On track against every measure's trajectory.",
    "amber": "Behind the trajectory on one measure; the recovery plan is agreed.",
    "red": "Off track: the partners are reviewing the plan.",
}


def _value(baseline: Decimal, target: Decimal, share: float) -> Decimal:
    """A value ``share`` of the way from the baseline to the target."""
    return (baseline + (target - baseline) * Decimal(str(share))).quantize(Decimal("0.1"))


def _report(project: Project, period, number: int, total: int, spec: dict, lead: User) -> None:
    reports = spec["reports"]
    rag = reports["rags"][min(number - 1, len(reports["rags"]) - 1)]
    share = reports["progress"] * number / total
    values = {
        m.pk: (_value(m.baseline_value or Decimal(0), m.target_value, share), "")
        for m in project.measures.all()
    }
    worked, did_not = reports["lessons"].get(number, ("", ""))
    report = outcome_report_save(
        project=project,
        period_end=period.end,
        data={
            "rag": rag,
            "rag_reason": RAG_REASONS[rag],
            "narrative": reports["narrative"],
            "what_worked": worked,
            "what_did_not": did_not,
            "share_lessons": bool(worked or did_not),
            "values": values,
        },
        actor=lead,
    )
    industry = User.objects.get(email=spec["industry"])
    if number in reports.get("issues", {}):
        kind, description = reports["issues"][number]
        issue_raise(
            project=project,
            period_end=period.end,
            kind=kind,
            description=description,
            actor=industry,
        )
    if number > reports["submitted"]:
        return  # left as a draft
    report = outcome_report_submit(report=report, actor=lead)
    if number in reports.get("comments", {}):
        report_comment_add(report=report, body=reports["comments"][number], actor=industry)


def _final_answers(project: Project, spec: dict) -> dict:
    """The final report's answers; what the spec leaves out stays blank (a draft)."""
    final = spec["final"]
    data = {
        "overview": project.aims,
        **{
            name: final.get(name, "")
            for name in (
                "outcomes_achieved",
                "benefits_patients",
                "benefits_nhs",
                "benefits_industry",
                "conclusions",
                "lessons_learned",
                "outcome_summary",
            )
        },
        "results": {
            m.pk: (
                _value(m.baseline_value or Decimal(0), m.target_value, final.get("achieved", 0.9)),
                "From the end-of-project audit.",
            )
            for m in project.measures.all()
        },
    }
    for name, _ in FinalReport.QUESTIONS:
        data[name] = final["answers"].get(name, "yes") if "answers" in final else ""
        data[f"{name}_comment"] = final.get("comments", {}).get(name, "")
    return data


def seed_delivery(*, project: Project, spec: dict) -> int:
    """Take an approved demo project through delivery to ``spec["delivery"]``: active,
    completed (its final report drafted) or closed (its final report published)."""
    lead = User.objects.get(email=spec["lead"])
    start, end = spec["start_date"], spec["end_date"]
    # Each stage is dated when it would have happened (demo/history.py).
    with happened_on(project, at(start - timedelta(days=14))):
        document_upload(
            project=project,
            kind=Document.Kind.AGREEMENT,
            title="Signed collaborative working agreement",
            uploaded_file=SimpleUploadedFile(
                "signed-agreement.pdf", AGREEMENT_PDF, content_type="application/pdf"
            ),
            actor=lead,
        )
    with happened_on(project, at(start, 9)):
        project = project_transition(project=project, action="activate", actor=lead)
    periods = project_periods(project)
    due = [p for p in periods if p.number <= spec["reports"]["written"]]
    for period in due:
        submitted = period.number <= spec["reports"]["submitted"]
        # Submitted a week before it was due; a draft begun a few days after its period.
        when = period.due_date - timedelta(days=7) if submitted else period.end + timedelta(3)
        with happened_on(project, at(when)):
            _report(project, period, period.number, len(periods), spec, lead)
    created = 2 + len(due)
    if spec["delivery"] == Project.Status.ACTIVE:
        return created
    with happened_on(project, at(end + timedelta(days=1), 7)):
        project = project_transition(project=project, action="complete", actor=lead)
    with happened_on(project, at(end + timedelta(days=20))):
        final_report_save(project=project, data=_final_answers(project, spec), actor=lead)
    created += 2
    if spec["delivery"] == Project.Status.CLOSED:
        # Published two months after delivery ended, well within its deadline.
        with happened_on(project, at(end + timedelta(days=60))):
            final_report_publish(project=project, actor=User.objects.get(email=spec["deputy"]))
        created += 1
    project.refresh_from_db(fields=["status"])
    if project.status != spec["delivery"]:
        raise RuntimeError(
            f"Demo project {project.title!r} ended {project.status}, not {spec['delivery']}"
        )
    return created
