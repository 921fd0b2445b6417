"""The public transparency register: what anyone may read, and nothing else."""

from django.core.cache import cache
from django.db.models import Exists, Max, OuterRef, Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import Organisation
from partnerships.models import Partner, Project
from partnerships.search import text_search

S = Project.Status
PUBLIC_STATUSES = (S.APPROVED, S.ACTIVE, S.COMPLETED, S.CLOSED)


def published_projects() -> QuerySet[Project]:
    """Approved (and later) projects whose executive summary has been published."""
    return (
        Project.objects.filter(status__in=PUBLIC_STATUSES, summary_published_at__isnull=False)
        .select_related("lead_organisation")
        .prefetch_related(
            Prefetch("partners", queryset=Partner.objects.select_related("organisation"))
        )
        .order_by("-summary_published_at", "-pk")
    )


# The public fields the register's search reads (the project_register_search index's).
SEARCH_FIELDS = ("title", "executive_summary", "therapy_area", "reference")


def register_search(projects: QuerySet[Project], text: str) -> QuerySet[Project]:
    """Full-text search over the public fields (partnerships.search), a reference typed in full,
    or a partner organisation's name."""
    text = text.strip()
    if not text:
        return projects
    # Each way of matching is answered by its own index on PostgreSQL (project_register_search,
    # project_reference_upper, the partners' organisation), and the union of the three is
    # what the register shows: an OR of them would read every published project.
    matches = (
        text_search(Project.objects.all(), SEARCH_FIELDS, text)
        .order_by()
        .values("pk")
        .union(
            Project.objects.filter(reference__iexact=text).order_by().values("pk"),
            Partner.objects.filter(organisation__name__icontains=text)
            .order_by()
            .values("project_id"),
        )
    )
    return projects.filter(pk__in=matches)


def filter_number(value, *, low=1, high=2**63 - 1) -> int | None:
    """A filter's number, or None: ASCII digits only (str.isdigit also takes "²", which
    int() refuses) and within the range the lookup can take."""
    text = str(value)
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    number = int(text)
    return number if low <= number <= high else None


def register_filters(projects: QuerySet[Project], *, icb="", company="", area="", year=""):
    icb, company, year = filter_number(icb), filter_number(company), filter_number(year, high=9999)
    if icb is not None:
        projects = projects.filter(lead_organisation_id=icb)
    if company is not None:
        projects = projects.filter(
            Exists(Partner.objects.filter(project=OuterRef("pk"), organisation_id=company))
        )
    if area:
        projects = projects.filter(therapy_area__iexact=area)
    if year is not None:
        projects = projects.filter(summary_published_at__year=year)
    return projects


# How long the filter choices are kept at most; a newly published project changes the key.
CHOICES_SECONDS = 600


def register_choices() -> dict:
    """The filter choices: only organisations, areas and years that appear on the register.

    Reading them takes every published project, so they are kept in the cache under the
    time of the latest publication (one indexed lookup): publishing a project, the only
    way the register grows, makes the next page read them afresh."""
    latest = Project.objects.filter(summary_published_at__isnull=False).aggregate(
        latest=Max("summary_published_at")
    )["latest"]
    key = f"register-choices:{latest.isoformat() if latest else 'none'}"
    choices = cache.get(key)
    if choices is None:
        choices = _register_choices()
        cache.set(key, choices, CHOICES_SECONDS)
    return choices


def _register_choices() -> dict:
    published = published_projects().order_by()
    on_register = published.filter(lead_organisation=OuterRef("pk"))
    partner_on_register = Partner.objects.filter(
        organisation=OuterRef("pk"), project__in=published.values("pk")
    )
    return {
        "icbs": list(
            Organisation.objects.filter(Exists(on_register)).order_by("name").values("pk", "name")
        ),
        "companies": list(
            Organisation.objects.filter(kind=Organisation.Kind.COMPANY)
            .filter(Exists(partner_on_register))
            .order_by("name")
            .values("pk", "name")
        ),
        "areas": sorted(
            {a for a in published.values_list("therapy_area", flat=True).distinct() if a}
        ),
        "years": sorted(
            {d.year for d in published.dates("summary_published_at", "year")}, reverse=True
        ),
    }


def register_entry(reference: str) -> Project:
    return get_object_or_404(published_projects(), reference=reference)
