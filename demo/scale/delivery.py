"""Delivery in the national-scale data set: the quarterly outcome reports with their
measure values and lessons while a project is active, then completion, the final report and
closure."""

import datetime
from decimal import Decimal

from demo.scale.rows import utc
from demo.scale.words import DID_NOT, LESSONS, WORKED
from outcomes.models import FinalReport, Lesson, MeasureValue, OutcomeReport
from outcomes.schedule import report_periods
from partnerships.models import Document, DocumentVersion, Project

S = Project.Status
# What the agreement's row says of its (absent) file.
AGREEMENT_SIZE = 48213
AGREEMENT_SHA256 = "0" * 64


class DeliveryRows:
    """Delivery's rows, for the project builder (demo.scale.projects)."""

    def agreement(self, p) -> None:
        """The signed written agreement, uploaded a week before the start (DESIGN rule 4).
        Its row only: the benchmark stores no file, so downloading it is a 404."""
        at = utc(p.start - datetime.timedelta(days=7))
        dpk = self.ids[Document].take()
        self.rows[Document].append(
            (dpk, p.pk, Document.Kind.AGREEMENT, "Signed collaborative working agreement", at)
        )
        self.rows[DocumentVersion].append(
            (
                self.ids[DocumentVersion].take(),
                dpk,
                1,
                f"documents/scale/agreement-{p.pk}.pdf",
                "signed-agreement.pdf",
                "application/pdf",
                AGREEMENT_SIZE,
                AGREEMENT_SHA256,
                p.lead,
                at,
            )
        )
        self.transition(
            p,
            p.lead,
            at,
            "document_upload",
            "Uploaded “Signed collaborative working agreement” version 1",
            "",
            "",
        )

    def deliver(self, p) -> None:
        """Started on the start date, with its signed agreement; an outcome report for each
        period of the portal's schedule (outcomes.schedule) that has ended."""
        self.agreement(p)
        began = utc(p.start)
        self.transition(p, p.lead, began, "activate", "Started", "approved", "active")
        # Quarterly outcome reports while delivering.
        last = min(p.end, self.today)
        for period in report_periods(p.start, p.end, ["quarterly"] * len(p.measures)):
            if period.end > last:
                break
            period_start, period_end, due = period.start, period.end, period.due_date
            rpk = self.ids[OutcomeReport].take()
            done = due <= self.today or self.rng.random() < 0.5
            at = utc(min(due, self.today))
            share = done and self.rng.random() < 0.08
            self.rows[OutcomeReport].append(
                (
                    rpk,
                    p.pk,
                    period_start,
                    period_end,
                    due,
                    "submitted" if done else "draft",
                    self.rng.choice(("green", "green", "green", "amber")) if done else "",
                    "On track" if done else "",
                    f"Progress on {p.condition} this quarter.",
                    self.rng.choice(WORKED),
                    self.rng.choice(DID_NOT),
                    share,
                    p.lead if done else None,
                    at if done else None,
                    at,
                    at,
                )
            )
            for mpk in p.measures:
                self.rows[MeasureValue].append(
                    (self.ids[MeasureValue].take(), rpk, mpk, Decimal(self.rng.randrange(20, 95)))
                )
            if done:
                self.audit.add(
                    at,
                    p.lead,
                    self.cast.emails[p.lead],
                    "outcome_report.submit",
                    "outcomes.outcomereport",
                    rpk,
                    f"Report to {period_end:%d %B %Y} on {p.label}",
                    {"status": "draft"},
                    {"status": "submitted"},
                )
            if share:
                self.rows[Lesson].append(
                    (
                        self.ids[Lesson].take(),
                        p.pk,
                        "report",
                        None,
                        rpk,
                        self.rng.choice(WORKED),
                        self.rng.choice(DID_NOT),
                        "",
                        p.title,
                        at,
                    )
                )

    def close(self, p) -> None:
        """Delivery completed; the final report, published when the project is closed."""
        self.transition(
            p,
            p.lead,
            utc(p.end),
            "complete",
            "Delivery completed",
            "active",
            "completed",
        )
        if p.status == S.COMPLETED and self.rng.random() < 0.5:
            return
        fpk = self.ids[FinalReport].take()
        published_final = p.status == S.CLOSED
        lessons = self.rng.choice(LESSONS)
        self.rows[FinalReport].append(
            (
                fpk,
                p.pk,
                "published" if published_final else "draft",
                f"The project set out to improve care for people with {p.condition}.",
                "Most measures met their targets.",
                "Earlier treatment.",
                "Fewer admissions.",
                "Better understanding of the pathway.",
                *(["yes", ""] * 6),
                "The service continues.",
                lessons,
                p.outcome_summary,
                p.lead if published_final else None,
                p.closed_at,
                utc(p.end),
                p.closed_at or utc(p.end),
            )
        )
        if published_final:
            self.rows[Lesson].append(
                (
                    self.ids[Lesson].take(),
                    p.pk,
                    "final",
                    fpk,
                    None,
                    "",
                    "",
                    lessons,
                    p.title,
                    p.closed_at,
                )
            )
            self.transition(
                p,
                p.lead,
                p.closed_at,
                "close",
                "Closed",
                "completed",
                "closed",
            )
