"""The project list, the status page, withdrawal, and starting and completing delivery."""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce, ExtractYear
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone

from accounts.forms import apply_service_errors
from accounts.models import Membership, Organisation
from audit.versions import cached_page, data_version
from partnerships.lifecycle import NEXT_STEP, TRANSITIONS
from partnerships.models import Partner, Project, TeamMember
from partnerships.selectors import projects as selectors
from partnerships.services.projects import (
    ACTIVATION_AGREEMENT,
    TransitionRefused,
    activation_problems,
    completion_is_early,
    project_transition,
)

PAGE_SIZE = 25

# The four governance gates, in the order the panel works through them.
GATES = (
    "Shared purpose",
    "Outcome measures",
    "Conflicts of interest",
    "Transparency disclosure",
)
GATE_NOT_OPEN = "Not yet open"
# partnerships may not import governance (dependencies point the other way), so governance
# hands over how to show its gates: register_gate_rows(func), from its AppConfig.ready().
_gate_rows_provider: Callable[[Project], list[dict]] | None = None

STATUS_LABELS = dict(Project.Status.choices)


def with_year(projects: QuerySet[Project]) -> QuerySet[Project]:
    """The year a project belongs to: of its submission, or of its creation if never submitted."""
    return projects.annotate(year=ExtractYear(Coalesce("submitted_at", "created_at")))


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def filter_projects(projects: QuerySet[Project], params) -> tuple[QuerySet[Project], dict]:
    """Apply the list's filters from the query string; returns the queryset and the
    filters as understood (invalid values are ignored rather than refused)."""
    status = params.get("status", "")
    if status not in STATUS_LABELS:
        status = ""
    partner = _int_or_none(params.get("partner"))
    icb = _int_or_none(params.get("icb"))
    year = _int_or_none(params.get("year"))
    if year is not None and not 1 <= year <= 9999:
        year = None  # beyond what a date holds: the database would refuse the comparison
    query = params.get("q", "").strip()[:200]

    projects = with_year(projects)
    if status:
        projects = projects.filter(status=status)
    if partner:
        projects = projects.filter(partners__organisation_id=partner)
    if icb:
        projects = projects.filter(lead_organisation_id=icb)
    if year:
        projects = projects.filter(year=year)
    if query:
        projects = projects.filter(Q(title__icontains=query) | Q(reference__icontains=query))
    applied = {"status": status, "partner": partner, "icb": icb, "year": year, "q": query}
    return projects, applied


def filter_choices(visible: QuerySet[Project]) -> dict:
    """What the filters offer: only organisations and years among the projects the user
    may see. One query each, whatever the number of projects."""
    ids = visible.order_by().values("pk")
    return {
        "statuses": Project.Status.choices,
        "partners": Organisation.objects.filter(
            partnerships__project__in=ids, partnerships__is_lead=False
        )
        .distinct()
        .order_by("name")
        .only("pk", "name"),
        "icbs": Organisation.objects.filter(led_projects__in=ids)
        .distinct()
        .order_by("name")
        .only("pk", "name"),
        "years": with_year(Project.objects.filter(pk__in=ids))
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct(),
    }


# How long a person's filter choices are kept at most (see cached_filter_choices).
CHOICES_SECONDS = 300


def cached_filter_choices(user, visible: QuerySet[Project]) -> dict:
    """filter_choices, kept in the cache for the user: reading them takes every project the
    user may see. The key holds the data's version (audit.versions), which moves with every
    change."""
    key = f"project-filter-choices:{user.pk}:{data_version()}"
    choices = cache.get(key)
    if choices is None:
        found = filter_choices(visible)
        choices = {
            "statuses": found["statuses"],
            "partners": list(found["partners"].values("pk", "name")),
            "icbs": list(found["icbs"].values("pk", "name")),
            "years": list(found["years"]),
        }
        cache.set(key, choices, CHOICES_SECONDS)
    return choices


def can_start_proposal(profile) -> bool:
    """Partnership leads (of an NHS organisation) and administrators start proposals."""
    return profile.is_administrator or profile.has_role(Membership.Role.PARTNERSHIP_LEAD)


