"""Money as the portal shows it: pounds sterling, grouped, to the penny (£50,000.00)."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter(name="gbp")
def gbp(amount) -> str:
    return f"£{Decimal(amount or 0):,.2f}"
