import logging
from collections.abc import Callable
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from guardian.shortcuts import assign_perm

from accounts.models import Membership, Organisation, User
from accounts.selectors import is_administrator
from accounts.services import organisation_group
from audit.services import audit_record
from partnerships.lifecycle import TRANSITIONS
from partnerships.models import (
    Objective,
    OutcomeMeasure,
    Partner,
    Project,
    ProjectEvent,
    ReferenceCounter,
    TeamMember,
)
from partnerships.sections import (
    OPENABLE_SECTIONS,
    SECTIONS_BY_KEY,
    short_text,
    submission_problems,
)
from partnerships.selectors import projects as selectors

logger = logging.getLogger(__name__)

LEAD_PERMS = ("view_project", "change_project", "edit_proposal")


class TransitionRefused(Exception):
    """The action cannot happen now; the message says why."""


# Apps above partnerships (governance opens its gates on submission) react to a transition
# inside its transaction; they register here from their AppConfig.ready(), since
# partnerships may not import them.
TransitionHook = Callable[..., None]
_transition_hooks: list[TransitionHook] = []


def register_transition_hook(hook: TransitionHook) -> None:
    """``hook(project=, action=, from_status=, actor=)`` runs after every transition,
    in the same transaction, with the project row locked."""
    if hook not in _transition_hooks:
        _transition_hooks.append(hook)


def event_record(
    *,
    project: Project,
    actor: User | None,
    action: str,
    description: str,
    from_status: str = "",
    to_status: str = "",
    reason: str = "",
    changes: dict | None = None,
) -> ProjectEvent:
    """The timeline entry, and its audit event; ``changes`` ({field: [before, after]}) goes
    into the audit event only, so the trail keeps what a change replaced."""
    event = ProjectEvent.objects.create(
        project=project,
        actor=actor,
        action=action,
        description=description,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
    )
    audit_record(
        actor=actor,
        action=f"project.{action}",
        obj=project,
        before={"status": from_status} if from_status else {},
        after={
            "description": description,
            **({"status": to_status} if to_status else {}),
            **({"reason": reason} if reason else {}),
            **({"changes": changes} if changes else {}),
        },
    )
    return event


def grant_lead(*, project: Project, user: User) -> None:
    for perm in LEAD_PERMS:
        assign_perm(f"partnerships.{perm}", user, project)
    audit_record(
        actor=None,
        action="permission.grant",
        obj=project,
        after={"user": user.email, "permissions": list(LEAD_PERMS)},
    )


def grant_organisation_view(*, project: Project, organisation: Organisation) -> None:
    assign_perm("partnerships.view_project", organisation_group(organisation), project)
    audit_record(
        actor=None,
        action="permission.grant",
        obj=project,
        after={"organisation": organisation.name, "permissions": ["view_project"]},
    )


def project_create(*, title: str, lead_organisation: Organisation, actor: User) -> Project:
    """A new draft, led by an NHS organisation the actor is a partnership lead of."""
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": "Enter the project's title"})
    if not lead_organisation.is_nhs:
        raise ValidationError(
            {"lead_organisation": "The lead organisation must be an ICB or another NHS body"}
        )
    is_lead_there = Membership.objects.filter(
        user=actor, organisation=lead_organisation, role=Membership.Role.PARTNERSHIP_LEAD
    ).exists()
    if not (is_lead_there or is_administrator(actor)):
        raise PermissionDenied(
            "Only a partnership lead of the lead organisation can start a proposal"
        )
    with transaction.atomic():
        project = Project.objects.create(
            title=title, lead_organisation=lead_organisation, created_by=actor
        )
        Partner.objects.create(project=project, organisation=lead_organisation, is_lead=True)
        if is_lead_there:
            TeamMember.objects.create(
                project=project,
                user=actor,
                organisation=lead_organisation,
                role=TeamMember.Role.LEAD,
            )
        grant_lead(project=project, user=actor)
        grant_organisation_view(project=project, organisation=lead_organisation)
        event_record(
            project=project,
            actor=actor,
            action="create",
            description="Proposal started",
            to_status=project.status,
        )
    return project


def _lock_editable(project: Project) -> Project:
    locked = Project.objects.select_for_update().get(pk=project.pk)
    if not locked.is_editable:
        raise ValidationError(
            f"The proposal cannot be changed while it is {locked.get_status_display().lower()}"
        )
    return locked


def section_save(*, project: Project, key: str, data: dict, actor: User) -> Project:
    """Save one section's answers. ``data`` holds that section's fields (already cleaned)."""
    if not selectors.can_edit_section(actor, project, key):
        raise PermissionDenied("You cannot change this section")
    section = SECTIONS_BY_KEY[key]
    with transaction.atomic():
        locked = _lock_editable(project)
        changed = []
        for name in section.fields:
            if name in data and getattr(locked, name) != data[name]:
                setattr(locked, name, data[name])
                changed.append(name)
        if key == "aims" and "objectives" in data and _objectives_sync(locked, data["objectives"]):
            changed.append("objectives")
        if changed:
            locked.full_clean(exclude=["reference", "open_sections"])
            locked.save()
            event_record(
                project=locked,
                actor=actor,
                action="edit",
                description=f"Changed the section “{section.title}”",
            )
    return locked


