"""The governance gates' pages: the review queue, a gate and its sign-off, the review route,
and a panel's settings."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone

from accounts.forms import apply_service_errors
from audit.versions import cached_page
from governance.forms.gates import LOW_RISK, PanelSettingsForm, RouteForm, SignOffForm
from governance.gates import GATES_BY_KIND
from governance.models import Gate
from governance.selectors import gates as selectors
from governance.selectors.declarations import current_declaration, declaration_status_for_project
from governance.services.declarations import can_manage_conflict
from governance.services.gates import (
    SignOffRefused,
    gate_sign_off,
    review_route_set,
)
from governance.services.panels import panel_settings_update
from partnerships.sections import SECTIONS_BY_KEY
from partnerships.selectors import projects as project_selectors
from partnerships.views.proposal import _answers, answers_context

# What a sign-off did to the gate, for the confirmation message.
GATE_NOW = {
    Gate.Status.PENDING: "The gate is still awaiting review.",
    Gate.Status.IN_REVIEW: "The gate is in review.",
    Gate.Status.APPROVED: "The gate is now approved.",
    Gate.Status.CHANGES_REQUESTED: "The gate now asks for changes, and the proposal goes back "
    "to the team.",
    Gate.Status.REJECTED: "The gate is now rejected, and so is the proposal.",
}


@login_required
def review_queue(request):
    """The gates awaiting the panel member, oldest first, in pages of fifty."""
    if not selectors.can_see_review_queue(request.user):
        raise PermissionDenied("Only panel members and chairs have a review queue")

    def context() -> dict:
        page = selectors.review_queue_page_for(user=request.user, number=request.GET.get("page"))
        return {
            "page": page,
            "items": page.object_list,
            "panels": selectors.panels_for(user=request.user),
        }

    return cached_page(
        request,
        "governance/review_queue.html",
        name="review-queue",
        parts=(request.user.pk, timezone.localdate()),
        context=context,
    )


def _route_label(review) -> str:
    return "Low-risk" if review and review.low_risk else "Standard"


def _declaration_rows(user, project) -> list[dict]:
    """Who must declare for the project, what they declared, and how each conflict is
    managed (with a link for whoever may record it)."""
    rows = []
    for status in declaration_status_for_project(project):
        interests = list(status.declaration.interests.all()) if status.declaration else []
        rows.append(
            {
                "status": status,
                "interests": [
                    {
                        "interest": i,
                        "management": getattr(i, "management", None),
                        "can_manage": can_manage_conflict(user, i),
                    }
                    for i in interests
                ],
            }
        )
    return rows


def _with_answers(sign_offs, spec):
    """Each sign-off's criteria answers with the criteria's words, in the gate's order."""
    for sign_off in sign_offs:
        sign_off.answers = [
            {"text": c.text, **sign_off.criteria[c.key]}
            for c in spec.criteria
            if isinstance(sign_off.criteria.get(c.key), dict)
        ]
    return sign_offs


def _render_gate(request, gate: Gate, *, form=None, refused=None, status=200):
    user, project = request.user, gate.project
    spec = GATES_BY_KIND[gate.kind]
    review = selectors.review_for(project)
    access = selectors.sign_off_access(user, gate)
    if form is None and access.can_sign_off:
        form = SignOffForm(criteria=spec.criteria_for(low_risk=bool(review and review.low_risk)))
    rounds = [(r, _with_answers(s, spec)) for r, s in selectors.sign_offs_by_round(gate)]
    current = next((s for r, s in rounds if r == gate.round), [])
    route_changes = list(selectors.route_changes_for(review)) if review else []
    is_conflicts = gate.kind == Gate.Kind.CONFLICTS
    problems = refused if refused is not None else access.problems
    context = {
        "project": project,
        "gate": gate,
        "colour": selectors.STATE_COLOURS[gate.status],
        "spec": spec,
        "review": review,
        "route": _route_label(review),
        "criteria": spec.criteria_for(low_risk=bool(review and review.low_risk)),
        "blocks": [
            {"section": SECTIONS_BY_KEY[key], "rows": _answers(project, SECTIONS_BY_KEY[key])}
            for key in spec.sections
        ],
        **answers_context(project),
        "is_conflicts": is_conflicts,
        "declarations": _declaration_rows(user, project) if is_conflicts else [],
        "conflict_problems": selectors.conflicts_gate_problems(project) if is_conflicts else [],
        "outcome_problems": (
            selectors.outcome_gate_problems(project)
            if gate.kind == Gate.Kind.OUTCOME_MEASURES
            else []
        ),
        "current": current,
        "earlier": [(r, s) for r, s in rounds if r != gate.round],
        "access": access,
        "problems": problems,
        "refused": refused is not None,
        "must_declare": bool(problems) and current_declaration(user, project) is None,
        # The form shows only to whoever may sign off; its errors show at the top regardless.
        "form": form if access.can_sign_off and refused is None else None,
        "errors_form": form,
        "can_set_route": selectors.can_set_route(user, project),
        "last_route_change": route_changes[0] if route_changes else None,
    }
    return render(request, "governance/gate_detail.html", context, status=status)


