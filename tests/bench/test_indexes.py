"""Issue 6: the searches are answered by the indexes made for them. Each index is built on
the same expression as its search, which PostgreSQL uses only when the two match exactly:
a change to either that breaks the match fails here, not at national scale."""

import pytest
from django.db import connection

from governance.selectors.register import published_projects, register_search
from outcomes.selectors.learning import lesson_search, lessons_for
from partnerships.models import Project


def plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # A table of a few test rows is cheaper to read whole; say it is not, as at scale.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize("text", ["asthma", "cw-2026-0001"])
def test_register_search_uses_its_indexes(db, text):
    found = plan(register_search(published_projects(), text))
    assert "project_register_search" in found
    assert "project_reference_upper" in found


def test_learning_library_search_uses_its_index(db, outsider):
    assert "lesson_search" in plan(lesson_search(lessons_for(user=outsider), text="clinics"))


def test_project_lists_most_recent_first_use_their_index(db):
    assert "project_recent" in plan(Project.objects.order_by("-updated_at", "-pk")[:10])