def _objectives_sync(project: Project, descriptions: list[str]) -> bool:
    """Keep objectives numbered as entered; returns whether anything changed.

    An objective keeps its identity, and so its outcome measures, when its text is unchanged
    (wherever it moves) or edited where it stands; an objective that still has outcome
    measures cannot be removed.
    """
    wanted = [d.strip() for d in descriptions if d.strip()]
    current = list(project.objectives.order_by("number"))
    if [o.description for o in current] == wanted:
        return False
    unused = {o.pk: o for o in current}
    kept: list[Objective | None] = [None] * len(wanted)
    for index, text in enumerate(wanted):
        same = next((o for o in unused.values() if o.description == text), None)
        if same is not None:
            kept[index] = unused.pop(same.pk)
    for index in range(len(wanted)):
        if kept[index] is None and index < len(current) and current[index].pk in unused:
            kept[index] = unused.pop(current[index].pk)
    removed = sorted(unused.values(), key=lambda o: o.number)
    measured = set(
        OutcomeMeasure.objects.filter(objective__in=removed).values_list("objective_id", flat=True)
    )
    blocked = [o for o in removed if o.pk in measured]
    if blocked:
        raise ValidationError(
            {
                "objectives": [
                    f"Objective {o.number}, “{short_text(o.description)}”, has outcome "
                    "measures: move them to another objective or remove them before removing "
                    "the objective"
                    for o in blocked
                ]
            }
        )
    Objective.objects.filter(pk__in=[o.pk for o in removed]).delete()
    # Move the objectives kept out of the way first, so no two share a number at any step.
    offset = max((o.number for o in current), default=0) + len(wanted)
    Objective.objects.filter(pk__in=[o.pk for o in kept if o]).update(number=F("number") + offset)
    for number, (objective, text) in enumerate(zip(kept, wanted, strict=True), start=1):
        if objective is None:
            Objective.objects.create(project=project, number=number, description=text)
        else:
            objective.number, objective.description = number, text
            objective.save(update_fields=["number", "description"])
    return True


def open_sections_set(*, project: Project, sections: list[str], actor: User) -> Project:
    if not selectors.is_project_lead(actor, project):
        raise PermissionDenied("Only the project lead or deputy can open sections to partners")
    unknown = set(sections) - set(OPENABLE_SECTIONS)
    if unknown:
        raise ValidationError("Only proposal sections can be opened to partners")
    with transaction.atomic():
        locked = _lock_editable(project)
        locked.open_sections = [k for k in OPENABLE_SECTIONS if k in sections]
        locked.save(update_fields=["open_sections", "updated_at"])
        titles = ", ".join(SECTIONS_BY_KEY[k].title for k in locked.open_sections) or "none"
        event_record(
            project=locked,
            actor=actor,
            action="open_sections",
            description=f"Sections open to partners: {titles}",
        )
    return locked