@login_required
def gate_detail(request, pk, kind):
    """A gate: what it covers, its decisions, and (for an eligible reviewer) the sign-off."""
    gate = selectors.gate_for_view(user=request.user, project_pk=pk, kind=kind)
    if request.method != "POST":
        return _render_gate(request, gate)
    access = selectors.sign_off_access(request.user, gate)
    if not access.on_panel:
        raise PermissionDenied("Only members of the reviewing panel sign off its gates")
    review = selectors.review_for(gate.project)
    criteria = GATES_BY_KIND[gate.kind].criteria_for(low_risk=bool(review and review.low_risk))
    form = SignOffForm(request.POST, criteria=criteria)
    if form.is_valid():
        try:
            sign_off = gate_sign_off(
                gate=gate,
                decision=form.cleaned_data["decision"],
                comment=form.cleaned_data["comment"],
                criteria=form.criteria_answers(),
                actor=request.user,
            )
        except SignOffRefused as exc:
            return _render_gate(request, gate, form=form, refused=exc.problems, status=403)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            title = GATES_BY_KIND[gate.kind].title.lower()
            messages.success(
                request,
                f"Your decision on the {title} gate has been recorded: "
                f"{sign_off.get_decision_display().lower()}. {GATE_NOW[sign_off.gate.status]}",
            )
            return redirect(gate)
    return _render_gate(request, gate, form=form)


@login_required
def review_route(request, pk):
    """The chair of the reviewing panel puts a submitted project on the low-risk route, or
    back on the standard one, with a reason."""
    project = project_selectors.project_for_view(user=request.user, pk=pk)
    if not selectors.can_set_route(request.user, project):
        raise PermissionDenied(
            "Only the chair of the reviewing panel changes the route, while the project is "
            "submitted"
        )
    review = selectors.review_for(project)
    form = RouteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            review = review_route_set(
                project=project,
                low_risk=form.low_risk,
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"The review is now on the {_route_label(review).lower()} route, "
                f"with a quorum of {review.quorum}",
            )
            return redirect("partnerships:project-detail", project.pk)
    return render(
        request,
        "governance/review_route.html",
        {
            "project": project,
            "review": review,
            "route": _route_label(review),
            "form": form,
            "LOW_RISK": LOW_RISK,
            "route_changes": selectors.route_changes_for(review),
            "gates": selectors.gates_for(project),
        },
    )


@login_required
def panel_detail(request, pk):
    """A panel's members and settings; its chair (or an administrator) changes the quorum
    and the reminder thresholds."""
    panel = selectors.panel_for_view(user=request.user, pk=pk)
    can_change = selectors.can_change_panel(request.user, panel)
    if request.method == "POST" and not can_change:
        raise PermissionDenied("Only the panel's chair sets its quorum and thresholds")
    form = None
    if can_change:
        form = PanelSettingsForm(
            request.POST if request.method == "POST" else None,
            initial={
                "quorum": panel.quorum,
                "remind_after_days": panel.remind_after_days,
                "escalate_after_days": panel.escalate_after_days,
            },
        )
        if request.method == "POST" and form.is_valid():
            try:
                panel_settings_update(panel=panel, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, f"The {panel.name}'s settings have been saved")
                return redirect("governance:panel-detail", panel.pk)
    return render(
        request,
        "governance/panel_detail.html",
        {"panel": panel, "seats": selectors.panel_seats(panel), "form": form},
    )


urlpatterns = [
    path("reviews/", review_queue, name="review-queue"),
    path("projects/<int:pk>/gates/<slug:kind>/", gate_detail, name="gate-detail"),
    path("projects/<int:pk>/route/", review_route, name="review-route"),
    path("panels/<int:pk>/", panel_detail, name="panel-detail"),
]
