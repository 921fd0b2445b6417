"""The key pages the benchmark measures, and who asks for each: chosen from the data set
the same way at every size, so the query-count tests and make bench measure the same pages."""

from dataclasses import dataclass

from django.db.models import Count
from django.urls import reverse
from django.utils.http import urlencode

from accounts.models import Membership
from governance.models import Gate, PanelMember
from partnerships.models import Project, TeamMember

Role = Membership.Role


@dataclass(frozen=True)
class Page:
    name: str
    url: str
    user_id: int | None  # None: without signing in

    def as_dict(self) -> dict:
        return {"name": self.name, "url": self.url, "user_id": self.user_id}


def _busiest(queryset, field: str) -> int:
    """The value of ``field`` with the most rows (ties: the lowest)."""
    row = queryset.values(field).annotate(n=Count("pk")).order_by("-n", field).first()
    if row is None:
        raise LookupError(f"No rows to choose a {field} from")
    return row[field]


def key_pages() -> list[Page]:
    """Each key page of issue 6 with the person who asks for it: the industry member, the
    partnership lead and the panel member with the most projects or gates, so the pages
    show full lists."""
    # On the most projects, among those with a final report awaited (so that list shows too).
    members = TeamMember.objects.filter(role=TeamMember.Role.MEMBER)
    awaiting = members.filter(
        project__status=Project.Status.COMPLETED,
        project__outcome_summary_published_at__isnull=True,
    ).values("user_id")
    if awaiting.exists():
        members = members.filter(user_id__in=awaiting)
    industry = _busiest(members, "user_id")
    open_gates = Gate.objects.filter(
        status__in=Gate.OPEN_STATUSES, project__status=Project.Status.SUBMITTED
    )
    panel_id = _busiest(open_gates, "project__review__panel_id")
    panel_member = (
        PanelMember.objects.filter(panel_id=panel_id, is_chair=False)
        .order_by("pk")
        .values_list("user_id", flat=True)
        .first()
    )
    # An active project with the most outcome reports; its lead is the partnership lead.
    project = (
        Project.objects.filter(status=Project.Status.ACTIVE)
        .annotate(reports=Count("outcome_reports"))
        .order_by("-reports", "pk")
        .first()
    )
    if project is None:
        raise LookupError("No active project")
    lead = project.created_by_id
    area = project.therapy_area
    word = project.title.split()[-1]  # a place: many titles share it
    register_word = area.split()[0].lower()
    lesson_word = "clinics"  # what worked, in a quarter of the lessons of outcome reports
    # The lead's projects in a place with the status page's status: that project is one.
    project_list = (
        reverse("partnerships:project-list")
        + "?"
        + urlencode({"status": project.status, "q": word})
    )
    return [
        Page("floor", "/bench/floor", industry),
        Page("healthz", reverse("healthz"), None),
        Page("industry home", reverse("home"), industry),
        Page("partnership lead home", reverse("home"), lead),
        Page("panel queue", reverse("governance:review-queue"), panel_member),
        Page("project list (filter and search)", project_list, lead),
        Page("project status", reverse("partnerships:project-detail", args=[project.pk]), lead),
        Page(
            "public register search",
            reverse("governance:register") + "?" + urlencode({"q": register_word}),
            None,
        ),
        Page(
            "learning library search",
            reverse("outcomes:learning-library") + "?" + urlencode({"q": lesson_word}),
            industry,
        ),
    ]
