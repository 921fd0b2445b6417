"""The project lifecycle of DESIGN.md, as one transition table.

draft → submitted → (changes_requested ↔ submitted) → approved → active → completed → closed,
with withdrawn (by the proposer, before approval) and rejected (by the panel) as ends.
"""

from dataclasses import dataclass

from partnerships.models import Project

S = Project.Status


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: frozenset
    target: str
    by: str  # "team": the project lead or deputy; "panel": the lead ICB's governance panel
    reason_required: bool = False


TRANSITIONS = {
    t.action: t
    for t in (
        Transition(
            "submit", "Submitted", frozenset({S.DRAFT, S.CHANGES_REQUESTED}), S.SUBMITTED, "team"
        ),
        Transition(
            "request_changes",
            "Changes requested",
            frozenset({S.SUBMITTED}),
            S.CHANGES_REQUESTED,
            "panel",
            reason_required=True,
        ),
        Transition("approve", "Approved", frozenset({S.SUBMITTED}), S.APPROVED, "panel"),
        Transition(
            "reject",
            "Rejected",
            frozenset({S.SUBMITTED}),
            S.REJECTED,
            "panel",
            reason_required=True,
        ),
        Transition(
            "withdraw",
            "Withdrawn",
            frozenset({S.DRAFT, S.SUBMITTED, S.CHANGES_REQUESTED}),
            S.WITHDRAWN,
            "team",
            reason_required=True,
        ),
        Transition("activate", "Started", frozenset({S.APPROVED}), S.ACTIVE, "team"),
        Transition("complete", "Delivery completed", frozenset({S.ACTIVE}), S.COMPLETED, "team"),
        Transition("close", "Closed", frozenset({S.COMPLETED}), S.CLOSED, "team"),
    )
}


def allowed_actions(status: str) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if status in t.sources]


# What happens next, and who must act, for the status page.
NEXT_STEP = {
    S.DRAFT: ("Complete every section of the proposal, then submit it.", "The project lead"),
    S.SUBMITTED: (
        "The governance panel reviews the four gates.",
        "The lead ICB's governance panel",
    ),
    S.CHANGES_REQUESTED: (
        "Answer the panel's comments, change the proposal and resubmit it.",
        "The project lead",
    ),
    S.APPROVED: (
        "Publish the executive summary, upload the signed agreement, and start on the start date.",
        "The project lead",
    ),
    S.ACTIVE: ("Deliver the project and report outcomes on schedule.", "The project team"),
    S.COMPLETED: ("Publish the final report and its outcome summary.", "The project lead"),
    S.CLOSED: ("Nothing: the project is closed.", "Nobody"),
    S.WITHDRAWN: ("Nothing: the proposal was withdrawn.", "Nobody"),
    S.REJECTED: ("Nothing: the panel rejected the proposal.", "Nobody"),
}
