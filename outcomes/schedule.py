"""Outcome reports: the schedule of reporting periods, and each measure's chart.

Both are pure functions of what they are given, so pages and tests call them freely.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from partnerships.dates import add_months

FREQUENCY_MONTHS = {"monthly": 1, "quarterly": 3, "six_monthly": 6, "annually": 12}
DEFAULT_MONTHS = FREQUENCY_MONTHS["quarterly"]
DUE_AFTER = datetime.timedelta(days=30)  # a report is due 30 days after its period ends


def schedule_months(frequencies) -> int:
    """Months between reports: the most frequent measure's frequency (quarterly if none)."""
    months = [FREQUENCY_MONTHS[f] for f in frequencies if f in FREQUENCY_MONTHS]
    return min(months) if months else DEFAULT_MONTHS


@dataclass(frozen=True)
class Period:
    number: int
    start: datetime.date
    end: datetime.date

    @property
    def due_date(self) -> datetime.date:
        return self.end + DUE_AFTER


def report_periods(start_date, end_date, frequencies=()) -> list[Period]:
    """Reporting periods from ``start_date`` to ``end_date``; the last ends on the end date,
    so even a project shorter than one period has one report."""
    if not (start_date and end_date) or end_date < start_date:
        return []
    step = schedule_months(frequencies)
    ends, k = [], 1
    while (end := add_months(start_date, k * step)) < end_date:
        ends.append(end)
        k += 1
    ends.append(end_date)
    periods, begin = [], start_date
    for number, end in enumerate(ends, start=1):
        periods.append(Period(number=number, start=begin, end=end))
        begin = end + datetime.timedelta(days=1)
    return periods


def report_schedule(project) -> list[datetime.date]:
    """The period end dates of a project's reports."""
    frequencies = [m.frequency for m in project.measures.all()]
    return [p.end for p in report_periods(project.start_date, project.end_date, frequencies)]


def project_periods(project) -> list[Period]:
    frequencies = [m.frequency for m in project.measures.all()]
    return report_periods(project.start_date, project.end_date, frequencies)


# Charts -------------------------------------------------------------------------------------

WIDTH, HEIGHT = 480, 240
LEFT, RIGHT, TOP, BOTTOM = 70, 20, 20, 40


@dataclass(frozen=True)
class ChartPoint:
    label: str
    date: datetime.date
    value: Decimal
    x: float = 0
    y: float = 0


def _fmt(value: Decimal) -> str:
    return f"{value.normalize():,f}"


def measure_chart(measure, reported: list[tuple[datetime.date, Decimal]]) -> dict:
    """Coordinates for a server-rendered SVG: the baseline and target as points, the reported
    values as a line, on a time axis; and the same numbers as rows for a table."""
    raw = []
    if measure.baseline_value is not None and measure.baseline_date:
        raw.append(("Baseline", measure.baseline_date, measure.baseline_value))
    if measure.target_value is not None and measure.target_date:
        raw.append(("Target", measure.target_date, measure.target_value))
    raw.extend(("Reported", d, v) for d, v in sorted(reported))
    if not raw:
        return {"points": [], "rows": []}
    dates = [r[1] for r in raw]
    values = [r[2] for r in raw]
    d0, d1 = min(dates), max(dates)
    v0, v1 = min(values), max(values)
    if v0 == v1:
        v0, v1 = v0 - 1, v1 + 1
    span_days = max((d1 - d0).days, 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def place(label, day, value):
        x = LEFT + plot_w * ((day - d0).days / span_days if d1 != d0 else 0.5)
        y = TOP + plot_h * float((v1 - value) / (v1 - v0))
        return ChartPoint(label=label, date=day, value=value, x=round(x, 1), y=round(y, 1))

    points = [place(*r) for r in raw]
    line = [p for p in points if p.label == "Reported"]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "bottom": HEIGHT - BOTTOM,
        "right": WIDTH - RIGHT,
        "top": TOP,
        "baseline": next((p for p in points if p.label == "Baseline"), None),
        "target": next((p for p in points if p.label == "Target"), None),
        "line": " ".join(f"{p.x},{p.y}" for p in line),
        "reported": line,
        "points": points,
        "axis": {
            "min": _fmt(v0),
            "max": _fmt(v1),
            "first": d0,
            "last": d1,
        },
        "rows": [
            {"label": p.label, "date": p.date, "value": measure._amount(p.value)}
            for p in sorted(points, key=lambda p: p.date)
        ],
    }
