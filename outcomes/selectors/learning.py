"""The learning library: lessons from published final reports, and from outcome reports
whose teams chose to share them, searchable by anyone signed in."""

from django.core.cache import cache
from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from outcomes.models import Lesson
from partnerships.models import OutcomeMeasure, TeamMember
from partnerships.search import text_search


def lessons_for(*, user) -> QuerySet[Lesson]:
    """Every shared lesson: the library is open to anyone signed in (``user`` must be), with
    the project, its lead organisation and whom to ask loaded in a fixed number of queries."""
    if not user.is_authenticated:
        return Lesson.objects.none()
    return (
        Lesson.objects.select_related("project__lead_organisation", "outcome_report")
        .prefetch_related(
            Prefetch(
                "project__team",
                queryset=TeamMember.objects.filter(
                    role__in=[TeamMember.Role.LEAD, TeamMember.Role.DEPUTY]
                ).select_related("user", "organisation"),
                to_attr="contacts",
            ),
            Prefetch("project__measures", queryset=OutcomeMeasure.objects.order_by("pk")),
        )
        .order_by("-shared_at", "-id")
    )


def lesson_search(lessons: QuerySet[Lesson], *, text="", area="", outcome="") -> QuerySet[Lesson]:
    """Words in the lessons or the project's title (full-text search, partnerships.search), a
    therapy area, and words in the name of one of the project's
    outcome measures."""
    text, area, outcome = text.strip(), area.strip(), outcome.strip()
    if text:
        # The same expression as the lesson_search GIN index, which answers it on PostgreSQL.
        lessons = text_search(lessons, Lesson.SEARCH_FIELDS, text)
    if area:
        lessons = lessons.filter(project__therapy_area__iexact=area)
    if outcome:
        lessons = lessons.filter(
            Exists(
                OutcomeMeasure.objects.filter(project=OuterRef("project"), name__icontains=outcome)
            )
        )
    return lessons


AREAS_KEY = "learning-library:therapy-areas"
# How long the therapy areas are kept at most (sharing a lesson forgets them at once).
AREAS_SECONDS = 600


def therapy_areas() -> list[str]:
    """The therapy areas of projects that have lessons, for the filter. Reading them takes
    every lesson, so they are kept in the cache until a lesson is shared (lesson_shared)."""
    areas = cache.get(AREAS_KEY)
    if areas is None:
        areas = Lesson.objects.order_by().values_list("project__therapy_area", flat=True)
        areas = sorted({a.strip() for a in areas.distinct() if a and a.strip()}, key=str.lower)
        cache.set(AREAS_KEY, areas, AREAS_SECONDS)
    return areas


def lesson_shared() -> None:
    """A lesson was added to the library: its project's therapy area may be new. Called
    by the services that share lessons, after their transaction commits."""
    cache.delete(AREAS_KEY)
