"""The API tokens pages of the account: list, make (the token is shown once), revoke."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from accounts.forms import apply_service_errors
from api import selectors, services
from api.forms import TokenForm


@login_required
def token_list(request):
    return render(
        request, "api/token_list.html", {"tokens": list(selectors.tokens_for(user=request.user))}
    )


@never_cache
@login_required
def token_create(request):
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = services.token_create(
                user=request.user, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            # Shown on this response only: it is not stored, so no page can show it again.
            return render(request, "api/token_created.html", {"token": token, "secret": secret})
    return render(request, "api/token_form.html", {"form": form})


@login_required
def token_revoke(request, pk):
    token = selectors.token_for_manage(user=request.user, pk=pk)
    if request.method == "POST":
        services.token_revoke(token=token, actor=request.user)
        messages.success(request, f"The token “{token.name}” has been revoked")
        return redirect("api:token-list")
    return render(request, "api/token_revoke.html", {"token": token})