def _next_reference(year: int) -> str:
    counter, _ = ReferenceCounter.objects.select_for_update().get_or_create(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"CW-{year}-{counter.last:04d}"


def _may_act(actor: User | None, project: Project, by: str) -> bool:
    if actor is None:
        return True  # the system itself (scheduled tasks, the governance gates)
    if by == "team":
        return selectors.is_project_lead(actor, project)
    if is_administrator(actor):
        return True
    return Membership.objects.filter(
        user=actor,
        organisation_id=project.lead_organisation_id,
        role__in=[Membership.Role.PANEL_MEMBER, Membership.Role.PANEL_CHAIR],
    ).exists()


# Why a project cannot start yet, each with a code the pages use to link to the fix.
ACTIVATION_SUMMARY = "summary"
ACTIVATION_AGREEMENT = "agreement"
ACTIVATION_START_DATE = "start_date"


def activation_problems(project: Project, *, today: date | None = None) -> list[ValidationError]:
    """What stops an approved project starting (DESIGN: the executive summary is on the
    register, the signed agreement is uploaded and the start date has come); none when it
    can start."""
    from partnerships.models import Document

    today = today or timezone.localdate()
    problems = []
    if project.summary_published_at is None:
        problems.append(
            ValidationError(
                "the executive summary must be published on the transparency register first",
                code=ACTIVATION_SUMMARY,
            )
        )
    if not Document.objects.filter(
        project=project, kind=Document.Kind.AGREEMENT, versions__isnull=False
    ).exists():
        problems.append(
            ValidationError("upload the signed written agreement", code=ACTIVATION_AGREEMENT)
        )
    if project.start_date is None:
        problems.append(
            ValidationError("the project has no start date", code=ACTIVATION_START_DATE)
        )
    elif project.start_date > today:
        problems.append(
            ValidationError(
                "the start date has not been reached: it is "
                f"{project.start_date.day} {project.start_date:%B %Y}",
                code=ACTIVATION_START_DATE,
            )
        )
    return problems


def completion_is_early(project: Project, *, today: date | None = None) -> bool:
    """Whether completing delivery now closes it before its end date (under the exit
    strategy), which needs a reason. On or after the end date it does not."""
    today = today or timezone.localdate()
    return project.end_date is None or today < project.end_date


# What the timeline says when the daily task moves a project by itself.
AUTOMATIC_DESCRIPTIONS = {
    "activate": "Started automatically: the start date came and every condition was met",
    "complete": "Delivery completed automatically: the end date passed",
}


def project_transition(
    *,
    project: Project,
    action: str,
    actor: User | None,
    reason: str = "",
    today: date | None = None,
) -> Project:
    """Move the project along the lifecycle. Safe when two people act at once:
    the row is locked and its status checked again before it changes. ``today`` is the
    date the start and end date rules apply on (default: today); ``actor`` None is the
    portal itself."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise TransitionRefused(f"Unknown action {action!r}")
    if not _may_act(actor, project, transition.by):
        raise PermissionDenied(f"You cannot {transition.label.lower()} this project")
    reason = (reason or "").strip()
    if transition.reason_required and not reason:
        raise ValidationError({"reason": "Give a reason"})
    with transaction.atomic():
        locked = (
            selectors.project_detail_queryset().select_for_update(of=("self",)).get(pk=project.pk)
        )
        if locked.status not in transition.sources:
            raise TransitionRefused(
                f"This cannot be done while the project is {locked.get_status_display().lower()}"
            )
        if action == "submit":
            problems = submission_problems(locked)
            if problems:
                raise ValidationError(problems)
            if not locked.reference:
                locked.reference = _next_reference(timezone.localdate().year)
            locked.submitted_at = timezone.now()
        if action == "activate":
            problems = activation_problems(locked, today=today)
            if problems:
                raise ValidationError(
                    [
                        ValidationError(f"Before the project can start, {p.message}", code=p.code)
                        for p in problems
                    ]
                )
        if action == "complete" and not reason and completion_is_early(locked, today=today):
            raise ValidationError(
                {
                    "reason": "Enter why delivery is closing before the end date, "
                    "under the exit strategy"
                }
            )
        if action == "complete":
            day = today or timezone.localdate()
            locked.delivery_ended_on = min(locked.end_date, day) if locked.end_date else day
        description = transition.label
        if actor is None and action in AUTOMATIC_DESCRIPTIONS:
            description = AUTOMATIC_DESCRIPTIONS[action]
        if action == "approve" and locked.summary_published_at is None:
            # Approval publishes the executive summary on the transparency register
            # (DESIGN rule 4: it is public before the project can start).
            locked.summary_published_at = timezone.now()
            description = "Approved; executive summary published on the transparency register"
        from_status = locked.status
        locked.status = transition.target
        locked.save()
        event_record(
            project=locked,
            actor=actor,
            action=action,
            description=description,
            from_status=from_status,
            to_status=locked.status,
            reason=reason,
        )
        for hook in _transition_hooks:
            hook(project=locked, action=action, from_status=from_status, actor=actor)
    return locked


def projects_advance(*, today: date | None = None) -> dict[str, int]:
    """The daily sweep, as the portal itself: start approved projects whose start date has
    come and whose every activation condition holds, and complete active projects whose
    end date has passed. Safe to run again, or on two workers at once: each project moves
    through project_transition, which locks its row and checks its status again, so a
    project another run (or a person) has already moved is skipped. Returns how many it
    started and completed."""
    from partnerships.models import Document

    today = today or timezone.localdate()
    ready = (
        Project.objects.filter(
            status=Project.Status.APPROVED,
            start_date__lte=today,
            summary_published_at__isnull=False,
            documents__kind=Document.Kind.AGREEMENT,
            documents__versions__isnull=False,
        )
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    ended = (
        Project.objects.filter(status=Project.Status.ACTIVE, end_date__lt=today)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    counts = {"activated": 0, "completed": 0}
    for action, key, pks in (("activate", "activated", ready), ("complete", "completed", ended)):
        for pk in list(pks):
            try:
                project_transition(project=Project(pk=pk), action=action, actor=None, today=today)
            except (TransitionRefused, ValidationError) as exc:
                # Moved by someone else since the query, or no longer ready: not an error.
                logger.info("Project %s not %sd automatically: %s", pk, action, exc)
            else:
                counts[key] += 1
    return counts
