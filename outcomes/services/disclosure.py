"""Disclosure documents: request (cached by content), render with WeasyPrint, retry, download.

A document moves ``queued -> running -> ready``, or ``running -> failed``; a failed one goes
back to ``queued`` when retried (or requested again). Each move is a conditional update of
exactly one row, so two workers, or a worker and a retry, cannot both render it.
"""

import datetime
import hashlib
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import Organisation, User
from audit.services import audit_record
from outbox.models import OutboxMessage
from outbox.services import outbox_enqueue
from outcomes.disclosure_data import content_hash, extract_snapshot, project_snapshot
from outcomes.models import DisclosureCounter, DisclosureDocument
from outcomes.selectors import disclosure as selectors
from partnerships.models import Project

logger = logging.getLogger(__name__)

K = DisclosureDocument.Kind
S = DisclosureDocument.Status

TEMPLATES = {
    K.PROJECT: "outcomes/pdf/project.html",
    K.REGISTER_EXTRACT: "outcomes/pdf/extract.html",
    K.AUDIT_PACK: "outcomes/pdf/audit_pack.html",
}
# A document still "running" after this long lost its worker (the render task's time limit
# is shorter); the sweeper queues it again, or marks it failed after MAX_ATTEMPTS.
STALE_AFTER = datetime.timedelta(minutes=15)
# Renders a worker may start by itself (the first, and again after a worker died in the
# middle); past this a document whose worker keeps dying is failed, for a person to retry.
MAX_ATTEMPTS = 3
WORKER_DIED = "Rendering did not finish (the worker stopped); try again."


