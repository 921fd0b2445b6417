"""The demo's history at the dates it describes.

The services stamp everything with the moment it happens, which for demo data is the
moment it is loaded: a project that started in 2024 would show its executive summary
published, its gates approved and its reports submitted on the day of loading, and an
auditor (or manage.py check_compliance) would rightly flag it. So each stage of a demo
project is made through the services, then moved back to when it would have happened:
every timestamp the stage wrote on the project's own rows is shifted by the same amount,
which keeps their order. The audit trail is hash-chained and cannot be changed: it still
says when the demo was loaded.
"""

import datetime
from contextlib import contextmanager

from django.db.models import F
from django.utils import timezone

from accounts.models import Membership
from governance.models import (
    ConflictManagement,
    Declaration,
    Gate,
    PanelMember,
    Review,
    RouteChange,
    SignOff,
)
from outcomes.models import FinalReport, Lesson, OutcomeReport, ReportComment, ReportIssue
from partnerships.models import (
    Document,
    DocumentVersion,
    OutcomeMeasure,
    Partner,
    Project,
    ProjectEvent,
    SectionComment,
    TeamMember,
)

# Each model, the path from it to its project, and the timestamps a stage may write on it.
STAMPED = (
    (Project, "pk", ("created_at", "updated_at", "submitted_at", "summary_published_at")),
    (Project, "pk", ("outcome_summary_published_at",)),
    (Partner, "project", ("created_at", "updated_at")),
    (TeamMember, "project", ("created_at",)),
    (OutcomeMeasure, "project", ("created_at", "updated_at")),
    (ProjectEvent, "project", ("created_at",)),
    (SectionComment, "project", ("created_at",)),
    (Document, "project", ("created_at",)),
    (DocumentVersion, "document__project", ("uploaded_at",)),
    (Declaration, "project", ("declared_at", "created_at")),
    (ConflictManagement, "interest__declaration__project", ("recorded_at",)),
    (Review, "project", ("opened_at",)),
    (RouteChange, "review__project", ("changed_at",)),
    (Gate, "project", ("opened_at", "decided_at", "updated_at")),
    (SignOff, "gate__project", ("created_at",)),
    (OutcomeReport, "project", ("created_at", "updated_at", "submitted_at")),
    (ReportIssue, "report__project", ("created_at",)),
    (ReportComment, "report__project", ("created_at",)),
    (FinalReport, "project", ("created_at", "updated_at", "published_at")),
    (Lesson, "project", ("shared_at",)),
)


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    """A working hour of ``day``, in the portal's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def move_back(project: Project, *, since: datetime.datetime, to: datetime.datetime) -> None:
    """Shift every timestamp written on the project's rows from ``since`` on so that
    ``since`` becomes ``to`` (never later than now: nothing is moved into the future)."""
    delta = min(to, since) - since
    if not delta:
        return
    for model, path, fields in STAMPED:
        rows = model.objects.filter(**{path: project.pk})
        for name in fields:
            rows.filter(**{f"{name}__gte": since}).update(**{name: F(name) + delta})


@contextmanager
def happened_on(project: Project, when: datetime.datetime):
    """What the block does to ``project`` through the services happened at ``when``."""
    since = timezone.now()
    yield
    move_back(project, since=since, to=when)


def seats_before_reviews() -> None:
    """Panel seats and memberships predate the reviews and sign-offs of the demo history
    (they were made when the demo was loaded, before the history was moved back)."""
    first = Review.objects.order_by("opened_at").values_list("opened_at", flat=True).first()
    if first is None:
        return
    joined = first - datetime.timedelta(days=30)
    PanelMember.objects.filter(created_at__gt=joined).update(created_at=joined)
    Membership.objects.filter(created_at__gt=joined).update(created_at=joined)
