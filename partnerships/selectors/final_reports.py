"""Completed projects awaiting their final report: which are overdue and which due soon.

The deadline is PORTAL_FINAL_REPORT_MONTHS after delivery ended (the end date, or earlier)."""

import datetime

from django.conf import settings
from django.db.models import QuerySet
from django.db.models.functions import Coalesce

from partnerships.dates import add_months
from partnerships.models import Project

# How far ahead a final report counts as due soon on the dashboards.
FINAL_REPORT_DUE_SOON_DAYS = 30


def final_report_cutoff(day: datetime.date) -> datetime.date:
    """The first day delivery ended (the end date, or earlier) whose final report deadline
    is not before ``day``: a report is overdue on ``day`` exactly when its project's
    delivery ended before this date.

    The deadline is the end date plus PORTAL_FINAL_REPORT_MONTHS, kept to the last day of
    a shorter month (add_months). Going back that many months from ``day`` finds the
    answer, except when ``day``'s day of the month does not exist there: then every end
    date in that shorter month has its deadline before ``day`` (31 August less six months
    is 28 February; an end date of 28 February has its deadline on 28 August), so the
    answer is the first of the next month."""
    cutoff = add_months(day, -settings.PORTAL_FINAL_REPORT_MONTHS)
    if cutoff.day != day.day:
        cutoff += datetime.timedelta(days=1)
    return cutoff


def awaiting_final_report(projects: QuerySet[Project]) -> QuerySet[Project]:
    """Completed projects whose final report and outcome summary are not yet published,
    the earliest deadline first."""
    return (
        projects.filter(status=Project.Status.COMPLETED, outcome_summary_published_at__isnull=True)
        .annotate(ended_on=Coalesce("delivery_ended_on", "end_date"))
        .order_by("ended_on", "pk")
    )


def final_reports_overdue(projects: QuerySet[Project], *, today: datetime.date) -> QuerySet:
    return awaiting_final_report(projects).filter(ended_on__lt=final_report_cutoff(today))


def final_reports_due_soon(
    projects: QuerySet[Project], *, today: datetime.date, days: int = FINAL_REPORT_DUE_SOON_DAYS
) -> QuerySet:
    """Not overdue yet, but due within ``days`` days (deadline on or before today + days)."""
    return awaiting_final_report(projects).filter(
        ended_on__gte=final_report_cutoff(today),
        ended_on__lt=final_report_cutoff(today + datetime.timedelta(days=days + 1)),
    )
