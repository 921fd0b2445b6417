"""Breaches of the rules planted on purpose, so that the auditors' compliance page
(/audit/compliance/) and manage.py check_compliance have something to show.

Everything else in the demo keeps the rules; these projects say in their title that
they do not. Each is made through the services like the others, then given its breach.
"""

from datetime import timedelta

from demo.specs import last_day_before, months_ago
from partnerships.dates import add_months
from partnerships.models import Project

PLANTED_START = months_ago(8)
PLANTED_TITLE = (
    "Planted breaches for the compliance check: remote monitoring of people with atrial "
    "fibrillation"
)

# (project title, rule code) of every breach planted: what the check must report, and all.
PLANTED_BREACHES = {
    # Its executive summary went on the register two weeks after the project started.
    (PLANTED_TITLE, "summary-after-start"),
    # Its second quarterly outcome report was never written, and is overdue.
    (PLANTED_TITLE, "outcome-reports-overdue"),
}

PLANTED_PROJECTS = [
    {
        "title": PLANTED_TITLE,
        "lead": "lead@lincolnshire-icb.example",
        "deputy": "deputy@lincolnshire-icb.example",
        "company": "Boehringer Ingelheim",
        "industry": "industry@boehringer.example",
        "state": "approved",
        "delivery": "active",
        "start_date": PLANTED_START,
        "end_date": last_day_before(add_months(PLANTED_START, 24)),
        "therapy_area": "Cardiovascular",
        "population_need": "A planted breach for the auditors' compliance page: this project "
        "is demo data that breaks the rules on purpose.",
        "objectives": ["Find atrial fibrillation before a stroke"],
        "measures": [
            (
                "People with atrial fibrillation on anticoagulation",
                "%",
                "higher",
                "70",
                "90",
                "GP clinical system audit",
                "quarterly",
                last_day_before(PLANTED_START),
            ),
        ],
        "summary": "Planted breach for the compliance check: Lincolnshire ICB and Boehringer "
        "Ingelheim published this summary only after the project had started.",
        "reports": {
            "written": 1,
            "submitted": 1,
            "progress": 0.3,
            "rags": ["green"],
            "narrative": "Monitoring runs in 12 practices.",
            "lessons": {},
        },
    },
]


def plant_breaches(project: Project) -> None:
    """The summary-after-start breach: published two weeks after the start date (the
    overdue outcome report needs nothing: its spec writes only the first)."""
    from demo.history import at

    Project.objects.filter(pk=project.pk).update(
        summary_published_at=at(project.start_date + timedelta(days=14))
    )
