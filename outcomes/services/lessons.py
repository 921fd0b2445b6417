"""Lessons shared to the learning library, from an outcome report or a final report."""

import datetime

from django.db import transaction

from outcomes.models import Lesson
from outcomes.selectors import learning
from partnerships.models import Project


def lesson_share(*, project: Project, source: str, at: datetime.datetime, **text) -> Lesson:
    """Adds a lesson under the project's title as it is now (the library keeps it if the
    project is renamed), inside the caller's transaction; the library's list of therapy
    areas is refreshed once that commits. ``text``: the report and what it says
    (outcome_report or final_report; what_worked, what_did_not, lessons)."""
    lesson = Lesson.objects.create(
        project=project, source=source, project_title=project.title, shared_at=at, **text
    )
    transaction.on_commit(learning.lesson_shared)
    return lesson
