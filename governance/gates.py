"""The four governance gates: what each covers, its criteria, and the rule that decides it.

One place for them, so the sign-off page, the service and the reminders cannot disagree.
"""

import hashlib
import json
from dataclasses import dataclass

from governance.models import Gate, SignOff
from partnerships.models import Project
from partnerships.sections import SECTIONS_BY_KEY

K = Gate.Kind
S = Gate.Status
D = SignOff.Decision


@dataclass(frozen=True)
class Criterion:
    key: str
    text: str
    low_risk: bool = True  # on the shorter list of the low-risk route


@dataclass(frozen=True)
class GateSpec:
    kind: str
    title: str
    approves_that: str
    sections: tuple[str, ...]
    criteria: tuple[Criterion, ...]

    def criteria_for(self, *, low_risk: bool) -> tuple[Criterion, ...]:
        return tuple(c for c in self.criteria if c.low_risk) if low_risk else self.criteria


GATES = (
    GateSpec(
        K.SHARED_PURPOSE,
        "Shared purpose",
        "The project answers a named population need, puts patients first and is fair to "
        "every partner.",
        ("about", "need", "aims", "partners", "delivery", "governance", "declarations"),
        (
            Criterion("population_need", "The purpose answers a named population need"),
            Criterion(
                "patient_benefit",
                "Patient benefit is primary, and the benefits to patients, the NHS and the "
                "company are stated separately",
            ),
            Criterion("contributions", "Every partner makes a significant contribution"),
            Criterion(
                "not_inducement",
                "The project is not an inducement to prescribe, supply, recommend, buy or sell "
                "a medicine",
            ),
            Criterion("prospective", "The project is prospective", low_risk=False),
            Criterion(
                "exit_and_data",
                "The exit strategy and the data protection arrangements are sound",
            ),
        ),
    ),
    GateSpec(
        K.OUTCOME_MEASURES,
        "Outcome measures",
        "Outcomes are agreed before approval, not retrofitted.",
        ("aims", "evaluation"),
        (
            Criterion(
                "measures",
                "Every objective has at least one measure with a baseline, target, unit, data "
                "source and frequency",
            ),
            Criterion("evaluation_plan", "An evaluation plan exists"),
            Criterion(
                "success_criteria", "The success criteria are clear and measurable", low_risk=False
            ),
        ),
    ),
    GateSpec(
        K.CONFLICTS,
        "Conflicts of interest",
        "Everyone on the team and the panel has declared, and every conflict is managed.",
        ("team",),
        (
            Criterion("declared", "Every team member and every reviewer has a current declaration"),
            Criterion("managed", "Each declared conflict has a recorded management action"),
            Criterion(
                "organisational_benefit",
                "Benefits go to organisations, never to individuals",
                low_risk=False,
            ),
        ),
    ),
    GateSpec(
        K.TRANSPARENCY,
        "Transparency disclosure",
        "The executive summary is fit to publish on the transparency register.",
        ("summary", "partners"),
        (
            Criterion(
                "summary_plain",
                "The executive summary is accurate, in plain English and not promotional",
            ),
            Criterion("contributions_in_full", "Contributions are stated in full", low_risk=False),
            Criterion("publish", "The summary is approved for publication"),
        ),
    ),
)
GATES_BY_KIND = {g.kind: g for g in GATES}


def gate_state(*, decisions: list[str], quorum: int) -> str:
    """The gate rule of DESIGN.md, from the latest decision of each eligible reviewer in the
    current round: any rejection rejects; otherwise any request for changes asks for them;
    otherwise approvals reaching the quorum approve; otherwise it is in review once anyone
    has decided, and awaiting review before that."""
    if D.REJECT in decisions:
        return S.REJECTED
    if D.REQUEST_CHANGES in decisions:
        return S.CHANGES_REQUESTED
    if decisions.count(D.APPROVE) >= quorum:
        return S.APPROVED
    return S.IN_REVIEW if decisions else S.PENDING


def _section_content(project: Project, key: str):
    if key == "partners":
        return [
            [
                p.organisation_id,
                p.is_lead,
                p.accountable_lead_name,
                p.accountable_lead_job_title,
                p.accountable_lead_email,
                p.signatory_name,
                str(p.financial_contribution),
                p.in_kind_description,
                str(p.in_kind_value),
            ]
            for p in sorted(project.partners.all(), key=lambda p: p.organisation_id)
        ]
    if key == "team":
        return sorted([m.user_id, m.organisation_id, m.role] for m in project.team.all())
    content = {name: getattr(project, name) for name in SECTIONS_BY_KEY[key].fields}
    if key == "aims":
        content["objectives"] = [o.description for o in project.objectives.all()]
    if key == "evaluation":
        # The outcome measures are part of this section (the outcome measures gate covers
        # it; the shared purpose gate does not, so a changed measure reopens only the former).
        content["measures"] = sorted(
            (
                [
                    m.objective.number,
                    m.objective.description,
                    m.name,
                    m.unit,
                    m.direction,
                    m.baseline_value,
                    m.baseline_date,
                    m.target_value,
                    m.target_date,
                    m.data_source,
                    m.frequency,
                    m.owner.organisation_id,
                ]
                for m in project.measures.all()
            ),
            key=lambda row: (row[0], row[2]),
        )
    return content


def fingerprint(project: Project, kind: str) -> str:
    """SHA-256 of everything the gate covers: a gate approved on one version of the proposal
    is reopened when any of its sections has changed since."""
    content = {key: _section_content(project, key) for key in GATES_BY_KIND[kind].sections}
    encoded = json.dumps(content, sort_keys=True, default=str).encode()
    return hashlib.sha256(encoded).hexdigest()