@login_required
def project_list(request):
    def context() -> dict:
        visible = selectors.project_list_for(user=request.user)
        projects, applied = filter_projects(visible, request.GET)
        page = Paginator(projects.order_by("-updated_at", "-pk"), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        return {
            "page": page,
            "filters": applied,
            "filtered": any(applied.values()),
            "choices": cached_filter_choices(request.user, visible),
            "can_start": can_start_proposal(request.profile),
        }

    return cached_page(
        request,
        "partnerships/project_list.html",
        name="project-list",
        parts=(request.user.pk,),
        context=context,
    )


def register_gate_rows(provider: Callable[[Project], list[dict]]) -> None:
    """Let the governance app show each gate's state: ``provider(project)`` returns one
    ``{"name", "state", "colour"}`` per gate (colour: an NHS tag modifier such as "blue")."""
    global _gate_rows_provider
    _gate_rows_provider = provider


def gate_rows(project: Project) -> list[dict]:
    """Each governance gate and its state, for the status page."""
    if _gate_rows_provider is not None:
        return _gate_rows_provider(project)
    return [{"name": name, "state": GATE_NOT_OPEN, "colour": "grey"} for name in GATES]


def can_withdraw(user, project: Project) -> bool:
    return project.status in TRANSITIONS["withdraw"].sources and selectors.is_project_lead(
        user, project
    )


def can_act(user, project: Project, action: str) -> bool:
    """Whether the status page offers ``action`` (a team transition) to this user now."""
    return project.status in TRANSITIONS[action].sources and selectors.is_project_lead(
        user, project
    )


def final_report_facts(project: Project, today) -> dict | None:
    """When a completed project's final report is due, and whether that has passed."""
    if project.status != Project.Status.COMPLETED or project.final_report_deadline is None:
        return None
    return {
        "deadline": project.final_report_deadline,
        "overdue": project.final_report_deadline < today,
    }


def _team_with_role(project: Project, role: str) -> TeamMember | None:
    return next((m for m in project.team.all() if m.role == role), None)


@login_required
def project_detail(request, pk):
    """The status page. Permission is checked on every request; what it shows is cached for
    the person at the data's version."""
    project = selectors.project_summary_for_view(user=request.user, pk=pk)
    today = timezone.localdate()

    def context() -> dict:
        project = selectors.project_for_view(user=request.user, pk=pk)
        events = list(project.events.select_related("actor"))
        for event in events:
            event.from_label = STATUS_LABELS.get(event.from_status, event.from_status)
            event.to_label = STATUS_LABELS.get(event.to_status, event.to_status)
        next_step, who_acts = NEXT_STEP[project.status]
        partners: list[Partner] = list(project.partners.all())
        return {
            "project": project,
            "gates": gate_rows(project),
            "next_step": next_step,
            "who_acts": who_acts,
            "lead_partner": next((p for p in partners if p.is_lead), None),
            "other_partners": [p for p in partners if not p.is_lead],
            "project_lead": _team_with_role(project, TeamMember.Role.LEAD),
            "deputy": _team_with_role(project, TeamMember.Role.DEPUTY),
            "events": events,
            "can_withdraw": can_withdraw(request.user, project),
            "can_start": can_act(request.user, project, "activate"),
            "can_complete": can_act(request.user, project, "complete"),
            "final_report": final_report_facts(project, today),
        }

    return cached_page(
        request,
        "partnerships/project_detail.html",
        name="project-detail",
        parts=(request.user.pk, today),
        context=context,
        page_context={"project": project},
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why are you withdrawing this proposal?",
        help_text="Everyone on the project and the governance panel will see this on the "
        "project's timeline.",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=2000,
        error_messages={
            "required": "Enter why you are withdrawing the proposal",
            "max_length": "The reason must be 2,000 characters or fewer",
        },
    )


@login_required
def project_withdraw(request, pk):
    project = selectors.project_for_view(user=request.user, pk=pk)
    if not selectors.is_project_lead(request.user, project):
        raise PermissionDenied("Only the project lead or deputy can withdraw the proposal")
    if project.status not in TRANSITIONS["withdraw"].sources:
        messages.error(
            request,
            f"This project cannot be withdrawn while it is {project.get_status_display().lower()}",
        )
        return redirect(project)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            project_transition(
                project=project,
                action="withdraw",
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        except TransitionRefused as exc:
            messages.error(request, str(exc))
            return redirect(project)
        else:
            messages.success(request, "The proposal has been withdrawn")
            return redirect(project)
    return render(request, "partnerships/project_withdraw.html", {"project": project, "form": form})


def _team_action_project(request, pk, verb: str) -> Project:
    """The project, for the lead or deputy only: 404 to outsiders, 403 to other roles."""
    project = selectors.project_for_view(user=request.user, pk=pk)
    if not selectors.is_project_lead(request.user, project):
        raise PermissionDenied(f"Only the project lead or deputy can {verb}")
    return project


def _not_now(request, project: Project, what: str):
    """The project has moved on (or was never there): say so on its status page."""
    messages.error(request, what.format(status=project.get_status_display().lower()))
    return redirect(project)


def _problem_rows(project: Project, errors: list[ValidationError]) -> list[dict]:
    """Each reason a project cannot start, linked to where to put it right if there is
    such a page."""
    fixes = {ACTIVATION_AGREEMENT: reverse("partnerships:document-upload", args=[project.pk])}
    return [{"text": e.messages[0], "url": fixes.get(e.code)} for e in errors]


@login_required
def project_start(request, pk):
    """The lead or deputy starts an approved project: a check of the conditions, then a
    confirmation. The service decides; a refusal lists each reason."""
    project = _team_action_project(request, pk, "start the project")
    if project.status not in TRANSITIONS["activate"].sources:
        return _not_now(request, project, "This project cannot be started while it is {status}")
    refused: list[dict] = []
    if request.method == "POST":
        try:
            project_transition(project=project, action="activate", actor=request.user)
        except ValidationError as exc:
            errors = getattr(exc, "error_list", None) or [ValidationError(m) for m in exc.messages]
            refused = _problem_rows(project, errors)
        except TransitionRefused as exc:
            messages.error(request, str(exc))
            return redirect(project)
        else:
            messages.success(request, "The project has started")
            return redirect(project)
    missing = [] if refused else _problem_rows(project, activation_problems(project))
    return render(
        request,
        "partnerships/project_start.html",
        {"project": project, "refused": refused, "missing": missing},
    )


class CompleteForm(forms.Form):
    reason = forms.CharField(
        label="Why is delivery closing before the end date?",
        help_text="Say how the exit strategy applies. Everyone on the project and the "
        "governance panel will see this on the project's timeline.",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=2000,
        error_messages={
            "required": "Enter why delivery is closing before the end date, under the exit "
            "strategy",
            "max_length": "The reason must be 2,000 characters or fewer",
        },
    )

    def __init__(self, *args, early: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not early:
            del self.fields["reason"]


@login_required
def project_complete(request, pk):
    """The lead or deputy completes delivery: on or after the end date by confirming,
    before it (closing early under the exit strategy) with a reason."""
    project = _team_action_project(request, pk, "complete delivery")
    if project.status not in TRANSITIONS["complete"].sources:
        return _not_now(
            request, project, "Delivery cannot be completed while the project is {status}"
        )
    early = completion_is_early(project)
    form = CompleteForm(request.POST if request.method == "POST" else None, early=early)
    if request.method == "POST" and form.is_valid():
        try:
            project_transition(
                project=project,
                action="complete",
                reason=form.cleaned_data.get("reason", ""),
                actor=request.user,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        except TransitionRefused as exc:
            messages.error(request, str(exc))
            return redirect(project)
        else:
            messages.success(request, "Delivery is complete. The final report is now due.")
            return redirect(project)
    return render(
        request,
        "partnerships/project_complete.html",
        {"project": project, "form": form, "early": early},
    )


urlpatterns = [
    path("", project_list, name="project-list"),
    path("<int:pk>/", project_detail, name="project-detail"),
    path("<int:pk>/withdraw/", project_withdraw, name="project-withdraw"),
    path("<int:pk>/start/", project_start, name="project-start"),
    path("<int:pk>/complete/", project_complete, name="project-complete"),
]
