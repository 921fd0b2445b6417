"""The proposal in the browser: start one, the task list, each section, check and submit."""

import copy
import datetime
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.formats import date_format

from accounts.forms import apply_service_errors
from partnerships import sections
from partnerships.forms.proposal import (
    FIELD_SECTIONS,
    LABELS,
    CommentForm,
    OpenSectionsForm,
    ProjectCreateForm,
    section_form_class,
)
from partnerships.models import Project, TeamMember
from partnerships.selectors import projects as selectors
from partnerships.services import comments as comment_services
from partnerships.services import projects as project_services
from partnerships.templatetags.money import gbp

# Sections kept on pages of their own.
OWN_PAGES = {"partners": "partnerships:partner-list", "team": "partnerships:team-list"}
# What a section page says before its questions, where the section's hint is not enough.
INTROS = {
    "declarations": "Confirm each statement. The governance panel checks them before it "
    "approves the project's shared purpose, and a proposal cannot be submitted without them.",
    "governance": "The NHS organisation stays the data controller: the company never receives "
    "patient-identifiable data.",
}
ROLE_ORDER = {role: n for n, role in enumerate(TeamMember.Role.values)}


def _not_post(request):
    return None if request.method == "POST" else HttpResponseNotAllowed(["POST"])


@login_required
def project_create(request):
    """A partnership lead (or an administrator) starts a proposal."""
    if not selectors.lead_organisations_for(user=request.user).exists():
        raise PermissionDenied("Only a partnership lead of an NHS organisation can start one")
    form = ProjectCreateForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            project = project_services.project_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Proposal started. Complete its sections in any order.")
            return redirect("partnerships:proposal", project.pk)
    return render(request, "partnerships/project_create.html", {"form": form})


@login_required
def proposal(request, pk):
    """The task list: each section with its status."""
    project = selectors.project_for_view(user=request.user, pk=pk)
    is_lead = selectors.is_project_lead(request.user, project)
    check_url = reverse("partnerships:proposal-check", args=[project.pk])
    tasks = []
    for task in sections.task_list(project):
        key = task["section"].key
        if key in OWN_PAGES:
            url = reverse(OWN_PAGES[key], args=[project.pk])
        elif selectors.can_edit_section(request.user, project, key):
            url = reverse("partnerships:section-edit", args=[project.pk, key])
        else:
            url = f"{check_url}#section-{key}"
        tasks.append({**task, "url": url})
    completed = sum(1 for t in tasks if t["status"] == sections.COMPLETED)
    steers = is_lead and project.is_editable
    return render(
        request,
        "partnerships/proposal_detail.html",
        {
            "project": project,
            "tasks": tasks,
            "completed": completed,
            "can_submit": steers,
            "open_sections_form": (
                OpenSectionsForm(initial={"sections": project.open_sections}) if steers else None
            ),
            "COMPLETED": sections.COMPLETED,
            "NOT_STARTED": sections.NOT_STARTED,
        },
    )


@login_required
def open_sections(request, pk):
    """The project lead chooses which sections partners' team members may edit."""
    project = selectors.project_for_view(user=request.user, pk=pk)
    if response := _not_post(request):
        return response
    form = OpenSectionsForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose from the sections listed")
        return redirect("partnerships:proposal", project.pk)
    try:
        project_services.open_sections_set(
            project=project, sections=form.cleaned_data["sections"], actor=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "The sections open to partners have been saved")
    return redirect("partnerships:proposal", project.pk)


