"""Each project of the national-scale data set, row by row: its plan (status, dates,
partners, reference), the project, its partners and team, objectives and measures, then its
review (demo.scale.review) and delivery (demo.scale.delivery) as far as its status goes.
The same random generator, called in the same order, gives the same data."""

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from accounts.models import Organisation
from demo.scale.delivery import DeliveryRows
from demo.scale.people import Cast
from demo.scale.review import ReviewRows
from demo.scale.rows import Audit, utc
from demo.scale.words import ACTIONS, CONDITIONS, MEASURE_NAMES, THERAPY_AREAS
from partnerships.models import (
    Objective,
    OutcomeMeasure,
    Partner,
    Project,
    ProjectEvent,
    ProjectGroupObjectPermission,
    ProjectUserObjectPermission,
    TeamMember,
)
from partnerships.selectors.final_reports import final_report_cutoff

S = Project.Status

# Shares of projects in each status at any time over ten years (most long since closed).
STATUS_WEIGHTS = (
    (S.DRAFT, 8),
    (S.SUBMITTED, 5),
    (S.CHANGES_REQUESTED, 2),
    (S.APPROVED, 1),
    (S.ACTIVE, 15),
    (S.COMPLETED, 6),
    (S.CLOSED, 55),
    (S.WITHDRAWN, 4),
    (S.REJECTED, 4),
)
DELIVERED = (S.ACTIVE, S.COMPLETED, S.CLOSED)
PUBLIC = (S.APPROVED, *DELIVERED)
LEAD_PERMS = ("view_project", "change_project", "edit_proposal")


def project_status(rng: random.Random, created: datetime.date, today: datetime.date) -> str:
    """A status fitting the project's age: recent projects are earlier in their life."""
    age = (today - created).days
    if age < 60:
        return rng.choice((S.DRAFT, S.DRAFT, S.SUBMITTED, S.SUBMITTED, S.CHANGES_REQUESTED))
    if age < 200:
        return rng.choice((S.DRAFT, S.SUBMITTED, S.APPROVED, S.ACTIVE, S.ACTIVE, S.WITHDRAWN))
    statuses, weights = zip(*STATUS_WEIGHTS, strict=True)
    status = rng.choices(statuses, weights)[0]
    # Nothing waits on the panel, or to start, for long; delivery lasts up to two years.
    if status in (S.SUBMITTED, S.CHANGES_REQUESTED, S.APPROVED):
        status = S.ACTIVE
    if age > 3 * 365 and status in (S.ACTIVE, S.COMPLETED):
        status = S.CLOSED
    return status


def _shifted(delta: datetime.timedelta, *moments):
    """Each date or time ``delta`` later (None stays None)."""
    return tuple(m + delta if m is not None else None for m in moments)


@dataclass
class Plan:
    """What one project will be: drawn first, then written out stage by stage."""

    pk: int
    icb: Organisation
    lead: int
    deputy: int
    status: str
    area: str
    condition: str
    title: str
    partners: list[Organisation]
    created_at: datetime.datetime
    submitted: bool
    submitted_at: datetime.datetime | None
    reference: str | None
    decided: datetime.datetime | None
    start: datetime.date
    end: datetime.date
    published: datetime.datetime | None
    ended: datetime.date | None
    closed_at: datetime.datetime | None
    summary: str
    outcome_summary: str
    updated_at: datetime.datetime
    filled: bool
    text: str
    created: datetime.date
    # Written by the stages that make them, for the stages after.
    label: str = ""
    partner_ids: list[int] = field(default_factory=list)
    industry: int | None = None
    measures: list[int] = field(default_factory=list)
    panel: list[int] = field(default_factory=list)
    eligible: list[int] = field(default_factory=list)  # reviewers who may sign off
    undeclared: bool = False  # someone on the panel has not declared yet


