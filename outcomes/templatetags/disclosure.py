"""Filters for the disclosure PDFs, whose data is stored as JSON strings."""

import datetime
from decimal import Decimal, InvalidOperation

from django import template
from django.utils import dateformat, timezone

register = template.Library()


@register.filter
def gbp(value) -> str:
    """An exact decimal string as pounds: "50000.00" -> "£50,000.00"."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return ""
    return f"£{amount:,.2f}"


@register.filter
def measure(value, unit="") -> str:
    """A measure's exact decimal string with its unit: "1520", "admissions" -> "1,520
    admissions"; "12.5", "%" -> "12.5%"."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return ""
    text = f"{amount.normalize():,f}"
    unit = (unit or "").strip()
    return f"{text}%" if unit == "%" else f"{text} {unit}".strip()


@register.filter
def isodate(value, fmt="j F Y") -> str:
    """An ISO 8601 date or date and time, formatted (times in the portal's time zone)."""
    if not value:
        return ""
    try:
        if "T" in str(value):
            parsed = datetime.datetime.fromisoformat(str(value))
            if timezone.is_aware(parsed):
                parsed = timezone.localtime(parsed)
            return dateformat.format(parsed, fmt)
        return dateformat.format(datetime.date.fromisoformat(str(value)), fmt)
    except ValueError:
        return ""


@register.simple_tag(takes_context=True)
def can_use_disclosures(context, project) -> bool:
    """Whether the project's pages show the Disclosure PDF tab to this user."""
    from outcomes.selectors.disclosure import can_use_project_disclosures

    request = context.get("request")
    return bool(request and can_use_project_disclosures(request.user, project))
