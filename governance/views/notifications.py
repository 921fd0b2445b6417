"""Your notifications (reminders from the portal) and which of them are emailed to you."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path

from accounts.forms import apply_service_errors
from governance.forms.notifications import EmailSettingsForm
from governance.selectors import notifications as selectors
from governance.services import notifications as services

PER_PAGE = 25


@login_required
def notification_list(request):
    if request.method == "POST":
        marked = services.notification_mark_read(user=request.user)
        if marked:
            messages.success(request, "Your notifications have been marked as read")
        return redirect("governance:notification-list")
    page = Paginator(selectors.notifications_for(user=request.user), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "governance/notification_list.html",
        {
            "page": page,
            "notifications": page.object_list,
            "unread": selectors.unread_count(user=request.user),
        },
    )


@login_required
def notification_settings(request):
    opt_outs = selectors.email_opt_outs_for(user=request.user)
    form = EmailSettingsForm.for_opt_outs(
        opt_outs, request.POST if request.method == "POST" else None
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.email_preferences_set(
                user=request.user, opt_outs=form.opt_outs, actor=request.user
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Your email settings have been saved")
            return redirect("governance:notification-settings")
    return render(
        request,
        "governance/notification_settings.html",
        {"form": form},
    )


urlpatterns = [
    path("notifications/", notification_list, name="notification-list"),
    path("notifications/email/", notification_settings, name="notification-settings"),
]