def _next_number(year: int) -> str:
    counter, _ = DisclosureCounter.objects.select_for_update().get_or_create(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"DD-{year}-{counter.last:06d}"


RENDER_TASK = "outcomes.tasks.disclosure_render_task"


def _queue(document_id: int) -> None:
    """Render it in a worker once this transaction commits (through the outbox)."""
    outbox_enqueue(task=RENDER_TASK, args=[document_id])


def _subject(
    *, kind: str, project: Project | None, organisation: Organisation | None, year, actor
) -> tuple[dict, dict]:
    """Check the request and take the snapshot; returns (snapshot, the row's subject fields)."""
    if kind == K.PROJECT:
        if project is None:
            raise ValidationError("Choose the project")
        if actor is not None and not selectors.can_use_project_disclosures(actor, project):
            raise PermissionDenied(
                "Only the project team, auditors and administrators request its disclosure"
            )
        return project_snapshot(project), {"project": project}
    if kind == K.REGISTER_EXTRACT:
        errors = {}
        if organisation is None or organisation.kind != Organisation.Kind.ICB:
            errors["organisation"] = "Choose an integrated care board"
        try:
            year = int(year)
        except (TypeError, ValueError):
            year = None
        if year is None or not 2000 <= year <= timezone.localdate().year:
            errors["year"] = "Enter a year from 2000 to this year"
        if errors:
            raise ValidationError(errors)
        if actor is not None and not (
            selectors.extract_organisations_for(user=actor).filter(pk=organisation.pk).exists()
        ):
            raise PermissionDenied(
                "Register extracts are for auditors, administrators and the ICB's panel"
            )
        return extract_snapshot(organisation, year), {"organisation": organisation, "year": year}
    raise ValidationError("Unknown kind of disclosure document")


def disclosure_request(
    *,
    kind: str,
    project: Project | None = None,
    organisation: Organisation | None = None,
    year: int | None = None,
    actor: User | None,
    queue: bool = True,
) -> DisclosureDocument:
    """The document for the data as it is now: an existing one when nothing has changed
    (a failed one is queued again), else a new one, queued for rendering after commit.

    ``actor`` None is the system itself (the command line); ``queue`` False leaves the
    rendering to the caller.
    """
    snapshot, subject = _subject(
        kind=kind, project=project, organisation=organisation, year=year, actor=actor
    )
    return disclosure_issue(kind=kind, snapshot=snapshot, subject=subject, actor=actor, queue=queue)


def disclosure_issue(
    *, kind: str, snapshot: dict, subject: dict, actor: User | None, queue: bool = True
) -> DisclosureDocument:
    """The document for ``snapshot``, already checked and taken by the caller: the one made
    from the same data if there is one (a failed one is queued again), else a new one with
    the next document number, queued for rendering after commit. ``subject`` is the row's
    subject fields (project; or organisation and year, or period_from and period_to).

    disclosure_request calls it for the kinds this app builds; an app above this one (the
    compliance app's audit pack) calls it with a snapshot of its own making."""
    digest = content_hash(snapshot)
    with transaction.atomic():
        document = (
            DisclosureDocument.objects.select_for_update().filter(content_hash=digest).first()
        )
        if document is None:
            try:
                with transaction.atomic():
                    document = DisclosureDocument.objects.create(
                        kind=kind,
                        snapshot=snapshot,
                        content_hash=digest,
                        document_number=_next_number(timezone.localdate().year),
                        requested_by=actor,
                        **subject,
                    )
            except IntegrityError:
                # Someone asked for the same data at the same moment: theirs is ours.
                document = DisclosureDocument.objects.select_for_update().get(content_hash=digest)
                cached = True
            else:
                cached = False
        else:
            cached = True
        requeued = False
        if document.status == S.FAILED:
            requeued = _requeue(document)
        audit_record(
            actor=actor,
            action="disclosure.request",
            obj=document,
            after={
                "document_number": document.document_number,
                "content_hash": digest,
                "cached": cached,
                "status": document.status,
            },
        )
        if queue and (not cached or requeued):
            _queue(document.pk)
    return document


def _requeue(document: DisclosureDocument) -> bool:
    changed = DisclosureDocument.objects.filter(pk=document.pk, status=S.FAILED).update(
        status=S.QUEUED, error=""
    )
    document.refresh_from_db()
    return changed == 1


def disclosure_retry(*, document: DisclosureDocument, actor: User) -> DisclosureDocument:
    """Queue a failed document again."""
    if not selectors.can_use_document(actor, document):
        raise PermissionDenied
    with transaction.atomic():
        if not _requeue(document):
            raise ValidationError("Only a document that failed can be tried again")
        audit_record(
            actor=actor,
            action="disclosure.retry",
            obj=document,
            after={"document_number": document.document_number},
        )
        _queue(document.pk)
    return document


# Rendering ------------------------------------------------------------------------------


def _no_external_resources():
    """WeasyPrint may fetch nothing: the templates carry their own styles, and a URL in
    user text must never make the worker reach out."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"})


def render_pdf(document: DisclosureDocument, *, made_at: datetime.datetime) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        TEMPLATES[document.kind],
        {
            "document": document,
            "data": document.snapshot,
            "made_at": made_at,
            "site_url": getattr(settings, "SITE_URL", ""),
        },
    )
    return HTML(string=html, url_fetcher=_no_external_resources()).write_pdf()


def disclosure_render(*, document_id: int, takeover: bool = False) -> DisclosureDocument:
    """Claim the document (queued or failed -> running), render it and keep the file.

    A document another worker holds, or one already ready, is returned as it is. With
    ``takeover`` (the task was delivered again because the worker running it died: killed,
    out of memory, the machine restarted) a document left "running" is claimed too, unless
    it has used up MAX_ATTEMPTS, when it is marked failed for a person to retry. A failure
    is recorded on the document (status failed, with the error) and raised again, so that
    the task can retry a transient one.
    """
    now = timezone.now()
    claimable = Q(status__in=(S.QUEUED, S.FAILED))
    if takeover:
        claimable |= Q(status=S.RUNNING, attempts__lt=MAX_ATTEMPTS)
        gave_up = DisclosureDocument.objects.filter(
            pk=document_id, status=S.RUNNING, attempts__gte=MAX_ATTEMPTS
        ).update(status=S.FAILED, error=WORKER_DIED, finished_at=now)
        if gave_up:
            return DisclosureDocument.objects.get(pk=document_id)
    claimed = DisclosureDocument.objects.filter(claimable, pk=document_id).update(
        status=S.RUNNING, started_at=now, finished_at=None, error=""
    )
    document = DisclosureDocument.objects.select_related("project", "organisation").get(
        pk=document_id
    )
    if claimed != 1:
        return document
    DisclosureDocument.objects.filter(pk=document_id).update(attempts=F("attempts") + 1)
    try:
        pdf = render_pdf(document, made_at=now)
        document.file.save(document.filename, ContentFile(pdf), save=False)
        digest = hashlib.sha256(pdf).hexdigest()
        with transaction.atomic():
            done = DisclosureDocument.objects.filter(pk=document_id, status=S.RUNNING).update(
                status=S.READY,
                file=document.file.name,
                sha256=digest,
                size=len(pdf),
                finished_at=timezone.now(),
            )
            if done == 1:
                audit_record(
                    actor=None,
                    action="disclosure.ready",
                    obj=document,
                    after={
                        "document_number": document.document_number,
                        "sha256": digest,
                        "size": len(pdf),
                    },
                )
    except Exception as exc:
        logger.exception("Disclosure document %s failed", document.document_number)
        DisclosureDocument.objects.filter(pk=document_id, status=S.RUNNING).update(
            status=S.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        raise
    document.refresh_from_db()
    return document


def disclosure_sweep_stale(*, older_than: datetime.timedelta = STALE_AFTER) -> int:
    """Documents left behind are made without anyone asking:

    - one whose worker died while rendering (still "running" long after the render's time
      limit) is queued again, through the outbox, or marked failed, for a person to retry,
      once it has used up MAX_ATTEMPTS;
    - one queued whose task was lost (Redis lost it: no render task for it is waiting in the
      outbox or was published in that time) is published again. A second task for a
      document is harmless: only one worker can claim it.

    Returns how many were swept."""
    now = timezone.now()
    cutoff = now - older_than
    stale = DisclosureDocument.objects.filter(status=S.RUNNING, started_at__lt=cutoff)
    with transaction.atomic():
        rows = list(stale.select_for_update(skip_locked=True).values_list("pk", "attempts"))
        for pk, attempts in rows:
            row = DisclosureDocument.objects.filter(pk=pk)
            if attempts >= MAX_ATTEMPTS:
                row.update(status=S.FAILED, error=WORKER_DIED, finished_at=now)
            else:
                row.update(status=S.QUEUED, started_at=None)
                _queue(pk)
        in_hand = {
            args[0]
            for args in OutboxMessage.objects.filter(task=RENDER_TASK)
            .filter(Q(published_at__isnull=True) | Q(published_at__gte=cutoff))
            .values_list("args", flat=True)
            if args
        }
        lost = (
            DisclosureDocument.objects.filter(status=S.QUEUED, created_at__lt=cutoff)
            .exclude(pk__in=in_hand)
            .values_list("pk", flat=True)
        )
        lost = list(lost)
        for pk in lost:
            _queue(pk)
    return len(rows) + len(lost)


def disclosure_download_record(*, document: DisclosureDocument, actor: User) -> None:
    """Every download goes into the audit trail."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="disclosure.download",
            obj=document,
            after={
                "document_number": document.document_number,
                "sha256": document.sha256,
                "project": document.project.reference if document.project_id else None,
            },
        )
