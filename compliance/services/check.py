"""The compliance check: every rule over every project in scope, as a list of breaches.

Used by ``manage.py check_compliance`` and the auditors' page (/audit/compliance/). A
fixed number of queries whatever the number of projects: each rule reads what it needs
set-based (compliance.services.facts), and one more query names the projects in breach.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils import timezone

from accounts.models import Organisation
from compliance.services import rules
from compliance.services.facts import Scope
from partnerships.models import Project


@dataclass(frozen=True)
class Rule:
    code: str
    text: str  # the rule, as DESIGN.md states it
    find: Callable[[Scope], Iterable[tuple[int, str]]]


RULES = (
    Rule(
        "summary-after-start",
        "The executive summary is published before the project starts (rule 4)",
        rules.summary_after_start,
    ),
    Rule(
        "no-signed-agreement",
        "A project is active, completed or closed only with a signed written agreement (rule 4)",
        rules.agreement_missing,
    ),
    Rule(
        "gate-below-quorum",
        "A gate is approved only when eligible approvals reach its quorum (gate rule)",
        rules.gate_below_quorum,
    ),
    Rule(
        "ineligible-sign-off",
        "No one on the team, of a partner company, undeclared or with a declared interest "
        "signs off a gate (rule 6)",
        rules.ineligible_sign_off,
    ),
    Rule(
        "undeclared-at-approval",
        "Every team and panel member has declared when the conflicts of interest gate is "
        "approved (rule 6)",
        rules.undeclared_at_conflicts_approval,
    ),
    Rule(
        "unmanaged-conflict",
        "Every declared conflict has a recorded management action when the conflicts of "
        "interest gate is approved (rule 6)",
        rules.unmanaged_conflict_at_conflicts_approval,
    ),
    Rule(
        "measures-incomplete",
        "Every objective has a complete outcome measure when the outcome measures gate is "
        "approved (rule 5)",
        rules.measure_incomplete_at_approval,
    ),
    Rule(
        "partner-contributes-nothing",
        "Every partner contributes, financially or in kind (rule 2)",
        rules.partner_contributes_nothing,
    ),
    Rule(
        "final-report-late",
        "The final report and outcome summary are published by their deadline (rule 9)",
        rules.final_report_late,
    ),
    Rule(
        "outcome-reports-overdue",
        "Outcome reports are submitted on schedule while a project is active (rule 9)",
        rules.outcome_reports_overdue,
    ),
)
RULES_BY_CODE = {rule.code: rule for rule in RULES}


@dataclass(frozen=True)
class Breach:
    project_id: int
    reference: str
    title: str
    icb: str
    code: str
    rule: str
    evidence: str

    @property
    def project_label(self) -> str:
        return f"{self.reference} {self.title}" if self.reference else self.title


CSV_HEADER = [
    "Project reference",
    "Project title",
    "Lead organisation",
    "Rule code",
    "Rule",
    "Evidence",
]


def breach_row(breach: Breach) -> list[str]:
    return [
        breach.reference,
        breach.title,
        breach.icb,
        breach.code,
        breach.rule,
        breach.evidence,
    ]


def compliance_check(
    *,
    icb: Organisation | None = None,
    today: datetime.date | None = None,
    only: Iterable[str] | None = None,
    scope: Scope | None = None,
) -> list[Breach]:
    """Every breach of the rules among the projects ``icb`` leads (None: every project),
    by ICB, project reference and rule. ``only`` limits it to the rules with those codes.
    ``scope`` is one the caller has read facts into already (the audit pack), for the same
    ICB and day."""
    scope = scope or Scope(today=today or timezone.localdate(), icb=icb)
    chosen = [RULES_BY_CODE[code] for code in only] if only else RULES
    found = [(rule, pk, evidence) for rule in chosen for pk, evidence in rule.find(scope)]
    labels = {
        pk: (reference or "", title, icb_name)
        for pk, reference, title, icb_name in Project.objects.filter(
            pk__in={pk for _, pk, _ in found}
        ).values_list("pk", "reference", "title", "lead_organisation__name")
    }
    order = {rule.code: n for n, rule in enumerate(RULES)}
    breaches = [
        Breach(pk, *labels[pk], rule.code, rule.text, evidence) for rule, pk, evidence in found
    ]
    breaches.sort(key=lambda b: (b.icb, b.reference, b.project_id, order[b.code], b.evidence))
    return breaches
