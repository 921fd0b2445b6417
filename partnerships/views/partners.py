"""Partners and their contributions, and the project team."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from accounts.forms import apply_service_errors
from partnerships.forms.partners import (
    PartnerAddForm,
    PartnerContributionForm,
    PartnerInviteForm,
    TeamMemberAddForm,
)
from partnerships.models import TeamMember
from partnerships.sections import section_problems
from partnerships.selectors import projects as selectors
from partnerships.services import partners as partner_services
from partnerships.services import team as team_services

ROLE_ORDER = {TeamMember.Role.LEAD: 0, TeamMember.Role.DEPUTY: 1, TeamMember.Role.MEMBER: 2}


def _partner(project, partner_pk):
    """One of the project's partners (already prefetched with the project), or 404."""
    partner = next((p for p in project.partners.all() if p.pk == partner_pk), None)
    if partner is None:
        raise Http404("No such partner")
    return partner


def _member(project, member_pk):
    member = next((m for m in project.team.all() if m.pk == member_pk), None)
    if member is None:
        raise Http404("No such team member")
    return member


def _editable_partner_ids(user, project, partners) -> set[int]:
    """Which rows get a "Change" link. The lead is checked once (a permission query),
    not once per row; someone else can only ever edit their own organisation's row."""
    if not project.is_editable:
        return set()
    if selectors.is_project_lead(user, project):
        return {p.pk for p in partners}
    member = selectors.team_member(user, project)
    if member is None:
        return set()
    return {
        p.pk
        for p in partners
        if p.organisation_id == member.organisation_id
        and selectors.can_edit_partner(user, project, p)
    }


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# Partners ----------------------------------------------------------------------------


@login_required
def partner_list(request, pk):
    project = selectors.project_for_view(user=request.user, pk=pk)
    partners = list(project.partners.all())
    can_manage = selectors.is_project_lead(request.user, project) and project.is_editable
    editable = _editable_partner_ids(request.user, project, partners)
    totals = {
        "financial": sum((p.financial_contribution for p in partners), Decimal("0")),
        "in_kind": sum((p.in_kind_value for p in partners), Decimal("0")),
    }
    totals["total"] = totals["financial"] + totals["in_kind"]
    return render(
        request,
        "partnerships/partner_list.html",
        {
            "project": project,
            "rows": [{"partner": p, "can_edit": p.pk in editable} for p in partners],
            "totals": totals,
            "can_manage": can_manage,
            "form": PartnerAddForm(project=project) if can_manage else None,
            "problems": section_problems(project, "partners"),
        },
    )


@login_required
def partner_add(request, pk):
    project = selectors.project_for_view(user=request.user, pk=pk)
    if not selectors.is_project_lead(request.user, project):
        raise PermissionDenied
    form = PartnerAddForm(request.POST if request.method == "POST" else None, project=project)
    if request.method == "POST" and form.is_valid():
        organisation = form.cleaned_data["organisation"]
        try:
            partner_services.partner_add(
                project=project, organisation=organisation, actor=request.user
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"{organisation.name} has been added as a partner. "
                "Record what it contributes next.",
            )
            return redirect("partnerships:partner-list", pk=project.pk)
    return render(request, "partnerships/partner_add.html", {"project": project, "form": form})


@login_required
def partner_edit(request, pk, partner_pk):
    project = selectors.project_for_view(user=request.user, pk=pk)
    partner = _partner(project, partner_pk)
    if not selectors.can_edit_partner(request.user, project, partner):
        raise PermissionDenied
    form = PartnerContributionForm(
        request.POST if request.method == "POST" else None, instance=partner
    )
    if request.method == "POST" and form.is_valid():
        try:
            partner_services.partner_update(
                partner=partner, data=form.cleaned_data, actor=request.user
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"{partner.organisation.name}'s contribution has been saved")
            return redirect("partnerships:partner-list", pk=project.pk)
    return render(
        request,
        "partnerships/partner_edit.html",
        {"project": project, "partner": partner, "form": form},
    )


@login_required
@require_POST
def partner_remove(request, pk, partner_pk):
    project = selectors.project_for_view(user=request.user, pk=pk)
    partner = _partner(project, partner_pk)
    name = partner.organisation.name
    try:
        partner_services.partner_remove(partner=partner, actor=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, f"{name} has been removed from the project")
    return redirect("partnerships:partner-list", pk=project.pk)


# Team ----------------------------------------------------------------------------------


@login_required
def team_list(request, pk):
    project = selectors.project_for_view(user=request.user, pk=pk)
    can_manage = selectors.is_project_lead(request.user, project) and project.is_editable
    return render(
        request,
        "partnerships/team_list.html",
        {
            "project": project,
            "team": sorted(project.team.all(), key=lambda m: ROLE_ORDER.get(m.role, 9)),
            "can_manage": can_manage,
            "form": TeamMemberAddForm(project=project) if can_manage else None,
            "invitable": [p for p in project.partners.all() if not p.organisation.is_nhs]
            if can_manage
            else [],
            "problems": section_problems(project, "team"),
        },
    )


@login_required
def team_add(request, pk):
    project = selectors.project_for_view(user=request.user, pk=pk)
    if not selectors.is_project_lead(request.user, project):
        raise PermissionDenied
    form = TeamMemberAddForm(request.POST if request.method == "POST" else None, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            member = team_services.team_member_add(
                project=project,
                user=form.cleaned_data["user"],
                role=form.cleaned_data["role"],
                responsibilities=form.cleaned_data["responsibilities"],
                actor=request.user,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"{member.user} has been added to the team as {member.get_role_display().lower()}",
            )
            return redirect("partnerships:team-list", pk=project.pk)
    return render(request, "partnerships/team_add.html", {"project": project, "form": form})


@login_required
@require_POST
def team_remove(request, pk, member_pk):
    project = selectors.project_for_view(user=request.user, pk=pk)
    member = _member(project, member_pk)
    name = str(member.user)
    try:
        team_services.team_member_remove(member=member, actor=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, f"{name} has been removed from the team")
    return redirect("partnerships:team-list", pk=project.pk)


@login_required
def partner_invite(request, pk, partner_pk):
    project = selectors.project_for_view(user=request.user, pk=pk)
    partner = _partner(project, partner_pk)
    if not selectors.is_project_lead(request.user, project) or partner.organisation.is_nhs:
        raise PermissionDenied
    form = PartnerInviteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = partner_services.partner_invite(
                project=project, partner=partner, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"Invitation sent to {invitation.email}. Once they have set up their account, "
                "add them to the team.",
            )
            return redirect("partnerships:team-list", pk=project.pk)
    return render(
        request,
        "partnerships/partner_invite.html",
        {"project": project, "partner": partner, "form": form},
    )


urlpatterns = [
    path("<int:pk>/partners/", partner_list, name="partner-list"),
    path("<int:pk>/partners/add/", partner_add, name="partner-add"),
    path("<int:pk>/partners/<int:partner_pk>/", partner_edit, name="partner-edit"),
    path("<int:pk>/partners/<int:partner_pk>/remove/", partner_remove, name="partner-remove"),
    path("<int:pk>/partners/<int:partner_pk>/invite/", partner_invite, name="partner-invite"),
    path("<int:pk>/team/", team_list, name="team-list"),
    path("<int:pk>/team/add/", team_add, name="team-add"),
    path("<int:pk>/team/<int:member_pk>/remove/", team_remove, name="team-remove"),
]
