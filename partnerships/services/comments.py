from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.models import User
from partnerships.models import Project, SectionComment
from partnerships.sections import SECTIONS_BY_KEY
from partnerships.selectors import projects as selectors


def comment_add(*, project: Project, section: str, body: str, actor: User) -> SectionComment:
    if section not in SECTIONS_BY_KEY:
        raise ValidationError({"section": "Choose a section of the proposal"})
    if not selectors.can_comment(actor, project):
        raise PermissionDenied("Only the project team can comment")
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "Enter your comment"})
    with transaction.atomic():
        return SectionComment.objects.create(
            project=project, section=section, body=body, author=actor
        )
