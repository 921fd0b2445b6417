"""The auditors' compliance page and its CSV export."""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from audit.versions import cached_at_version
from compliance.forms.filters import ComplianceFilterForm
from compliance.selectors.access import can_see_compliance
from compliance.services.check import CSV_HEADER, RULES, breach_row, compliance_check
from outcomes.exports import csv_response

BREACHES_PER_PAGE = 100


def _filtered(request):
    """The filter form and, when it is valid, the check's breaches for its ICB."""
    form = ComplianceFilterForm(request.GET or None)
    if request.GET and not form.is_valid():
        return form, None, None
    icb = form.cleaned_data.get("icb") if form.is_bound else None
    # A pass over every project takes half a minute at national scale: kept at the data's
    # version (audit.versions), so it is read again only after a change, or the next day.
    today = timezone.localdate()
    breaches = cached_at_version(
        "compliance",
        icb.pk if icb else "",
        today,
        build=lambda: compliance_check(icb=icb, today=today),
    )
    return form, icb, breaches


def compliance_list(request):
    """Every breach of the rules, for every project or one ICB's (auditors only)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not can_see_compliance(request.user):
        raise PermissionDenied
    form, icb, breaches = _filtered(request)
    page = None
    counts = []
    if breaches is not None:
        page = Paginator(breaches, BREACHES_PER_PAGE).get_page(request.GET.get("page"))
        by_rule = {}
        for breach in breaches:
            by_rule[breach.code] = by_rule.get(breach.code, 0) + 1
        counts = [(rule, by_rule.get(rule.code, 0)) for rule in RULES]
    return render(
        request,
        "compliance/breach_list.html",
        {
            "form": form,
            "icb": icb,
            "breaches": breaches,
            "page": page,
            "counts": counts,
            "projects": len({b.project_id for b in breaches or ()}),
            "checked_on": timezone.localdate(),
        },
        status=400 if breaches is None else 200,
    )


def compliance_csv(request):
    """The same breaches as CSV (UTF-8 with BOM, formula-like cells made inert)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not can_see_compliance(request.user):
        raise PermissionDenied
    _form, icb, breaches = _filtered(request)
    if breaches is None:
        return compliance_list(request)
    suffix = f"-{icb.ods_code or icb.pk}" if icb else ""
    filename = f"compliance{suffix}-{timezone.localdate():%Y-%m-%d}.csv"
    return csv_response(filename, CSV_HEADER, (breach_row(b) for b in breaches))
