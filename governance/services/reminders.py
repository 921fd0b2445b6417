"""The daily reminder sweep: gates waiting on their reviewers (escalated to the chair past
the second threshold), missing declarations and annual declarations due.

A reminder is sent at most once per recipient, kind, subject and day (the notifications
service's unique constraint decides; governance.services.notifications). Reminders meant to
go once in all (outcomes' report reminders) give as their day a date fixed by what they are
about, such as the report's due date.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Exists, F, OuterRef
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from governance.gates import GATES_BY_KIND
from governance.models import (
    Declaration,
    EmailOptOut,
    Gate,
    Interest,
    Notification,
    Panel,
    PanelMember,
    Review,
    SignOff,
)
from governance.selectors.gates import working_days_between
from governance.services.notifications import Draft, notifications_create
from partnerships.models import Partner, Project, TeamMember

Kind = Notification.Kind
PANEL_ROLES = (Membership.Role.PANEL_MEMBER, Membership.Role.PANEL_CHAIR)
SUBMITTED = Project.Status.SUBMITTED
WEEKLY_KINDS = (Kind.DECLARATION_MISSING, Kind.ANNUAL_DECLARATION_DUE)
# What this module's daily sweep sends (outcomes sends its own kinds through the helpers).
SWEEP_KINDS = (
    Kind.REVIEW_REMINDER,
    Kind.REVIEW_ESCALATION,
    Kind.DECLARATION_MISSING,
    Kind.ANNUAL_DECLARATION_DUE,
)


# The daily sweep -------------------------------------------------------------------------


def latest_opening_for(today: datetime.date, days: int) -> datetime.date:
    """The latest day a gate can have opened and have waited ``days`` working days by
    ``today`` (the inverse of working_days_between)."""
    day, counted = today, 0
    while counted < days:
        if day.weekday() < 5:
            counted += 1
        day -= datetime.timedelta(days=1)
    return day


@dataclass
class _Seat:
    user_id: int
    is_chair: bool
    name: str


def _seats() -> dict[int, list[_Seat]]:
    """Who sits on each panel (active users), in one query."""
    seats: dict[int, list[_Seat]] = defaultdict(list)
    for seat in PanelMember.objects.filter(user__is_active=True).values(
        "panel_id", "user_id", "is_chair", "user__first_name", "user__last_name", "user__email"
    ):
        name = f"{seat['user__first_name']} {seat['user__last_name']}".strip()
        seats[seat["panel_id"]].append(
            _Seat(seat["user_id"], seat["is_chair"], name or seat["user__email"])
        )
    return seats


@dataclass
class _Eligibility:
    """What decides whether panel members may review the projects in question, loaded in a
    fixed number of queries (the bulk form of governance.selectors.gates.eligibility())."""

    team: set[tuple[int, int]] = field(default_factory=set)  # (project, user)
    partner_organisations: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    organisations_of: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    # (person, project) -> whether their latest declaration for it declares an interest
    declarations: dict[tuple[int, int], bool] = field(default_factory=dict)

    @classmethod
    def load(cls, projects) -> "_Eligibility":
        """``projects``: a queryset of project ids (used as a subquery)."""
        facts = cls()
        panel_users = PanelMember.objects.values("user_id")
        facts.team = set(
            TeamMember.objects.filter(project_id__in=projects, user_id__in=panel_users)
            .values_list("project_id", "user_id")
            .distinct()
        )
        for project_id, organisation_id in Partner.objects.filter(
            project_id__in=projects, is_lead=False
        ).values_list("project_id", "organisation_id"):
            facts.partner_organisations[project_id].add(organisation_id)
        for user_id, organisation_id in Membership.objects.filter(
            user_id__in=panel_users
        ).values_list("user_id", "organisation_id"):
            facts.organisations_of[user_id].add(organisation_id)
        latest = Declaration.objects.filter(
            project_id__in=projects, person_id__in=panel_users
        ).order_by("person_id", "project_id", "-declared_at", "-pk")
        if connection.features.can_distinct_on_fields:
            # PostgreSQL keeps only each person's latest declaration for each project.
            latest = latest.distinct("person_id", "project_id")
        latest = latest.annotate(
            conflict=Exists(Interest.objects.filter(declaration=OuterRef("pk")))
        ).values_list("person_id", "project_id", "conflict")
        for person_id, project_id, conflict in latest:
            # Without DISTINCT ON (SQLite) every declaration comes, the latest first.
            facts.declarations.setdefault((person_id, project_id), conflict)
        return facts

    def structurally_ineligible(self, user_id: int, project_id: int) -> bool:
        """On the team, a member of a partner organisation other than the lead, or has
        declared an interest. Not having declared yet is not counted here: they are
        reminded, and told to declare first."""
        return (
            (project_id, user_id) in self.team
            or bool(self.organisations_of[user_id] & self.partner_organisations[project_id])
            or self.declarations.get((user_id, project_id), False)
        )

    def has_declared(self, user_id: int, project_id: int) -> bool:
        return (user_id, project_id) in self.declarations


def _project_label(reference: str | None, title: str) -> str:
    return f"{reference} {title}" if reference else title


class _Urls:
    """Each page's URL pattern reversed once, then filled in: reverse() for every one of
    hundreds of thousands of rows would dominate the sweep."""

    PROJECT = 987654321
    KIND = "gatekindplaceholder"

    def __init__(self):
        self.gate = reverse("governance:gate-detail", args=[self.PROJECT, self.KIND])
        self.declare = reverse("governance:declaration-project-new", args=[self.PROJECT])

    def gate_detail(self, project_id: int, kind: str) -> str:
        url = self.gate.replace(str(self.PROJECT), str(project_id))
        return url.replace(self.KIND, kind)

    def declaration_project_new(self, project_id: int) -> str:
        return self.declare.replace(str(self.PROJECT), str(project_id))


def _gate_drafts(seats: dict[int, list[_Seat]], urls: _Urls, today: datetime.date) -> list[Draft]:
    """Review reminders and escalations for the open gates of submitted projects that have
    waited long enough."""
    panels = {
        p["pk"]: p for p in Panel.objects.values("pk", "remind_after_days", "escalate_after_days")
    }
    if not panels:
        return []
    # Only gates old enough for the most eager panel are read at all.
    earliest = min(p["remind_after_days"] for p in panels.values())
    cutoff = timezone.make_aware(
        datetime.datetime.combine(
            latest_opening_for(today, earliest) + datetime.timedelta(days=1), datetime.time.min
        )
    )
    waiting = Gate.objects.filter(
        status__in=Gate.OPEN_STATUSES, project__status=SUBMITTED, opened_at__lt=cutoff
    )
    eligibility = _Eligibility.load(waiting.values("project_id"))
    # Whoever has decided in the gate's current round (any decision counts).
    decided = set(
        SignOff.objects.filter(gate__in=waiting, round=F("gate__round"))
        .values_list("gate_id", "reviewer_id")
        .distinct()
    )
    drafts = []
    rows = waiting.values_list(
        "pk",
        "project_id",
        "kind",
        "round",
        "opened_at",
        "project__review__panel_id",
        "project__reference",
        "project__title",
    )
    for pk, project_id, kind, gate_round, opened_at, panel_id, reference, title in rows:
        panel = panels.get(panel_id)
        if panel is None:
            continue
        days = working_days_between(timezone.localdate(opened_at), today)
        if days < panel["remind_after_days"]:
            continue
        project = _project_label(reference, title)
        gate_title = GATES_BY_KIND[kind].title
        subject = f"gate:{pk}:{gate_round}"
        url = urls.gate_detail(project_id, kind)
        to_decide = []
        for seat in seats[panel_id]:
            if (pk, seat.user_id) in decided or eligibility.structurally_ineligible(
                seat.user_id, project_id
            ):
                continue
            to_decide.append(seat)
            body = f"It has waited {days} working days for your decision."
            if not eligibility.has_declared(seat.user_id, project_id):
                body += (
                    " You have not declared your interests in this project yet: declare them"
                    " first (a nil return if you have nothing to declare), then sign off."
                )
            drafts.append(
                Draft(
                    seat.user_id,
                    Kind.REVIEW_REMINDER,
                    subject,
                    f"{gate_title} gate of {project} is waiting for your review",
                    body,
                    url,
                )
            )
        if days >= panel["escalate_after_days"]:
            chair = next((s for s in seats[panel_id] if s.is_chair), None)
            if chair is None:
                continue
            body = (
                f"It has waited {days} working days; the panel escalates to its chair after "
                f"{panel['escalate_after_days']}. "
            )
            if to_decide:
                body += "Still to decide: " + ", ".join(s.name for s in to_decide) + "."
            else:
                body += (
                    "No eligible reviewer on the panel is left to decide: the panel may need "
                    "another member."
                )
            drafts.append(
                Draft(
                    chair.user_id,
                    Kind.REVIEW_ESCALATION,
                    subject,
                    f"Overdue review: {gate_title.lower()} gate of {project}",
                    body,
                    url,
                )
            )
    return drafts


def _declaration_drafts(urls: _Urls, recent: set[tuple[int, str, str]]) -> list[Draft]:
    """Team members and panel members of submitted projects who have not declared for it
    (the people declaration_status_for_project requires), at most once a week per person
    and project. The database finds who is missing, so only they are read."""
    undeclared_team = (
        TeamMember.objects.filter(project__status=SUBMITTED, user__is_active=True)
        .filter(
            ~Exists(
                Declaration.objects.filter(person=OuterRef("user_id"), project=OuterRef("project"))
            )
        )
        .values_list("project_id", "user_id", "project__reference", "project__title")
    )
    # One filter() for the whole join, so the seat the annotation names is the one filtered.
    undeclared_panel = (
        Review.objects.filter(project__status=SUBMITTED, panel__memberships__user__is_active=True)
        .annotate(person=F("panel__memberships__user_id"))
        .filter(
            ~Exists(
                Declaration.objects.filter(person=OuterRef("person"), project=OuterRef("project"))
            )
        )
        .values_list("project_id", "person", "project__reference", "project__title")
    )
    missing: dict[tuple[int, int], tuple[str, str]] = {}
    for role, rows in (
        ("on the team of", undeclared_team),
        ("on the panel reviewing", undeclared_panel),
    ):
        for project_id, user_id, reference, title in rows:
            missing.setdefault((project_id, user_id), (role, _project_label(reference, title)))
    drafts = []
    for (project_id, user_id), (role, project) in missing.items():
        subject = f"project:{project_id}"
        if (user_id, Kind.DECLARATION_MISSING, subject) in recent:
            continue
        drafts.append(
            Draft(
                user_id,
                Kind.DECLARATION_MISSING,
                subject,
                f"Declare your interests in {project}",
                f"You are {role} this project, which is waiting for governance review. "
                "Its conflicts of interest gate cannot be approved until everyone on the "
                "team and the panel has declared: make a nil return if you have nothing "
                "to declare.",
                urls.declaration_project_new(project_id),
            )
        )
    return drafts


def _annual_drafts(today: datetime.date, recent: set[tuple[int, str, str]]) -> list[Draft]:
    """Panel members and chairs with no annual declaration for this year, at most weekly."""
    year = today.year
    subject = f"annual:{year}"
    annual = Declaration.objects.filter(person=OuterRef("user_id"), project__isnull=True, year=year)
    due = (
        Membership.objects.filter(role__in=PANEL_ROLES, user__is_active=True)
        .filter(~Exists(annual))
        .values_list("user_id", flat=True)
        .distinct()
    )
    url = reverse("governance:declaration-annual-new")
    return [
        Draft(
            user_id,
            Kind.ANNUAL_DECLARATION_DUE,
            subject,
            f"Your annual declaration of interests for {year} is due",
            "As a panel member or chair you make a declaration of interests each year, even "
            "if it is a nil return.",
            url,
        )
        for user_id in due
        if (user_id, Kind.ANNUAL_DECLARATION_DUE, subject) not in recent
    ]


def reminders_send(*, today: datetime.date | None = None) -> dict[str, int]:
    """The daily sweep: review reminders past each panel's first threshold, escalations to
    the chair past its second, reminders to declare for submitted projects and of the
    annual declaration (those two at most weekly). Safe to run twice, or on two workers at
    once: the once-a-day constraint decides what is new. Returns how many of each kind it
    created.

    A fixed number of queries however many gates are open (the inserts go a thousand to a
    statement)."""
    today = today or timezone.localdate()
    urls = _Urls()
    recent = set(
        Notification.objects.filter(
            kind__in=WEEKLY_KINDS, day__gt=today - datetime.timedelta(days=7), day__lte=today
        ).values_list("recipient_id", "kind", "subject")
    )
    drafts = _gate_drafts(_seats(), urls, today)
    drafts += _declaration_drafts(urls, recent)
    drafts += _annual_drafts(today, recent)
    opted_out = set(EmailOptOut.objects.values_list("user_id", "kind"))
    created = notifications_create(drafts, day=today, opted_out=opted_out)
    counts = dict.fromkeys(SWEEP_KINDS, 0)
    for _, _, kind in created:
        counts[kind] += 1
    return counts
