import sqlite3
import sys

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.db.models import Count, Q
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from kombu import Connection

from accounts.models import Membership
from api.errors import is_api_path, json_error
from audit.versions import cached_page
from governance.selectors.gates import review_queue_page_for
from partnerships.models import Partner, Project, TeamMember
from partnerships.selectors import final_reports
from partnerships.selectors import projects as project_selectors
from partnerships.views.projects import can_start_proposal
from portal import errors

Role = Membership.Role
# How many projects each list on the home page shows before "see all".
HOME_LIST_LIMIT = 10
# Past this many, the home page's lists say "more than" rather than count them all.
HOME_COUNT_CAP = 100
# How many gates of the review queue the home page shows.
HOME_REVIEW_LIMIT = 5


def _limited(user, where: Q, **filters) -> dict:
    """The user's newest few projects matching ``where``, how many there are (counted up to
    HOME_COUNT_CAP, past which the page says "more than"), and the project list filtered to
    show them all (``status`` among the filters: the list is of that status alone)."""
    walk_from = HOME_COUNT_CAP if "status" in filters else project_selectors.WALK_NEWEST_FROM
    projects, count = project_selectors.newest_projects_for(
        user=user, where=where, limit=HOME_LIST_LIMIT, cap=HOME_COUNT_CAP, walk_from=walk_from
    )
    all_url = reverse("partnerships:project-list")
    if filters:
        all_url += "?" + urlencode(filters)
    return {
        "projects": projects,
        "count": count,
        "more_than": HOME_COUNT_CAP if count > HOME_COUNT_CAP else None,
        "all_url": all_url,
    }


def _by_deadline(projects, today, **filters) -> dict:
    """Like _limited, for projects awaiting their final report: the earliest deadline
    first, each marked overdue or not, and how many (counted up to HOME_COUNT_CAP)."""
    shown = list(projects[:HOME_LIST_LIMIT])
    for project in shown:
        deadline = project.final_report_deadline
        project.final_report_overdue = deadline is not None and deadline < today
    all_url = (
        reverse("partnerships:project-list")
        + "?"
        + urlencode({"status": Project.Status.COMPLETED, **filters})
    )
    count = projects.order_by()[: HOME_COUNT_CAP + 1].count()
    more_than = HOME_COUNT_CAP if count > HOME_COUNT_CAP else None
    return {"projects": shown, "count": count, "more_than": more_than, "all_url": all_url}


def _team_final_reports(user, today) -> dict:
    """The user's own completed projects (on the team), awaiting their final report."""
    on_team = TeamMember.objects.filter(user=user).values("project")
    mine = project_selectors.project_list_for(user=user).filter(pk__in=on_team)
    return _by_deadline(final_reports.awaiting_final_report(mine), today)


def _final_reports_watch(projects, today, **filters) -> dict:
    """Final reports overdue, and due soon, among ``projects``, for those who oversee them."""
    return {
        "overdue": _by_deadline(
            final_reports.final_reports_overdue(projects, today=today), today, **filters
        ),
        "due_soon": _by_deadline(
            final_reports.final_reports_due_soon(projects, today=today), today, **filters
        ),
        "due_soon_days": final_reports.FINAL_REPORT_DUE_SOON_DAYS,
    }


def _industry_home(user, profile, today) -> dict | None:
    organisations = profile.organisations_with_role(Role.INDUSTRY_MEMBER)
    if not organisations:
        return None
    on_projects = Partner.objects.filter(organisation__in=organisations).values("project")
    filters = {"partner": organisations[0].pk} if len(organisations) == 1 else {}
    return {
        **_limited(user, Q(pk__in=on_projects), **filters),
        "final_reports": _team_final_reports(user, today),
    }


def _lead_home(user, profile, today) -> dict | None:
    organisations = profile.organisations_with_role(Role.PARTNERSHIP_LEAD)
    if not organisations:
        return None
    on_team = TeamMember.objects.filter(user=user).values("project")
    ours = Q(lead_organisation__in=organisations) | Q(pk__in=on_team)
    mine = project_selectors.project_list_for(user=user).filter(ours)
    return {
        "drafts": _limited(user, ours & Q(status=Project.Status.DRAFT), status="draft"),
        "needing_action": _limited(user, project_selectors.needing_action(user)),
        "active": _limited(user, ours & Q(status=Project.Status.ACTIVE), status="active"),
        "final_reports": _by_deadline(final_reports.awaiting_final_report(mine), today),
    }


def _panel_home(user, profile) -> list[dict] | None:
    organisations = profile.organisations_with_role(Role.PANEL_MEMBER, Role.PANEL_CHAIR)
    if not organisations:
        return None
    counts = dict(
        project_selectors.project_list_for(user=user)
        .prefetch_related(None)
        .filter(status=Project.Status.SUBMITTED, lead_organisation__in=organisations)
        .order_by()
        .values_list("lead_organisation")
        .annotate(n=Count("pk"))
    )
    unique = {o.pk: o for o in organisations}.values()
    return [{"organisation": o, "submitted": counts.get(o.pk, 0)} for o in unique]


def _reviews_home(user) -> dict:
    """The first few gates awaiting the panel member, and how many there are in all."""
    page = review_queue_page_for(user=user, per_page=HOME_REVIEW_LIMIT)
    return {"queue": page.object_list, "count": page.paginator.count}


