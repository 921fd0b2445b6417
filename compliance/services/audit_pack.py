"""The audit pack: one PDF of an ICB's projects in a period, for auditors.

It is a disclosure document (outcomes.DisclosureDocument, kind "audit_pack"): the same
document numbers, the same rendering in a Celery task, the same SHA-256 checked at /verify/
and the same permission-checked download. It is made here, above outcomes, because it
holds the compliance check's result; this module takes the snapshot and hands it to
outcomes.services.disclosure.disclosure_issue.

The snapshot is read set-based: a fixed number of queries whatever the number of
projects (tests/compliance/test_audit_pack.py counts them).
"""

import datetime
from collections import defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Prefetch, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Organisation, User
from audit.models import GENESIS, AuditEvent, AuditHead
from compliance.services.check import RULES, compliance_check
from compliance.services.facts import Scope
from compliance.services.rules import third_person
from governance.gates import GATES
from governance.models import ConflictManagement, Declaration, Gate, Interest, Review, SignOff
from outcomes.disclosure_data import interest_snapshot, iso_or_none, person_label
from outcomes.models import DisclosureDocument, FinalReport, OutcomeReport
from outcomes.schedule import report_periods
from outcomes.selectors.disclosure import can_use_audit_packs
from outcomes.services.disclosure import disclosure_issue
from partnerships.models import OutcomeMeasure, Project

# Part of every content hash: raise it when the PDF template changes what it shows.
LAYOUT_VERSION = 1
# At most this many projects in one pack: a hundred take WeasyPrint about 25 seconds (some
# 190 pages), so this many stay well inside the render task's time limit.
MAX_PROJECTS = 500

S = Project.Status
STARTED = (S.ACTIVE, S.COMPLETED, S.CLOSED)

PERIOD_RULE = (
    "A project is in this pack when the organisation leads it and, during the period, it "
    "was submitted for review (its latest submission fell in the period) or it was in "
    "delivery (it has started, its start date is on or before the last day of the period, "
    "and its delivery had not ended before the first day). Drafts never submitted are not "
    "included."
)
AUDIT_METHOD = (
    "Every audit event of these projects (the project itself, its gates and review, its "
    "declarations and the management of its conflicts) was checked against its SHA-256 "
    "hash, and against the events either side of it in the chain: the one before must "
    "have the hash it records, the one after must record its hash. The whole chain is "
    "verified on the audit trail page and by manage.py verify_audit."
)


# Which projects -----------------------------------------------------------------------------


def audit_pack_projects(organisation: Organisation, period_from, period_to):
    """The projects of the pack (PERIOD_RULE), by reference."""
    ended = Coalesce("delivery_ended_on", "end_date")
    submitted = Q(submitted_at__date__gte=period_from, submitted_at__date__lte=period_to)
    in_delivery = Q(status__in=STARTED, start_date__lte=period_to) & (
        Q(ended_on__isnull=True) | Q(ended_on__gte=period_from)
    )
    return (
        Project.objects.filter(lead_organisation=organisation)
        .annotate(ended_on=ended)
        .filter(submitted | in_delivery)
        .order_by(F("reference").asc(nulls_last=True), "pk")
    )


# What the pack shows of each project ---------------------------------------------------------


