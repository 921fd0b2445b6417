"""Rows for COPY: each model's columns, the ids of its new rows, and the audit events
appended to the hash chain exactly as audit.services.audit_record would."""

import datetime
import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder

from audit.models import GENESIS, AuditEvent, AuditHead
from demo.scale.copy import Table
from governance.models import ConflictManagement, Declaration, Gate, Interest, Review, SignOff
from outcomes.models import FinalReport, Lesson, MeasureValue, OutcomeReport
from partnerships.models import (
    Document,
    DocumentVersion,
    Objective,
    OutcomeMeasure,
    Partner,
    Project,
    ProjectEvent,
    ProjectGroupObjectPermission,
    ProjectUserObjectPermission,
    TeamMember,
)


def utc(day: datetime.date, seconds: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(8), tzinfo=datetime.UTC) + (
        datetime.timedelta(seconds=seconds)
    )


class Audit:
    """Appends events to the chain exactly as audit.services.audit_record does, so the
    hashes are those verify_audit recomputes."""

    def __init__(self):
        head, _ = AuditHead.objects.select_for_update().get_or_create(id=1)
        self.head = head
        self.seq, self.prev = head.last_seq, head.last_hash or GENESIS
        self.rows, self.count = [], 0
        self.table = Table(
            AuditEvent,
            (
                "seq",
                "created_at",
                "actor_id",
                "actor_label",
                "action",
                "object_type",
                "object_id",
                "object_repr",
                "before",
                "after",
                "ip",
                "prev_hash",
                "hash",
            ),
        )

    def add(self, at, actor, email, action, object_type, object_id, text, before, after):
        self.seq += 1
        content = {
            "seq": self.seq,
            "created_at": at.isoformat(),
            "actor": actor,
            "actor_label": email if actor else "system",
            "action": action,
            "object_type": object_type,
            "object_id": str(object_id),
            "object_repr": text[:300],
            "before": before,
            "after": after,
            "ip": None,
            "prev_hash": self.prev,
        }
        digest = hashlib.sha256(
            json.dumps(
                content, sort_keys=True, cls=DjangoJSONEncoder, separators=(",", ":")
            ).encode()
        ).hexdigest()
        self.rows.append(
            (
                self.seq,
                at,
                actor,
                content["actor_label"],
                action,
                object_type,
                str(object_id),
                content["object_repr"],
                before,
                after,
                None,
                self.prev,
                digest,
            )
        )
        self.prev = digest

    def flush(self) -> None:
        self.count += self.table.copy(self.rows)
        self.rows.clear()

    def finish(self) -> int:
        self.flush()
        self.table.move_sequence()
        AuditHead.objects.filter(id=1).update(
            last_seq=self.seq, last_hash=self.prev, count=self.head.count + self.count
        )
        return self.count


class Ids:
    """Ids for a model's new rows, from above the highest in its table."""

    def __init__(self, table: Table):
        self.next = table.next_id()

    def take(self) -> int:
        value = self.next
        self.next += 1
        return value


# The columns of each model's table, in the order its rows are written.
COLUMNS = {
    Project: (
        "id",
        "reference",
        "status",
        "lead_organisation_id",
        "created_by_id",
        "title",
        "kind",
        "therapy_area",
        "start_date",
        "end_date",
        "population_need",
        "background",
        "aims",
        "benefits_patients",
        "benefits_nhs",
        "benefits_industry",
        "methodology",
        "milestones",
        "evaluation_plan",
        "success_criteria",
        "publication_plan",
        "governance_arrangements",
        "data_protection",
        "confirm_nhs_data_controller",
        "exit_strategy",
        "confirm_prospective",
        "confirm_not_inducement",
        "confirm_national_guidance",
        "confirm_benefits_organisational",
        "executive_summary",
        "summary_published_at",
        "delivery_ended_on",
        "outcome_summary",
        "outcome_summary_published_at",
        "submitted_at",
        "created_at",
        "updated_at",
    ),
    Partner: (
        "id",
        "project_id",
        "organisation_id",
        "is_lead",
        "accountable_lead_name",
        "accountable_lead_job_title",
        "financial_contribution",
        "in_kind_description",
        "in_kind_value",
        "created_at",
        "updated_at",
    ),
    ProjectGroupObjectPermission: ("id", "permission_id", "group_id", "content_object_id"),
    ProjectUserObjectPermission: ("id", "permission_id", "user_id", "content_object_id"),
    TeamMember: ("id", "project_id", "user_id", "organisation_id", "role", "created_at"),
    Objective: ("id", "project_id", "number", "description"),
    OutcomeMeasure: (
        "id",
        "project_id",
        "objective_id",
        "name",
        "unit",
        "direction",
        "baseline_value",
        "baseline_date",
        "target_value",
        "target_date",
        "data_source",
        "frequency",
        "owner_id",
        "created_at",
        "updated_at",
    ),
    ProjectEvent: (
        "id",
        "project_id",
        "actor_id",
        "action",
        "description",
        "from_status",
        "to_status",
        "reason",
        "created_at",
    ),
    Review: ("id", "project_id", "panel_id", "low_risk", "opened_at"),
    Gate: (
        "id",
        "project_id",
        "kind",
        "status",
        "round",
        "opened_at",
        "decided_at",
        "approved_fingerprint",
        "updated_at",
    ),
    SignOff: (
        "id",
        "gate_id",
        "reviewer_id",
        "round",
        "decision",
        "comment",
        "criteria",
        "low_risk_route",
        "created_at",
    ),
    Declaration: (
        "id",
        "person_id",
        "project_id",
        "role",
        "nil_return",
        "declared_at",
        "year",
        "created_at",
    ),
    Interest: (
        "id",
        "declaration_id",
        "category",
        "interest_type",
        "description",
        "organisation_name",
        "start_date",
        "end_date",
        "became_aware_on",
    ),
    ConflictManagement: (
        "id",
        "interest_id",
        "action",
        "excludes_from_decision",
        "recorded_by_id",
        "recorded_at",
    ),
    OutcomeReport: (
        "id",
        "project_id",
        "period_start",
        "period_end",
        "due_date",
        "status",
        "rag",
        "rag_reason",
        "narrative",
        "what_worked",
        "what_did_not",
        "share_lessons",
        "submitted_by_id",
        "submitted_at",
        "created_at",
        "updated_at",
    ),
    MeasureValue: ("id", "report_id", "measure_id", "value"),
    FinalReport: (
        "id",
        "project_id",
        "status",
        "overview",
        "outcomes_achieved",
        "benefits_patients",
        "benefits_nhs",
        "benefits_industry",
        "vision_sustained",
        "vision_sustained_comment",
        "contributions_made",
        "contributions_made_comment",
        "variances_resolved",
        "variances_resolved_comment",
        "each_benefited",
        "each_benefited_comment",
        "trust_maintained",
        "trust_maintained_comment",
        "supports_scaling",
        "supports_scaling_comment",
        "conclusions",
        "lessons_learned",
        "outcome_summary",
        "published_by_id",
        "published_at",
        "created_at",
        "updated_at",
    ),
    Document: ("id", "project_id", "kind", "title", "created_at"),
    DocumentVersion: (
        "id",
        "document_id",
        "number",
        "file",
        "original_name",
        "content_type",
        "size",
        "sha256",
        "uploaded_by_id",
        "uploaded_at",
    ),
    Lesson: (
        "id",
        "project_id",
        "source",
        "final_report_id",
        "outcome_report_id",
        "what_worked",
        "what_did_not",
        "lessons",
        "project_title",
        "shared_at",
    ),
}