def _panel_final_reports(user, profile, today) -> dict:
    """For panel members and chairs: final reports of the projects their ICBs lead."""
    organisations = profile.organisations_with_role(Role.PANEL_MEMBER, Role.PANEL_CHAIR)
    led = project_selectors.project_list_for(user=user).filter(lead_organisation__in=organisations)
    unique = {o.pk for o in organisations}
    filters = {"icb": next(iter(unique))} if len(unique) == 1 else {}
    return _final_reports_watch(led, today, **filters)


def _oversight_home(user, profile) -> list[dict] | None:
    if not (profile.is_administrator or profile.has_role(Role.AUDITOR)):
        return None
    counts = dict(
        project_selectors.project_list_for(user=user)
        .prefetch_related(None)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    return [
        {"status": value, "label": label, "count": counts.get(value, 0)}
        for value, label in Project.Status.choices
    ]


def home(request):
    """The landing page for visitors; for people signed in, their projects by role. Their
    part of the page is cached for each person at the data's version (audit.versions), so
    it is built again after any change."""
    if not request.user.is_authenticated:
        return render(request, "home_public.html")
    user, profile = request.user, request.profile
    today = timezone.localdate()
    return cached_page(
        request,
        "home.html",
        name="home",
        parts=(user.pk, today),
        context=lambda: _home_context(user, profile, today),
    )


def _home_context(user, profile, today) -> dict:
    panel = _panel_home(user, profile)
    oversight = _oversight_home(user, profile)
    return {
        "memberships": profile.memberships,
        "industry": _industry_home(user, profile, today),
        "lead": _lead_home(user, profile, today),
        "panel": panel,
        "reviews": _reviews_home(user) if panel else None,
        "panel_final_reports": _panel_final_reports(user, profile, today) if panel else None,
        "oversight": oversight,
        "oversight_final_reports": (
            _final_reports_watch(project_selectors.project_list_for(user=user), today)
            if oversight
            else None
        ),
        "can_start": can_start_proposal(profile),
    }


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return False
    return True


def _broker_ok() -> bool:
    try:
        with Connection(
            settings.CELERY_BROKER_URL,
            # A Redis that accepts the connection but never answers fails within 2 s too.
            transport_options={
                **settings.CELERY_BROKER_TRANSPORT_OPTIONS,
                "socket_timeout": 2,
                "socket_connect_timeout": 2,
            },
            connect_timeout=2,
        ) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception:
        return False
    return True


def healthz(request):
    """JSON on the database and the broker.

    200 when both answer; 503 naming the one that does not.
    """
    checks = {
        "database": "ok" if _database_ok() else "unavailable",
        "broker": "ok" if _broker_ok() else "unavailable",
    }
    healthy = all(v == "ok" for v in checks.values())
    body = {"status": "ok" if healthy else "unavailable", "checks": checks}
    if not healthy:
        body["failing"] = [name for name, value in checks.items() if value != "ok"]
    response = JsonResponse(body, status=200 if healthy else 503)
    response["Cache-Control"] = "no-store"
    return response


SQLITE_UNAVAILABLE = ("database is locked", "unable to open database", "disk I/O error")


def _database_unavailable(exc: BaseException | None) -> bool:
    """The database cannot be reached (stopped, restarting, the network), as opposed to a
    fault in a query: no connection, a connection lost (class 08), or the server shutting
    down or starting up (57P)."""
    if isinstance(exc, InterfaceError):
        return True
    if isinstance(exc, OperationalError):
        if isinstance(exc.__cause__, sqlite3.Error):
            # make run's SQLite file: busy past its timeout, or not there; a mistake in a
            # query ("no such column", a syntax error) is a fault like any other.
            return str(exc.__cause__).startswith(SQLITE_UNAVAILABLE)
        code = getattr(exc.__cause__, "pgcode", None)
        return code is None or code.startswith(("08", "57P"))
    return False


def server_error(request):
    """handler500. While the database is unavailable every page fails, so say so with a
    503 and Retry-After (JSON on the API) instead of a 500; the next request connects
    afresh. The page is rendered without context processors, which would query again."""
    if not _database_unavailable(sys.exc_info()[1]):
        return errors.server_error(request)
    message = "The portal cannot reach its database at the moment. Try again in a few minutes."
    if is_api_path(request.path):
        response = json_error(503, "service_unavailable", message)
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = "60"
    response["Cache-Control"] = "no-store"
    return response


def csrf_failure(request, reason=""):
    """A form sent without a valid CSRF token: explain, in plain English, what to do."""
    return render(request, "403_csrf.html", status=403)


def audit_trail(request):
    """Auditors and administrators read the audit trail and check its hash chain."""
    from django.contrib.auth.views import redirect_to_login
    from django.core.exceptions import PermissionDenied
    from django.core.paginator import Paginator

    from audit.models import AuditEvent
    from audit.services import audit_verify

    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    profile = request.profile
    if not profile.can_audit:
        raise PermissionDenied
    events = AuditEvent.objects.order_by("-seq")
    object_type = request.GET.get("type", "").strip()
    object_id = request.GET.get("id", "").strip()
    if object_type:
        events = events.filter(object_type=object_type)
    if object_id:
        events = events.filter(object_id=object_id)
    verification = audit_verify() if request.method == "POST" else None
    return render(
        request,
        "audit/event_list.html",
        {
            "page": Paginator(events, 50).get_page(request.GET.get("page")),
            "verification": verification,
            "object_type": object_type,
            "object_id": object_id,
            "types": AuditEvent.objects.values_list("object_type", flat=True)
            .order_by("object_type")
            .distinct(),
        },
    )
