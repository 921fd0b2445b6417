from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts import selectors, services
from accounts.forms import (
    InvitationAcceptForm,
    InvitationForm,
    OrganisationForm,
    apply_service_errors,
)
from accounts.models import Organisation


def directory(request):
    """Public: who to contact in each ICB about working with industry."""
    return render(request, "accounts/directory.html", {"icbs": selectors.icb_directory()})


@login_required
def organisation_list(request):
    organisations = selectors.organisation_list_for(user=request.user)
    kind = request.GET.get("kind", "")
    if kind in Organisation.Kind.values:
        organisations = organisations.filter(kind=kind)
    query = request.GET.get("q", "").strip()
    if query:
        organisations = organisations.filter(name__icontains=query)
    page = Paginator(organisations, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/organisation_list.html",
        {"page": page, "kind": kind, "q": query, "kinds": Organisation.Kind.choices},
    )


@login_required
def organisation_detail(request, pk):
    organisation = selectors.organisation_detail_for(user=request.user, pk=pk)
    return render(
        request,
        "accounts/organisation_detail.html",
        {
            "organisation": organisation,
            "members": selectors.organisation_members_for(
                user=request.user, organisation=organisation
            ),
            "can_edit": request.user.has_perm("accounts.change_organisation", organisation)
            or request.profile.is_administrator,
        },
    )


@login_required
def organisation_create(request):
    if not request.profile.is_administrator:
        raise PermissionDenied
    form = OrganisationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"{organisation.name} has been added")
            return redirect(organisation)
    return render(request, "accounts/organisation_form.html", {"form": form})


@login_required
def organisation_edit(request, pk):
    organisation = selectors.organisation_for_edit(user=request.user, pk=pk)
    form = OrganisationForm(
        request.POST if request.method == "POST" else None, instance=organisation
    )
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_update(
                organisation=organisation, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Organisation details saved")
            return redirect(organisation)
    return render(
        request, "accounts/organisation_form.html", {"form": form, "organisation": organisation}
    )


@login_required
def invitation_list(request):
    invitations = selectors.invitation_list_for(user=request.user)
    page = Paginator(invitations, 25).get_page(request.GET.get("page"))
    return render(request, "accounts/invitation_list.html", {"page": page})


@login_required
def invitation_create(request):
    if not request.profile.can_invite:
        raise PermissionDenied
    form = InvitationForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"Invitation sent to {invitation.email}")
            return redirect("accounts:invitation-list")
    return render(request, "accounts/invitation_form.html", {"form": form})


@login_required
@require_POST
def invitation_revoke(request, pk):
    invitation = selectors.invitation_for_manage(user=request.user, pk=pk)
    try:
        services.invitation_revoke(invitation=invitation, actor=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, f"Invitation to {invitation.email} withdrawn")
    return redirect("accounts:invitation-list")


def invitation_accept(request, token):
    if request.user.is_authenticated:
        messages.info(request, "Sign out before accepting an invitation for someone else.")
        return redirect("home")
    try:
        invitation = services.invitation_from_token(token)
    except services.InvitationInvalid as exc:
        return render(request, "accounts/invitation_invalid.html", {"reason": str(exc)}, status=410)
    form = InvitationAcceptForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(token=token, password=form.cleaned_data["password1"])
        except services.InvitationInvalid as exc:
            return render(
                request, "accounts/invitation_invalid.html", {"reason": str(exc)}, status=410
            )
        except ValidationError as exc:
            form.add_error("password1", exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome, {user.first_name}. Your account is ready.")
            return redirect("home")
    return render(
        request, "accounts/invitation_accept.html", {"form": form, "invitation": invitation}
    )
