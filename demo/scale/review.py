"""The review of each submitted project in the national-scale data set: everyone's
declarations, the four gates with the panel's sign-offs, and the decision."""

import datetime

from governance.gates import GATES
from governance.models import ConflictManagement, Declaration, Gate, Interest, Review, SignOff
from partnerships.models import Project

S = Project.Status
GATE_KINDS = [g.kind for g in GATES]
CRITERIA = {g.kind: [c.key for c in g.criteria] for g in GATES}


class ReviewRows:
    """The review's rows, for the project builder (demo.scale.projects)."""

    def declarations(self, p) -> None:
        """The team's and the panel's declarations, and how any interest was managed."""
        # The review: four gates, the panel's sign-offs and everyone's declarations.
        panel = self.cast.panel[p.icb.pk]
        self.rows[Review].append(
            (self.ids[Review].take(), p.pk, self.cast.panel_ids[p.icb.pk], False, p.submitted_at)
        )
        team = (
            (p.lead, Declaration.Role.TEAM_MEMBER),
            (p.deputy, Declaration.Role.TEAM_MEMBER),
            (p.industry, Declaration.Role.TEAM_MEMBER),
        )
        # The first two panel members always declare a nil return, so that every gate has
        # two eligible reviewers (DESIGN rule 6); the others may have an interest, or (while
        # the project is submitted) not have declared yet.
        always = set(panel[:2])
        p.eligible, p.undeclared = [], False
        for offset, (person, role) in enumerate(
            team + tuple((p, Declaration.Role.REVIEWER) for p in panel)
        ):
            at = p.submitted_at + datetime.timedelta(hours=offset + 1)
            reviewer = role == Declaration.Role.REVIEWER
            if (
                p.status == S.SUBMITTED
                and reviewer
                and self.rng.random() < 0.4
                and person not in always
            ):
                p.undeclared = True
                continue  # some reviewers have not declared yet
            dpk = self.ids[Declaration].take()
            interest = self.rng.random() < 0.03 and not (reviewer and person in always)
            if reviewer and not interest:
                p.eligible.append(person)
            self.rows[Declaration].append((dpk, person, p.pk, role, not interest, at, None, at))
            self.audit.add(
                at,
                person,
                self.cast.emails[person],
                "declaration.record",
                "governance.declaration",
                dpk,
                f"Declaration for {p.label}",
                {},
                {"nil_return": not interest},
            )
            if interest:
                ipk = self.ids[Interest].take()
                self.rows[Interest].append(
                    (
                        ipk,
                        dpk,
                        "non_financial_professional",
                        "consultancy",
                        f"Advisory board on {p.condition}",
                        p.partners[0].name,
                        p.created,
                        None,
                        p.created,
                    )
                )
                self.rows[ConflictManagement].append(
                    (
                        self.ids[ConflictManagement].take(),
                        ipk,
                        "Excluded from the discussion and the decision",
                        True,
                        panel[-1],
                        at,
                    )
                )
        p.panel = panel

    def gates(self, p) -> None:
        """The four gates and the panel's sign-offs, as far as the project's status goes."""
        rejected_kind = self.rng.choice(GATE_KINDS) if p.status == S.REJECTED else None
        changes_kind = self.rng.choice(GATE_KINDS) if p.status == S.CHANGES_REQUESTED else None
        for g, kind in enumerate(GATE_KINDS):
            gpk = self.ids[Gate].take()
            # Only eligible reviewers sign off: on the panel, declared, with no interest.
            drawn = [r for r in p.panel if self.rng.random() < 0.9]
            reviewers = [r for r in drawn if r in p.eligible][:3]
            if len(reviewers) < 2:
                reviewers = p.eligible[:2]
            if p.status == S.SUBMITTED:
                gstatus = self.rng.choice(
                    (Gate.Status.PENDING, Gate.Status.IN_REVIEW, Gate.Status.APPROVED)
                )
                decisions = {
                    Gate.Status.PENDING: [],
                    Gate.Status.IN_REVIEW: ["approve"],
                    Gate.Status.APPROVED: ["approve", "approve"],
                }[gstatus]
                if kind == Gate.Kind.CONFLICTS and p.undeclared and decisions == ["approve"] * 2:
                    # Not approved while anyone on the panel has not declared.
                    gstatus, decisions = Gate.Status.IN_REVIEW, ["approve"]
                opened = p.submitted_at
            else:
                opened = p.submitted_at
                if kind == rejected_kind:
                    gstatus, decisions = Gate.Status.REJECTED, ["reject"]
                elif kind == changes_kind:
                    gstatus, decisions = Gate.Status.CHANGES_REQUESTED, ["request_changes"]
                elif p.status in (S.REJECTED, S.CHANGES_REQUESTED):
                    gstatus = self.rng.choice((Gate.Status.APPROVED, Gate.Status.IN_REVIEW))
                    decisions = (
                        ["approve", "approve"] if gstatus == Gate.Status.APPROVED else ["approve"]
                    )
                else:
                    gstatus, decisions = Gate.Status.APPROVED, ["approve", "approve"]
            round_ = 1
            if gstatus == Gate.Status.APPROVED and self.rng.random() < 0.2:
                decisions = ["request_changes", *decisions]
            gate_decided = None
            for d, decision in enumerate(decisions):
                reviewer = reviewers[d % len(reviewers)]
                if d == 1 and decisions[0] == "request_changes":
                    round_ = 2
                at = opened + datetime.timedelta(days=d + 1, hours=g)
                gate_decided = at
                self.rows[SignOff].append(
                    (
                        self.ids[SignOff].take(),
                        gpk,
                        reviewer,
                        round_,
                        decision,
                        "" if decision == "approve" else "Please say more about the exit strategy.",
                        {k: {"met": decision == "approve", "comment": ""} for k in CRITERIA[kind]},
                        False,
                        at,
                    )
                )
                self.audit.add(
                    at,
                    reviewer,
                    self.cast.emails[reviewer],
                    "gate.sign_off",
                    "governance.gate",
                    gpk,
                    f"{kind} gate of {p.label}",
                    {},
                    {"decision": decision, "round": round_},
                )
            final = gstatus in (
                Gate.Status.APPROVED,
                Gate.Status.REJECTED,
                Gate.Status.CHANGES_REQUESTED,
            )
            self.rows[Gate].append(
                (
                    gpk,
                    p.pk,
                    kind,
                    gstatus,
                    round_,
                    opened,
                    gate_decided if final else None,
                    "0" * 64 if gstatus == Gate.Status.APPROVED else "",
                    gate_decided or opened,
                )
            )

    def decide(self, p) -> bool:
        """The panel's decision; True when the project was approved and goes on to start."""
        if p.status in (S.SUBMITTED,):
            return False
        if p.status in (S.REJECTED, S.CHANGES_REQUESTED):
            action = "reject" if p.status == S.REJECTED else "request_changes"
            self.transition(
                p,
                p.panel[-1],
                p.decided,
                action,
                S(p.status).label,
                "submitted",
                p.status,
            )
            return False
        if p.status == S.WITHDRAWN:
            self.transition(
                p,
                p.lead,
                p.decided,
                "withdraw",
                "Withdrawn",
                "submitted",
                p.status,
            )
            return False
        self.transition(
            p,
            None,
            p.decided,
            "approve",
            "Approved",
            "submitted",
            "approved",
        )
        return p.status != S.APPROVED  # approved and not yet started: nothing more