class ProjectBuilder(ReviewRows, DeliveryRows):
    """Writes each project's rows into ``rows`` (a list per model) and its audit events."""

    project_type = "partnerships.project"

    def __init__(
        self,
        *,
        rng: random.Random,
        cast: Cast,
        today: datetime.date,
        rows: dict,
        ids: dict,
        audit: Audit,
        perm: dict[str, int],
        counters: dict[int, int],
    ):
        self.rng, self.cast, self.today = rng, cast, today
        self.rows, self.ids, self.audit, self.perm, self.counters = rows, ids, audit, perm, counters
        self.icb_weights = [rng.uniform(0.4, 1.6) for _ in cast.icbs]
        self.company_weights = [rng.paretovariate(1.5) for _ in cast.companies]

    def build(self, created: datetime.date) -> None:
        p = self.plan(created)
        self.project(p)
        self.partners(p)
        self.team(p)
        self.objectives(p)
        if not p.submitted:
            if p.status == S.WITHDRAWN:
                at = p.created_at + datetime.timedelta(days=20)
                self.transition(p, p.lead, at, "withdraw", "Withdrawn", "draft", p.status)
            return
        self.transition(p, p.lead, p.submitted_at, "submit", "Submitted", "draft", "submitted")
        self.declarations(p)
        self.gates(p)
        if not self.decide(p):
            return
        self.deliver(p)
        if p.status == S.ACTIVE:
            return
        self.close(p)

    def plan(self, created: datetime.date) -> Plan:
        """The project's status, dates, partners and reference, drawn in the generator's order."""
        pk = self.ids[Project].take()
        icb = self.rng.choices(self.cast.icbs, self.icb_weights)[0]
        lead, deputy = self.rng.sample(self.cast.leads[icb.pk], 2)
        status = project_status(self.rng, created, self.today)
        area = self.rng.choice(THERAPY_AREAS)
        condition = self.rng.choice(CONDITIONS[area])
        title = self.rng.choice(ACTIONS).format(c=condition) + f" in {icb.town}"
        title = title[0].upper() + title[1:]
        partners = self.rng.choices(
            self.cast.companies, self.company_weights, k=self.rng.choice((1, 1, 2))
        )
        partners = list({c.pk: c for c in partners}.values())
        created_at = utc(created, self.rng.randrange(36000))
        submitted = status not in (S.DRAFT,) and not (
            status == S.WITHDRAWN and self.rng.random() < 0.5
        )
        submitted_at = (
            utc(created + datetime.timedelta(days=self.rng.randrange(14, 45)))
            if submitted
            else None
        )
        if submitted_at and submitted_at.date() > self.today:
            submitted_at = utc(self.today)
        decided = (
            submitted_at + datetime.timedelta(days=self.rng.randrange(20, 60))
            if submitted
            else None
        )
        if decided and decided.date() > self.today:
            decided = utc(self.today)
        start = (decided or created_at).date() + datetime.timedelta(days=self.rng.randrange(14, 60))
        end = start + datetime.timedelta(days=self.rng.choice((365, 545, 730)))
        if status in (S.COMPLETED, S.CLOSED) and end >= self.today:
            end = self.today - datetime.timedelta(days=self.rng.randrange(1, 120))
            # Finished by now: the whole history happened that much earlier, so that it was
            # still proposed, approved and published before it started (DESIGN rule 4).
            start, created, created_at, submitted_at, decided = _shifted(
                min(start, end - datetime.timedelta(days=180)) - start,
                start,
                created,
                created_at,
                submitted_at,
                decided,
            )
        if status in DELIVERED and start > self.today:
            start = self.today
        if status == S.COMPLETED and end < final_report_cutoff(self.today):
            # Still awaiting its final report, so it ended within the deadline (DESIGN rule
            # 9): the whole history happened that much later.
            later = self.today - datetime.timedelta(days=self.rng.randrange(1, 120)) - end
            end += later
            start, created, created_at, submitted_at, decided = _shifted(
                later, start, created, created_at, submitted_at, decided
            )
        reference = None
        if submitted:
            year = submitted_at.year
            self.counters[year] = self.counters.get(year, 0) + 1
            reference = f"CW-{year}-{self.counters[year]:04d}"
        published = decided if status in PUBLIC else None
        ended = end if status in (S.COMPLETED, S.CLOSED) else None
        closed_at = (
            utc(min(end + datetime.timedelta(days=self.rng.randrange(60, 170)), self.today))
            if status == S.CLOSED
            else None
        )
        summary = (
            f"{icb.name} and {', '.join(c.name for c in partners)} are working together on "
            f"{condition}: finding people earlier, reviewing their treatment against national "
            f"guidance and measuring what changes for patients. {area} is a priority in the "
            f"ICB's joint forward plan."
        )
        outcome_summary = (
            f"The project reviewed people with {condition} in {icb.town}; most measures met "
            "their targets and the service continues under NHS funding."
            if status == S.CLOSED
            else ""
        )
        updated_at = max(x for x in (created_at, submitted_at, decided, closed_at) if x)
        filled = status != S.DRAFT or self.rng.random() < 0.5
        text = "" if not filled else f"Detail of the plan for {condition}."
        return Plan(
            pk=pk,
            icb=icb,
            lead=lead,
            deputy=deputy,
            status=status,
            area=area,
            condition=condition,
            title=title,
            partners=partners,
            created_at=created_at,
            submitted=submitted,
            submitted_at=submitted_at,
            reference=reference,
            decided=decided,
            start=start,
            end=end,
            published=published,
            ended=ended,
            closed_at=closed_at,
            summary=summary,
            outcome_summary=outcome_summary,
            updated_at=updated_at,
            filled=filled,
            text=text,
            created=created,
        )

    def project(self, p: Plan) -> None:
        """The project row, its creation in the timeline and the audit trail."""
        self.rows[Project].append(
            (
                p.pk,
                p.reference,
                p.status,
                p.icb.pk,
                p.lead,
                p.title,
                Project.Kind.COLLABORATIVE,
                p.area,
                p.start,
                p.end,
                (
                    f"People in {p.icb.town} with {p.condition} are diagnosed late and treated "
                    "unevenly."
                )
                if p.filled
                else "",
                p.text,
                p.text,
                p.text,
                p.text,
                p.text,
                p.text,
                p.text,
                p.text,
                p.text,
                p.text,
                p.text,
                p.text,
                p.filled,
                p.text,
                p.filled,
                p.filled,
                p.filled,
                p.filled,
                p.summary if p.filled else "",
                p.published,
                p.ended,
                p.outcome_summary,
                p.closed_at,
                p.submitted_at,
                p.created_at,
                p.updated_at,
            )
        )
        label = f"{p.reference} {p.title}" if p.reference else p.title
        self.audit.add(
            p.created_at,
            p.lead,
            self.cast.emails[p.lead],
            "project.create",
            self.project_type,
            p.pk,
            label,
            {},
            {"description": "Proposal started", "status": "draft"},
        )
        self.audit.add(
            p.created_at,
            None,
            "",
            "permission.grant",
            self.project_type,
            p.pk,
            label,
            {},
            {"user": self.cast.emails[p.lead], "permissions": list(LEAD_PERMS)},
        )
        self.rows[ProjectEvent].append(
            (
                self.ids[ProjectEvent].take(),
                p.pk,
                p.lead,
                "create",
                "Proposal started",
                "",
                "draft",
                "",
                p.created_at,
            )
        )

        p.label = label

    def partners(self, p: Plan) -> None:
        """Partners, their contributions, and who may see the project."""
        # Partners, their contributions, and who may see the project.
        partner_ids = []
        for organisation, is_lead in [(p.icb, True)] + [(c, False) for c in p.partners]:
            ppk = self.ids[Partner].take()
            partner_ids.append(ppk)
            self.rows[Partner].append(
                (
                    ppk,
                    p.pk,
                    organisation.pk,
                    is_lead,
                    "Accountable lead",
                    "Director",
                    Decimal(self.rng.randrange(0, 200) * 500),
                    "Clinical and project management time"
                    if is_lead
                    else "Data analysis and service redesign support",
                    Decimal(self.rng.randrange(5, 120) * 500),
                    p.created_at,
                    p.created_at,
                )
            )
            self.rows[ProjectGroupObjectPermission].append(
                (
                    self.ids[ProjectGroupObjectPermission].take(),
                    self.perm["view_project"],
                    self.cast.groups[organisation.pk],
                    p.pk,
                )
            )
            self.audit.add(
                p.created_at,
                None,
                "",
                "permission.grant",
                self.project_type,
                p.pk,
                p.label,
                {},
                {"organisation": organisation.name, "permissions": ["view_project"]},
            )
        p.partner_ids = partner_ids

    def team(self, p: Plan) -> None:
        # The team: the lead, the deputy and a member from the first company.
        industry = self.rng.choice(self.cast.industry[p.partners[0].pk])
        for user, organisation, role in (
            (p.lead, p.icb.pk, TeamMember.Role.LEAD),
            (p.deputy, p.icb.pk, TeamMember.Role.DEPUTY),
            (industry, p.partners[0].pk, TeamMember.Role.MEMBER),
        ):
            self.rows[TeamMember].append(
                (self.ids[TeamMember].take(), p.pk, user, organisation, role, p.created_at)
            )
            if role != TeamMember.Role.MEMBER:
                for codename in LEAD_PERMS:
                    self.rows[ProjectUserObjectPermission].append(
                        (
                            self.ids[ProjectUserObjectPermission].take(),
                            self.perm[codename],
                            user,
                            p.pk,
                        )
                    )
        p.industry = industry

    def objectives(self, p: Plan) -> None:
        # Objectives and their outcome measures (agreed before approval).
        measures = []
        for number in (1, 2):
            opk = self.ids[Objective].take()
            self.rows[Objective].append(
                (opk, p.pk, number, f"Objective {number} for {p.condition}")
            )
            name, unit = MEASURE_NAMES[(number - 1) * 2 + self.rng.randrange(2)]
            mpk = self.ids[OutcomeMeasure].take()
            measures.append(mpk)
            self.rows[OutcomeMeasure].append(
                (
                    mpk,
                    p.pk,
                    opk,
                    name,
                    unit,
                    "higher" if unit == "%" else "lower",
                    Decimal(self.rng.randrange(20, 60)),
                    p.start,
                    Decimal(self.rng.randrange(60, 90)),
                    p.end,
                    "GP practice systems",
                    "quarterly",
                    p.partner_ids[0],
                    p.created_at,
                    p.created_at,
                )
            )

        p.measures = measures

    def transition(self, p: Plan, actor, at, action, description, old, new) -> None:
        self.rows[ProjectEvent].append(
            (self.ids[ProjectEvent].take(), p.pk, actor, action, description, old, new, "", at)
        )
        self.audit.add(
            at,
            actor,
            self.cast.emails.get(actor, ""),
            f"project.{action}",
            self.project_type,
            p.pk,
            p.label,
            {"status": old},
            {"description": description, "status": new},
        )