@login_required
def section_edit(request, pk, section):
    project = selectors.project_for_view(user=request.user, pk=pk)
    if section in OWN_PAGES:
        return redirect(OWN_PAGES[section], project.pk)
    if section not in FIELD_SECTIONS:
        raise Http404("No such section")
    if not selectors.can_edit_section(request.user, project, section):
        raise PermissionDenied("You cannot change this section")
    # The form works on a copy, so a rejected answer never shows as saved elsewhere on the page.
    form = section_form_class(section)(
        request.POST if request.method == "POST" else None, instance=copy.copy(project)
    )
    if request.method == "POST" and form.is_valid():
        try:
            project_services.section_save(
                project=project, key=section, data=form.section_data(), actor=request.user
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Section saved")
            return redirect("partnerships:proposal", project.pk)
    return _render_section(request, project, section, form, CommentForm(prefix=section))


def _render_section(request, project, key, form, comment_form):
    comments = project.comments.filter(section=key).select_related("author")
    return render(
        request,
        "partnerships/section_edit.html",
        {
            "project": project,
            "section": sections.SECTIONS_BY_KEY[key],
            "intro": INTROS.get(key, ""),
            "form": form,
            "status": sections.section_status(project, key),
            "problems": sections.section_problems(project, key),
            "measure_groups": measure_groups(project) if key == "evaluation" else None,
            "comments": comments,
            "comment_form": (
                comment_form if selectors.can_comment(request.user, project) else None
            ),
        },
    )


@login_required
def comment_add(request, pk, section):
    project = selectors.project_for_view(user=request.user, pk=pk)
    if response := _not_post(request):
        return response
    if section not in sections.SECTIONS_BY_KEY:
        raise Http404("No such section")
    if not selectors.can_comment(request.user, project):
        raise PermissionDenied("Only the project team can comment")
    form = CommentForm(request.POST, prefix=section)
    on_section_page = section in FIELD_SECTIONS and selectors.can_edit_section(
        request.user, project, section
    )
    if form.is_valid():
        try:
            comment_services.comment_add(
                project=project, section=section, body=form.cleaned_data["body"], actor=request.user
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Comment added")
            if on_section_page:
                url = reverse("partnerships:section-edit", args=[project.pk, section])
                return redirect(f"{url}#comments")
            url = reverse("partnerships:proposal-check", args=[project.pk])
            return redirect(f"{url}#section-{section}-comments")
    if on_section_page:
        section_form = section_form_class(section)(instance=copy.copy(project))
        return _render_section(request, project, section, section_form, form)
    return _render_check(request, project, comment_forms={section: form})


@login_required
def proposal_check(request, pk):
    """Check your answers: the whole proposal, what is missing, and the submit button."""
    project = selectors.project_for_view(user=request.user, pk=pk)
    return _render_check(request, project)


@login_required
def proposal_submit(request, pk):
    project = selectors.project_for_view(user=request.user, pk=pk)
    if response := _not_post(request):
        return response
    try:
        project = project_services.project_transition(
            project=project, action="submit", actor=request.user
        )
    except ValidationError as exc:
        return _render_check(request, project, errors=exc.messages)
    except project_services.TransitionRefused as exc:
        project = selectors.project_for_view(user=request.user, pk=pk)
        return _render_check(request, project, errors=[str(exc)])
    messages.success(request, f"Proposal submitted. Its reference is {project.reference}")
    return redirect("partnerships:project-detail", project.pk)


def _render_check(request, project, *, errors=None, comment_forms=None):
    user = request.user
    is_lead = selectors.is_project_lead(user, project)
    member = selectors.team_member(user, project)
    may_comment = selectors.can_comment(user, project)
    comment_forms = comment_forms or {}
    comments = {}
    for comment in project.comments.select_related("author"):
        comments.setdefault(comment.section, []).append(comment)
    blocks = []
    for section in sections.SECTIONS:
        key = section.key
        if key in OWN_PAGES:
            change_url = reverse(OWN_PAGES[key], args=[project.pk])
            may_change = project.is_editable and (is_lead or (key == "partners" and member))
        else:
            change_url = reverse("partnerships:section-edit", args=[project.pk, key])
            may_change = selectors.can_edit_section(user, project, key)
        blocks.append(
            {
                "section": section,
                "rows": _answers(project, section),
                "change_url": change_url if may_change else None,
                "comments": comments.get(key, []),
                "comment_form": (
                    (comment_forms.get(key) or CommentForm(prefix=key)) if may_comment else None
                ),
            }
        )
    if errors is not None:
        problems = errors
    elif project.is_editable:
        problems = sections.submission_problems(project)
    else:
        problems = []  # a submitted proposal is not checked again here
    return render(
        request,
        "partnerships/proposal_check.html",
        {
            "project": project,
            "blocks": blocks,
            **answers_context(project),
            "problems": problems,
            "submit_failed": errors is not None,
            "comment_failed": next((f for f in comment_forms.values() if f.errors), None),
            "can_submit": is_lead and project.is_editable,
        },
    )


def answers_context(project: Project) -> dict:
    """What partnerships/_section_answers.html needs besides each field section's rows: the
    partners with their contributions and totals, the team (lead and deputy first), and the
    outcome measures of each objective."""
    partners = list(project.partners.all())
    return {
        "partners": [_partner(p) for p in partners],
        "total_financial": gbp(sum((p.financial_contribution for p in partners), Decimal(0))),
        "total_in_kind": gbp(sum((p.in_kind_value for p in partners), Decimal(0))),
        "team": sorted(project.team.all(), key=lambda m: ROLE_ORDER.get(m.role, 99)),
        "measure_groups": measure_groups(project),
    }


def measure_groups(project: Project) -> list[dict]:
    """Each objective, in order, with its outcome measures (from the prefetched project)."""
    by_objective: dict[int, list] = {}
    for measure in project.measures.all():
        by_objective.setdefault(measure.objective_id, []).append(
            {"measure": measure, "rows": measure_rows(measure)}
        )
    return [
        {"objective": objective, "measures": by_objective.get(objective.pk, [])}
        for objective in project.objectives.all()
    ]


def _day(value) -> str:
    return date_format(value, "j F Y") if value else ""


def measure_rows(measure, *, with_objective: bool = False) -> list[dict]:
    """One outcome measure's answers, ready to show: label, then text."""
    baseline, target = measure.baseline_display, measure.target_display
    if measure.baseline_date:
        baseline = f"{baseline or 'Value not given'} ({_day(measure.baseline_date)})"
    if measure.target_date:
        target = f"{target or 'Value not given'} by {_day(measure.target_date)}"
    rows = [
        {"label": "Measure", "value": measure.name},
        {"label": "Unit", "value": measure.unit},
        {"label": "Which is better", "value": measure.get_direction_display()},
        {"label": "Baseline", "value": baseline},
        {"label": "Target", "value": target},
        {"label": "Data source", "value": measure.data_source},
        {"label": "Collected", "value": measure.get_frequency_display()},
        {"label": "Owning partner", "value": measure.owner.organisation.name},
    ]
    if with_objective:
        objective = measure.objective
        rows.insert(
            0, {"label": "Objective", "value": f"{objective.number}. {objective.description}"}
        )
    return rows


def _answers(project: Project, section) -> list[dict]:
    """Each answer of a field section, ready to show: label, then text or a list of lines."""
    rows = []
    for name in section.fields:
        field = Project._meta.get_field(name)
        value = getattr(project, name)
        if isinstance(field, models.BooleanField):
            value = "Confirmed" if value else "Not confirmed"
        elif name == "kind":
            value = project.get_kind_display()
        elif isinstance(value, datetime.date):
            value = date_format(value, "j F Y")
        rows.append({"label": LABELS[name], "value": value})
        if name == "end_date" and project.length_in_months:
            months = project.length_in_months
            rows.append({"label": "Length", "value": f"{months} month{'s' if months != 1 else ''}"})
        if name == "aims":
            rows.append(
                {
                    "label": LABELS["objectives"],
                    "lines": [o.description for o in project.objectives.all()],
                }
            )
    return rows


def _partner(partner) -> dict:
    lead = ", ".join(
        part
        for part in (
            partner.accountable_lead_name,
            partner.accountable_lead_job_title,
            partner.accountable_lead_email,
        )
        if part
    )
    return {
        "partner": partner,
        "rows": [
            {"label": "Type of organisation", "value": partner.organisation.get_kind_display()},
            {"label": "Accountable lead", "value": lead},
            {"label": "Signatory", "value": partner.signatory_name},
            {"label": "Financial contribution", "value": gbp(partner.financial_contribution)},
            {"label": "In-kind contribution", "value": partner.in_kind_description},
            {"label": "Value of in-kind contribution", "value": gbp(partner.in_kind_value)},
            {"label": "Total contribution", "value": gbp(partner.total_contribution)},
        ],
    }


urlpatterns = [
    path("new/", project_create, name="project-create"),
    path("<int:pk>/proposal/", proposal, name="proposal"),
    # The literal paths come before <slug:section>, which would otherwise match them.
    path("<int:pk>/proposal/check/", proposal_check, name="proposal-check"),
    path("<int:pk>/proposal/submit/", proposal_submit, name="proposal-submit"),
    path("<int:pk>/proposal/open-sections/", open_sections, name="open-sections"),
    path("<int:pk>/proposal/<slug:section>/", section_edit, name="section-edit"),
    path("<int:pk>/proposal/<slug:section>/comments/", comment_add, name="comment-add"),
]
