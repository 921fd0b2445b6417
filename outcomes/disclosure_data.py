"""The data a disclosure PDF is made from, as plain JSON, and its content hash.

The snapshot is taken when the document is requested and stored on the document, so the PDF
always shows exactly the data its content hash was computed from, however long it waits in
the queue. Money is kept as exact decimal strings ("50000.00"), dates and times in ISO 8601.
"""

import hashlib
import json
from decimal import Decimal

from django.db.models import Prefetch, Q

from accounts.models import Organisation
from audit.models import AuditEvent
from governance.gates import GATES
from governance.models import ConflictManagement, Gate, Review
from governance.selectors.declarations import declaration_status_for_project
from governance.selectors.gates import latest_sign_offs
from governance.selectors.register import published_projects
from outcomes.models import FinalReport, MeasureValue, OutcomeReport
from partnerships.models import OutcomeMeasure, Project

# Part of every content hash: raise it when the PDF templates change what they show, so
# documents made by the old templates are not handed out for the new ones.
LAYOUT_VERSION = 3  # 2: the outcome measures; 3: outcome reports and the final report


def canonical_json(data) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(data) -> str:
    return hashlib.sha256(canonical_json(data).encode()).hexdigest()


def iso_or_none(value) -> str | None:
    return value.isoformat() if value is not None else None


def _money(value) -> str:
    return str(Decimal(value or 0).quantize(Decimal("0.01")))


def person_label(user) -> str:
    return str(user) if user is not None else "the portal"


def _partners(partners) -> tuple[list[dict], dict]:
    rows, financial, in_kind = [], Decimal("0"), Decimal("0")
    for partner in partners:
        financial += partner.financial_contribution or 0
        in_kind += partner.in_kind_value or 0
        rows.append(
            {
                "organisation": partner.organisation.name,
                "kind": partner.organisation.get_kind_display(),
                "is_lead": partner.is_lead,
                "financial": _money(partner.financial_contribution),
                "in_kind_description": partner.in_kind_description,
                "in_kind_value": _money(partner.in_kind_value),
                "total": _money(partner.total_contribution),
            }
        )
    totals = {
        "financial": _money(financial),
        "in_kind": _money(in_kind),
        "total": _money(financial + in_kind),
    }
    return rows, totals


def _project_core(project: Project) -> dict:
    partners, totals = _partners(project.partners.all())
    return {
        "reference": project.reference or "",
        "title": project.title,
        "kind": project.get_kind_display() if project.kind else "",
        "status": project.get_status_display(),
        "lead_organisation": project.lead_organisation.name,
        "therapy_area": project.therapy_area,
        "start_date": iso_or_none(project.start_date),
        "end_date": iso_or_none(project.end_date),
        "submitted_at": iso_or_none(project.submitted_at),
        "summary_published_at": iso_or_none(project.summary_published_at),
        "executive_summary": project.executive_summary,
        "partners": partners,
        "totals": totals,
    }


def _gates(project: Project) -> list[dict]:
    gates = {g.kind: g for g in Gate.objects.filter(project=project)}
    rows = []
    for spec in GATES:
        gate = gates.get(spec.kind)
        rows.append(
            {
                "title": spec.title,
                "status": gate.get_status_display() if gate else "Not yet open",
                "round": gate.round if gate else None,
                "decided_at": iso_or_none(gate.decided_at) if gate else None,
                "sign_offs": [
                    {
                        "reviewer": person_label(s.reviewer),
                        "decision": s.get_decision_display(),
                        "at": iso_or_none(s.created_at),
                        "comment": s.comment,
                    }
                    for s in (latest_sign_offs(gate) if gate else [])
                ],
            }
        )
    return rows


def _declarations(project: Project) -> list[dict]:
    rows = []
    statuses = declaration_status_for_project(project)
    interest_ids = [
        i.pk for row in statuses if row.declaration for i in row.declaration.interests.all()
    ]
    managed = {
        m.interest_id: m
        for m in ConflictManagement.objects.filter(interest_id__in=interest_ids).select_related(
            "recorded_by"
        )
    }
    for row in statuses:
        declaration = row.declaration
        interests = []
        for interest in declaration.interests.all() if declaration else []:
            interests.append(interest_snapshot(interest, managed.get(interest.pk)))
        rows.append(
            {
                "person": person_label(row.person),
                "required_as": row.required_as,
                "declared_at": iso_or_none(declaration.declared_at) if declaration else None,
                "nil_return": bool(declaration and declaration.nil_return),
                "interests": interests,
            }
        )
    return rows


def interest_snapshot(interest, management) -> dict:
    """A declared interest as the PDFs show it, with how the conflict was managed (or None)."""
    return {
        "category": interest.get_category_display(),
        "type": interest.get_interest_type_display(),
        "organisation": interest.organisation_name,
        "description": interest.description,
        "management": (
            {
                "action": management.action,
                "excludes_from_decision": management.excludes_from_decision,
                "by": person_label(management.recorded_by),
                "at": iso_or_none(management.recorded_at),
            }
            if management is not None
            else None
        ),
    }