def _gates(scope: Scope, ids: list[int]) -> dict[int, list[dict]]:
    """Each project's gates: status, quorum, every sign-off with whether its reviewer was
    eligible then (and why not), and who on the panel was eligible when the gate was
    decided (or, for an open gate, now)."""
    gates = {
        row["pk"]: row
        for row in Gate.objects.filter(project_id__in=ids).values(
            "pk", "project_id", "kind", "status", "round", "decided_at"
        )
    }
    sign_offs = defaultdict(list)
    for row in (
        SignOff.objects.filter(gate__project_id__in=ids)
        .order_by("gate_id", "created_at", "pk")
        .values("gate_id", "reviewer_id", "round", "decision", "created_at", "comment")
    ):
        sign_offs[row["gate_id"]].append(row)
    people = {row["reviewer_id"] for rows in sign_offs.values() for row in rows}
    for review in scope.reviews.values():
        people.update(scope.seats.get(review.panel_id, {}))
    names = scope.people(people)
    now = timezone.now()
    by_project: dict[int, dict[str, dict]] = defaultdict(dict)
    for gate in gates.values():
        by_project[gate["project_id"]][gate["kind"]] = gate
    decisions = dict(SignOff.Decision.choices)
    statuses = dict(Gate.Status.choices)
    found = {}
    for project_id in ids:
        rows = []
        for spec in GATES:
            gate = by_project[project_id].get(spec.kind)
            if gate is None:
                rows.append({"title": spec.title, "status": "Not yet open", "sign_offs": []})
                continue
            when = gate["decided_at"] or now
            panel = sorted(scope.panel_at(project_id, when), key=lambda p: names.get(p, ""))
            eligible, not_eligible = [], []
            for person in panel:
                problems = scope.eligibility_problems_at(project_id, person, when)
                if problems:
                    not_eligible.append(
                        {
                            "person": names.get(person, ""),
                            "why": "; ".join(third_person(p) for p in problems),
                        }
                    )
                else:
                    eligible.append(names.get(person, ""))
            rows.append(
                {
                    "title": spec.title,
                    "status": statuses[gate["status"]],
                    "round": gate["round"],
                    "decided_at": iso_or_none(gate["decided_at"]),
                    "quorum": scope.approval_quorums.get(gate["pk"]),
                    "eligible_when": "decided" if gate["decided_at"] else "now",
                    "eligible": eligible,
                    "not_eligible": not_eligible,
                    "sign_offs": [
                        {
                            "reviewer": names.get(s["reviewer_id"], ""),
                            "decision": decisions[s["decision"]],
                            "round": s["round"],
                            "at": iso_or_none(s["created_at"]),
                            "comment": s["comment"],
                            "not_eligible": "; ".join(
                                third_person(p)
                                for p in scope.eligibility_problems_at(
                                    project_id, s["reviewer_id"], s["created_at"]
                                )
                            ),
                        }
                        for s in sign_offs[gate["pk"]]
                    ],
                }
            )
        found[project_id] = rows
    return found


def _declarations(ids: list[int]) -> dict[int, list[dict]]:
    """Every declaration made for each project, by person and oldest first, with each
    interest and how its conflict was managed."""
    declarations = (
        Declaration.objects.filter(project_id__in=ids)
        .select_related("person")
        .prefetch_related(
            Prefetch(
                "interests",
                queryset=Interest.objects.select_related("management__recorded_by").order_by("pk"),
            )
        )
        .order_by("project_id", "person__last_name", "person__first_name", "person_id", "pk")
    )
    found = defaultdict(list)
    for declaration in declarations:
        interests = [
            interest_snapshot(interest, getattr(interest, "management", None))
            for interest in declaration.interests.all()
        ]
        found[declaration.project_id].append(
            {
                "person": person_label(declaration.person),
                "role": declaration.get_role_display(),
                "declared_at": iso_or_none(declaration.declared_at),
                "nil_return": declaration.nil_return,
                "interests": interests,
            }
        )
    return found


def _outcomes(projects: list[Project], today: datetime.date) -> dict[int, dict]:
    """Each project's outcome reports against its schedule, and its final report."""
    ids = [p.pk for p in projects]
    frequencies = defaultdict(list)
    for project_id, frequency in OutcomeMeasure.objects.filter(project_id__in=ids).values_list(
        "project_id", "frequency"
    ):
        frequencies[project_id].append(frequency)
    reports = {
        (row["project_id"], row["period_end"]): row
        for row in OutcomeReport.objects.filter(project_id__in=ids).values(
            "project_id", "period_start", "period_end", "status", "submitted_at", "rag"
        )
    }
    finals = {
        row["project_id"]: row
        for row in FinalReport.objects.filter(project_id__in=ids).values(
            "project_id", "status", "published_at"
        )
    }
    rags = dict(OutcomeReport.Rag.choices)
    found = {}
    for project in projects:
        rows = []
        if project.status in STARTED:
            for period in report_periods(
                project.start_date, project.end_date, frequencies[project.pk]
            ):
                report = reports.get((project.pk, period.end))
                if report is not None and report["status"] == OutcomeReport.Status.SUBMITTED:
                    status = "Submitted"
                elif period.due_date < today:
                    status = "Overdue" + (" (a draft is started)" if report else "")
                elif report is not None:
                    status = "Draft"
                else:
                    status = "Not yet due"
                rows.append(
                    {
                        "period_start": iso_or_none(period.start),
                        "period_end": iso_or_none(period.end),
                        "due": iso_or_none(period.due_date),
                        "status": status,
                        "submitted_at": iso_or_none(report["submitted_at"]) if report else None,
                        "rag": rags.get(report["rag"], "") if report else "",
                    }
                )
        final = finals.get(project.pk)
        if final is not None and final["status"] == FinalReport.Status.PUBLISHED:
            final_status = "Published"
        elif final is not None:
            final_status = "Draft"
        else:
            final_status = "Not started"
        found[project.pk] = {
            "reports": rows,
            "final_report": {
                "status": final_status,
                "published_at": iso_or_none(final["published_at"]) if final else None,
                "deadline": iso_or_none(project.final_report_deadline),
            },
        }
    return found


