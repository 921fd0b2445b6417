"""Date arithmetic the lifecycle and the outcome schedule share."""

import calendar
import datetime


def add_months(start: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later, or the last day of that month if it is shorter
    (31 January + 1 month is 28 February, or 29 in a leap year)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
