"""The learning library: lessons from published final reports, and from outcome reports
whose teams chose to share them, searchable by anyone signed in."""

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from outcomes.models import Lesson
from partnerships.models import OutcomeMeasure, TeamMember


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
    """Words in the lessons or the project's title (PostgreSQL full-text search, a simple
    match on SQLite), a therapy area, and words in the name of one of the project's
    outcome measures."""
    text, area, outcome = text.strip(), area.strip(), outcome.strip()
    if text:
        if connection.vendor == "postgresql":
            vector = SearchVector(
                "lessons", "what_worked", "what_did_not", "project__title", config="english"
            )
            query = SearchQuery(text, search_type="websearch", config="english")
            lessons = lessons.annotate(search=vector).filter(search=query)
        else:
            lessons = lessons.filter(
                Q(lessons__icontains=text)
                | Q(what_worked__icontains=text)
                | Q(what_did_not__icontains=text)
                | Q(project__title__icontains=text)
            )
    if area:
        lessons = lessons.filter(project__therapy_area__iexact=area)
    if outcome:
        lessons = lessons.filter(
            Exists(
                OutcomeMeasure.objects.filter(project=OuterRef("project"), name__icontains=outcome)
            )
        )
    return lessons


def therapy_areas() -> list[str]:
    """The therapy areas of projects that have lessons, for the filter."""
    areas = Lesson.objects.values_list("project__therapy_area", flat=True).distinct()
    return sorted({a.strip() for a in areas if a and a.strip()}, key=str.lower)