# The audit chain over the pack's events -----------------------------------------------------


def _event_owners(ids: list[int]) -> dict[tuple[str, str], int]:
    """(object type, object id) of everything whose events belong to a project of the pack,
    to the project."""
    owners = {("partnerships.project", str(pk)): pk for pk in ids}
    sources = (
        ("governance.gate", Gate.objects.filter(project_id__in=ids), "project_id"),
        ("governance.review", Review.objects.filter(project_id__in=ids), "project_id"),
        ("governance.declaration", Declaration.objects.filter(project_id__in=ids), "project_id"),
        (
            "governance.conflictmanagement",
            ConflictManagement.objects.filter(interest__declaration__project_id__in=ids),
            "interest__declaration__project_id",
        ),
    )
    for object_type, queryset, path in sources:
        for pk, project_id in queryset.values_list("pk", path):
            owners[(object_type, str(pk))] = project_id
    return owners


def verify_events(ids: list[int]) -> tuple[dict, dict[int, dict]]:
    """Check every audit event of the projects, and its links to its neighbours: the whole
    result, and each project's (how many events, and whether they are intact)."""
    owners = _event_owners(ids)
    by_type = defaultdict(list)
    for object_type, object_id in owners:
        by_type[object_type].append(object_id)
    if not by_type:
        return {"intact": True, "checked": 0, "problems": [], "method": AUDIT_METHOD}, {}
    where = Q()
    for object_type, object_ids in by_type.items():
        where |= Q(object_type=object_type, object_id__in=object_ids)
    events = {event.seq: event for event in AuditEvent.objects.filter(where).order_by("seq")}
    neighbours = {seq + step for seq in events for step in (-1, 1)} - set(events) - {0}
    known = dict(events)
    known.update((e.seq, e) for e in AuditEvent.objects.filter(seq__in=neighbours))
    head = AuditHead.objects.filter(id=1).first()
    last_seq, last_hash = (head.last_seq, head.last_hash) if head else (0, GENESIS)
    intact_hash = {seq: event.compute_hash() == event.hash for seq, event in known.items()}
    problems = []
    per_project: dict[int, dict] = defaultdict(lambda: {"events": 0, "intact": True})
    for seq, event in events.items():
        project_id = owners[(event.object_type, event.object_id)]
        per_project[project_id]["events"] += 1
        found = []
        if not intact_hash[seq]:
            found.append("its content does not match its hash")
        before = known.get(seq - 1)
        if seq == 1:
            if event.prev_hash != GENESIS:
                found.append("it does not start the chain")
        elif before is None:
            found.append(f"event #{seq - 1}, before it, is missing")
        elif before.hash != event.prev_hash or not intact_hash[seq - 1]:
            found.append(f"it does not follow event #{seq - 1}")
        after = known.get(seq + 1)
        if after is not None:
            if after.prev_hash != event.hash or not intact_hash[seq + 1]:
                found.append(f"event #{seq + 1} does not follow it")
        elif seq < last_seq:
            found.append(f"event #{seq + 1}, after it, is missing")
        elif seq == last_seq and last_hash != event.hash:
            found.append("the end of the chain does not match it")
        if found:
            per_project[project_id]["intact"] = False
            problems.append({"seq": seq, "project_id": project_id, "problem": "; ".join(found)})
    result = {
        "intact": not problems,
        "checked": len(events),
        "problems": problems,
        "method": AUDIT_METHOD,
    }
    return result, dict(per_project)


# The snapshot -------------------------------------------------------------------------------


def _partners(project: Project) -> list[dict]:
    return [
        {"organisation": p.organisation.name, "kind": p.organisation.get_kind_display()}
        for p in project.partners.all()
        if not p.is_lead
    ]