def _number(value) -> str | None:
    """A measure's value as an exact decimal string without trailing zeros ("1520", "12.5")."""
    if value is None:
        return None
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _measures(project: Project) -> list[dict]:
    return [
        {
            "objective_number": m.objective.number,
            "objective": m.objective.description,
            "name": m.name,
            "unit": m.unit,
            "direction": m.get_direction_display(),
            "baseline_value": _number(m.baseline_value),
            "baseline_date": iso_or_none(m.baseline_date),
            "target_value": _number(m.target_value),
            "target_date": iso_or_none(m.target_date),
            "data_source": m.data_source,
            "frequency": m.get_frequency_display(),
            "owner": m.owner.organisation.name,
        }
        for m in project.measures.all()
    ]


def _reports(project: Project) -> list[dict]:
    """The submitted outcome reports, each measure's value in the order of the measures."""
    reports = (
        OutcomeReport.objects.filter(project=project, status=OutcomeReport.Status.SUBMITTED)
        .select_related("submitted_by")
        .prefetch_related(
            Prefetch("values", queryset=MeasureValue.objects.select_related("measure"))
        )
        .order_by("period_end")
    )
    return [
        {
            "period_start": iso_or_none(r.period_start),
            "period_end": iso_or_none(r.period_end),
            "submitted_at": iso_or_none(r.submitted_at),
            "submitted_by": person_label(r.submitted_by),
            "rag": r.get_rag_display(),
            "rag_reason": r.rag_reason,
            "values": [
                {"measure": v.measure.name, "value": _number(v.value), "unit": v.measure.unit}
                for v in sorted(r.values.all(), key=lambda v: v.measure_id)
            ],
        }
        for r in reports
    ]


def _final_report(project: Project) -> dict:
    """The published final report, or when it is due."""
    report = (
        FinalReport.objects.filter(project=project, status=FinalReport.Status.PUBLISHED)
        .select_related("published_by")
        .prefetch_related("results__measure")
        .first()
    )
    if report is None:
        return {"published": False, "deadline": iso_or_none(project.final_report_deadline)}
    return {
        "published": True,
        "published_at": iso_or_none(report.published_at),
        "published_by": person_label(report.published_by),
        "outcomes_achieved": report.outcomes_achieved,
        "results": [
            {
                "measure": r.measure.name,
                "unit": r.measure.unit,
                "achieved": _number(r.achieved),
                "target": _number(r.measure.target_value),
                "commentary": r.commentary,
            }
            for r in sorted(report.results.all(), key=lambda r: r.measure_id)
        ],
        "benefits": {
            "patients": report.benefits_patients,
            "nhs": report.benefits_nhs,
            "industry": report.benefits_industry,
        },
        "answers": [
            {"question": question, "answer": answer, "comment": comment}
            for _, question, answer, comment in report.answers()
        ],
        "outcome_summary": report.outcome_summary,
        "lessons_learned": report.lessons_learned,
    }


def project_audit_trail(project: Project):
    """The project's own events, and those of its review and gates, oldest first."""
    gate_ids = [str(pk) for pk in Gate.objects.filter(project=project).values_list("pk", flat=True)]
    review_ids = [
        str(pk) for pk in Review.objects.filter(project=project).values_list("pk", flat=True)
    ]
    return AuditEvent.objects.filter(
        Q(object_type="partnerships.project", object_id=str(project.pk))
        | Q(object_type="governance.gate", object_id__in=gate_ids)
        | Q(object_type="governance.review", object_id__in=review_ids)
    ).order_by("seq")


def _audit_trail(project: Project) -> list[dict]:
    rows = []
    for event in project_audit_trail(project):
        detail = event.after.get("description") if isinstance(event.after, dict) else ""
        rows.append(
            {
                "seq": event.seq,
                "at": iso_or_none(event.created_at),
                "actor": event.actor_label,
                "action": event.action,
                "object": event.object_repr,
                "detail": detail or "",
            }
        )
    return rows


def project_snapshot(project: Project) -> dict:
    """Everything the project disclosure shows."""
    project = (
        Project.objects.select_related("lead_organisation")
        .prefetch_related(
            "partners__organisation",
            Prefetch(
                "measures",
                queryset=OutcomeMeasure.objects.select_related("objective", "owner__organisation"),
            ),
        )
        .get(pk=project.pk)
    )
    return {
        "layout": LAYOUT_VERSION,
        "kind": "project",
        "project": _project_core(project),
        "gates": _gates(project),
        "declarations": _declarations(project),
        "audit_trail": _audit_trail(project),
        "outcomes": {
            "measures": _measures(project),
            "reports": _reports(project),
            "final_report": _final_report(project),
        },
    }


def extract_projects(organisation: Organisation, year: int):
    """The ICB's projects on the public register whose executive summary was published in
    the year (the register's own year filter)."""
    return (
        published_projects()
        .filter(lead_organisation=organisation, summary_published_at__year=year)
        .order_by("summary_published_at", "pk")
    )


def extract_snapshot(organisation: Organisation, year: int) -> dict:
    """Every published project of an ICB in a year, as the public register shows it."""
    return extract_snapshot_of(
        extract_projects(organisation, year), organisation=organisation, year=year
    )


def extract_snapshot_of(projects, *, organisation: Organisation, year: int) -> dict:
    """The register extract of ``projects`` (published_projects(), filtered and ordered)."""
    rows = [_project_core(p) for p in projects]
    all_partners = [p for project in projects for p in project.partners.all()]
    _, totals = _partners(all_partners)
    return {
        "layout": LAYOUT_VERSION,
        "kind": "register_extract",
        "organisation": {"name": organisation.name, "ods_code": organisation.ods_code},
        "year": year,
        "projects": rows,
        "totals": totals,
    }
