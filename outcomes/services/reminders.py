"""Outcome reminders: outcome reports due soon or overdue, and final reports approaching or
past their publication deadline, each sent once in all.

The daily sweep builds what it wants to send and hands it to governance's helpers, which
insert with ON CONFLICT DO NOTHING on Notification's unique (recipient, kind, subject,
day) and email each new one after commit. Here the day is not the day of the run but a
date fixed by what the reminder is about (an outcome report's due date, a final report's
deadline), so running again, tomorrow, or on two workers at once never sends a reminder
a second time. A deadline that moves (a changed end date) is a new deadline, and is
reminded of once more.

Who is reminded: the project's lead and deputy (its team members with those roles).
An overdue final report is also escalated to the chair of the panel that reviewed the
project (the lead organisation's default panel if it never had a review), like overdue
reviews: that escalation is always emailed, the other kinds may be turned off.

Outcome reports are reminded of while the project is active, since only then can they be
written and submitted (outcomes.services.reports refuses otherwise). Once delivery is completed the
final report, which records what each measure achieved by the end, is what is reminded
of, until it is published and the project closed.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Prefetch
from django.urls import reverse
from django.utils import timezone

from governance.models import EmailOptOut, Notification, PanelMember
from governance.services.notifications import Draft, notifications_create
from outcomes.models import FinalReport, OutcomeReport
from outcomes.schedule import project_periods
from partnerships.models import OutcomeMeasure, Project, TeamMember

Kind = Notification.Kind
KINDS = (
    Kind.OUTCOME_REPORT_DUE,
    Kind.OUTCOME_REPORT_OVERDUE,
    Kind.FINAL_REPORT_DUE,
    Kind.FINAL_REPORT_OVERDUE,
    Kind.FINAL_REPORT_ESCALATION,
)
REPORT_DUE_SOON = datetime.timedelta(days=14)  # reminded from 14 days before the due date
FINAL_DUE_SOON = datetime.timedelta(days=30)  # and 30 days before the final deadline
ACTIVE = Project.Status.ACTIVE
COMPLETED = Project.Status.COMPLETED
LEADS = (TeamMember.Role.LEAD, TeamMember.Role.DEPUTY)


def _day(value: datetime.date) -> str:
    return f"{value:%-d %B %Y}"


def _project_label(project: Project) -> str:
    return f"{project.reference} {project.title}" if project.reference else project.title


def report_subject(project_id: int, period_end: datetime.date) -> str:
    return f"report:{project_id}:{period_end.isoformat()}"


def final_subject(project_id: int) -> str:
    return f"final:{project_id}"


@dataclass
class _Lead:
    user_id: int
    role: str
    name: str


def _leads(statuses) -> dict[int, list[_Lead]]:
    """The active lead and deputy of each project in ``statuses``, in one query."""
    leads: dict[int, list[_Lead]] = defaultdict(list)
    rows = TeamMember.objects.filter(
        project__status__in=statuses, role__in=LEADS, user__is_active=True
    ).values_list(
        "project_id", "user_id", "role", "user__first_name", "user__last_name", "user__email"
    )
    for project_id, user_id, role, first, last, email in rows:
        leads[project_id].append(_Lead(user_id, role, f"{first} {last}".strip() or email))
    return leads


def _chairs() -> tuple[dict[int, int], dict[int, int]]:
    """The chair of each panel, and of each organisation's default panel (active users)."""
    by_panel, by_organisation = {}, {}
    for panel_id, user_id, organisation_id, is_default in PanelMember.objects.filter(
        is_chair=True, user__is_active=True
    ).values_list("panel_id", "user_id", "panel__organisation_id", "panel__is_default"):
        by_panel[panel_id] = user_id
        if is_default:
            by_organisation[organisation_id] = user_id
    return by_panel, by_organisation


def _report_drafts(project: Project, leads, statuses, today) -> list[Draft]:
    """Reminders of the project's outcome reports that are due within 14 days, or overdue,
    and not submitted."""
    drafts = []
    label = _project_label(project)
    for period in project_periods(project):
        status = statuses.get((project.pk, period.end))
        if status == OutcomeReport.Status.SUBMITTED:
            continue
        due = period.due_date
        if due - REPORT_DUE_SOON <= today <= due:
            kind = Kind.OUTCOME_REPORT_DUE
            title = f"The outcome report to {_day(period.end)} on {label} is due by {_day(due)}"
            body = (
                f"It covers {_day(period.start)} to {_day(period.end)} and is due on {_day(due)}."
            )
        elif today > due:
            kind = Kind.OUTCOME_REPORT_OVERDUE
            title = f"Overdue: the outcome report to {_day(period.end)} on {label}"
            body = (
                f"It covers {_day(period.start)} to {_day(period.end)}, was due on {_day(due)} "
                "and has not been submitted."
            )
        else:
            continue
        body += (
            " A draft has been saved."
            if status == OutcomeReport.Status.DRAFT
            else " Nobody has started it yet."
        )
        body += " Anyone on the team can add to the draft; the project lead or deputy submits it."
        url = reverse("outcomes:report-detail", args=[project.pk, period.number])
        subject = report_subject(project.pk, period.end)
        drafts += [
            Draft(lead.user_id, kind, subject, title, body, url, day=due)
            for lead in leads[project.pk]
        ]
    return drafts