def audit_pack_snapshot(
    organisation: Organisation,
    period_from: datetime.date,
    period_to: datetime.date,
    *,
    today: datetime.date | None = None,
) -> dict:
    """Everything the audit pack shows, as plain JSON."""
    today = today or timezone.localdate()
    projects = list(
        audit_pack_projects(organisation, period_from, period_to).prefetch_related(
            "partners__organisation"
        )
    )
    ids = [p.pk for p in projects]
    scope = Scope(today=today, icb=organisation)
    gates = _gates(scope, ids) if ids else {}
    declarations = _declarations(ids) if ids else {}
    outcomes = _outcomes(projects, today) if ids else {}
    in_pack = set(ids)
    breaches = [
        b
        for b in compliance_check(icb=organisation, today=today, scope=scope)
        if b.project_id in in_pack
    ]
    by_project = defaultdict(list)
    for breach in breaches:
        by_project[breach.project_id].append(
            {"code": breach.code, "rule": breach.rule, "evidence": breach.evidence}
        )
    chain, chain_by_project = (
        verify_events(ids)
        if ids
        else (
            {"intact": True, "checked": 0, "problems": [], "method": AUDIT_METHOD},
            {},
        )
    )
    references = {p.pk: p.reference or p.title for p in projects}
    for problem in chain["problems"]:
        problem["project"] = references[problem.pop("project_id")]
    counts = defaultdict(int)
    for breach in breaches:
        counts[breach.code] += 1
    return {
        "layout": LAYOUT_VERSION,
        "kind": "audit_pack",
        "organisation": {"name": organisation.name, "ods_code": organisation.ods_code},
        "period": {"from": period_from.isoformat(), "to": period_to.isoformat()},
        "rule": PERIOD_RULE,
        "checked_on": today.isoformat(),
        "compliance": {
            "breaches": len(breaches),
            "projects": len(by_project),
            "rules": [
                {"code": rule.code, "text": rule.text, "count": counts[rule.code]} for rule in RULES
            ],
        },
        "audit_chain": chain,
        "projects": [
            {
                "reference": project.reference or "",
                "title": project.title,
                "status": project.get_status_display(),
                "submitted_at": iso_or_none(project.submitted_at),
                "start_date": iso_or_none(project.start_date),
                "end_date": iso_or_none(project.end_date),
                "delivery_ended_on": iso_or_none(project.delivery_ended_on),
                "summary_published_at": iso_or_none(project.summary_published_at),
                "partners": _partners(project),
                "gates": gates[project.pk],
                "declarations": declarations.get(project.pk, []),
                "outcomes": outcomes[project.pk],
                "breaches": by_project.get(project.pk, []),
                "audit": chain_by_project.get(project.pk, {"events": 0, "intact": True}),
            }
            for project in projects
        ],
    }


# The request --------------------------------------------------------------------------------


def _checked(organisation, period_from, period_to, today) -> dict:
    errors = {}
    if organisation is None or organisation.kind not in Organisation.NHS_KINDS:
        errors["organisation"] = "Choose an ICB or other NHS body from the list"
    if period_from is None:
        errors["period_from"] = "Enter the start of the period"
    elif period_from > today:
        errors["period_from"] = "The start of the period must be today or in the past"
    elif period_from.year < 2000:
        errors["period_from"] = "The start of the period must be in 2000 or later"
    if period_to is None:
        errors["period_to"] = "Enter the end of the period"
    elif period_from is not None and period_to < period_from:
        errors["period_to"] = "The end of the period must be the same as or after its start"
    return errors


def audit_pack_request(
    *,
    organisation: Organisation | None,
    period_from: datetime.date | None,
    period_to: datetime.date | None,
    actor: User | None,
    queue: bool = True,
) -> DisclosureDocument:
    """The audit pack of the organisation's projects in the period, as the data is now: an
    existing document when nothing has changed, else a new one queued for rendering.
    Auditors and administrators only (``actor`` None: the command line)."""
    if actor is not None and not can_use_audit_packs(actor):
        raise PermissionDenied("Audit packs are for auditors and administrators")
    today = timezone.localdate()
    errors = _checked(organisation, period_from, period_to, today)
    if errors:
        raise ValidationError(errors)
    count = audit_pack_projects(organisation, period_from, period_to).count()
    if count > MAX_PROJECTS:
        raise ValidationError(
            f"{organisation.name} has {count:,} projects in this period; an audit pack holds "
            f"at most {MAX_PROJECTS}. Choose a shorter period."
        )
    snapshot = audit_pack_snapshot(organisation, period_from, period_to, today=today)
    return disclosure_issue(
        kind=DisclosureDocument.Kind.AUDIT_PACK,
        snapshot=snapshot,
        subject={"organisation": organisation, "period_from": period_from, "period_to": period_to},
        actor=actor,
        queue=queue,
    )