def _final_drafts(project: Project, leads, chairs, today) -> list[Draft]:
    """Reminders of a completed project's final report within 30 days of its deadline, and
    once past it, with an escalation to the panel's chair."""
    deadline = project.final_report_deadline
    if deadline is None or today < deadline - FINAL_DUE_SOON:
        return []
    label = _project_label(project)
    subject = final_subject(project.pk)
    url = reverse("outcomes:final-report", args=[project.pk])
    ended = f"Delivery ended on {_day(project.end_date)}." if project.end_date else ""
    after = (
        " Publishing it puts the outcome summary on the public transparency register and "
        "closes the project."
    )
    if today <= deadline:
        title = f"The final report on {label} is due by {_day(deadline)}"
        body = (
            f"{ended} The final report and its outcome summary must be published by "
            f"{_day(deadline)}.{after}"
        )
        return [
            Draft(lead.user_id, Kind.FINAL_REPORT_DUE, subject, title, body, url, day=deadline)
            for lead in leads[project.pk]
        ]
    title = f"Overdue: the final report on {label} was due by {_day(deadline)}"
    body = (
        f"{ended} The final report and its outcome summary were due to be published by "
        f"{_day(deadline)} and have not been. The panel's chair has been told.{after}"
    )
    drafts = [
        Draft(lead.user_id, Kind.FINAL_REPORT_OVERDUE, subject, title, body, url, day=deadline)
        for lead in leads[project.pk]
    ]
    by_panel, by_organisation = chairs
    chair = by_panel.get(project.review_panel_id) or by_organisation.get(
        project.lead_organisation_id
    )
    if chair is not None:
        names = "; ".join(
            f"{'project lead' if lead.role == TeamMember.Role.LEAD else 'deputy'} {lead.name}"
            for lead in sorted(leads[project.pk], key=lambda lead: lead.role != "lead")
        )
        body = (
            f"{ended} The final report and its outcome summary were due to be published by "
            f"{_day(deadline)}; the project is still open. "
            + (f"Its team: {names}." if names else "It has no project lead or deputy.")
        )
        drafts.append(
            Draft(
                chair,
                Kind.FINAL_REPORT_ESCALATION,
                subject,
                f"Overdue final report: {label}",
                body,
                url,
                day=deadline,
            )
        )
    return drafts


def outcome_reminders_send(*, today: datetime.date | None = None) -> dict[str, int]:
    """The daily sweep of outcome reminders. Returns how many of each kind it created.

    A fixed number of queries however many projects there are (the inserts go a thousand
    to a statement): the projects with their measures, the reports, the leads, the chairs,
    the email opt-outs."""
    today = today or timezone.localdate()
    published = FinalReport.objects.filter(
        project=OuterRef("pk"), status=FinalReport.Status.PUBLISHED
    )
    projects = (
        Project.objects.filter(status__in=(ACTIVE, COMPLETED))
        .filter(~Exists(published))
        .annotate(review_panel_id=F("review__panel_id"))
        .only(
            "pk",
            "status",
            "reference",
            "title",
            "start_date",
            "end_date",
            "delivery_ended_on",
            "lead_organisation",
        )
        .prefetch_related(
            Prefetch(
                "measures", queryset=OutcomeMeasure.objects.only("pk", "project_id", "frequency")
            )
        )
        .order_by("pk")
    )
    statuses = {
        (project_id, period_end): status
        for project_id, period_end, status in OutcomeReport.objects.filter(
            project__status=ACTIVE
        ).values_list("project_id", "period_end", "status")
    }
    leads = _leads((ACTIVE, COMPLETED))
    chairs = _chairs()
    drafts: list[Draft] = []
    for project in projects:
        if project.status == ACTIVE:
            drafts += _report_drafts(project, leads, statuses, today)
        else:
            drafts += _final_drafts(project, leads, chairs, today)
    opted_out = set(EmailOptOut.objects.filter(kind__in=KINDS).values_list("user_id", "kind"))
    created = notifications_create(drafts, day=today, opted_out=opted_out)
    counts = dict.fromkeys(KINDS, 0)
    for _, _, kind in created:
        counts[kind] += 1
    return counts
