"""The demo's governance, built through the real services: each NHS lead organisation's
panel, declarations of interest (one conflict, managed by excluding the member), and the
sign-offs that take each submitted demo project to its state.

Every person, interest, comment and reason is illustrative demo content.
"""

from datetime import date

from django.utils import timezone

from accounts.models import Organisation, User
from demo.planted import PLANTED_TITLE
from governance.gates import GATES_BY_KIND
from governance.models import Declaration, Gate, PanelMember, Review
from governance.selectors.declarations import declarable_role, declaration_status_for_project
from governance.selectors.gates import default_panel
from governance.services.declarations import conflict_manage, declaration_record
from governance.services.gates import (
    gate_sign_off,
    review_route_set,
)
from governance.services.panels import panel_create, panel_member_add
from partnerships.models import Project

ADMIN = "admin@portal.example"

# Organisation: (panel name, chair, members).
PANELS = {
    "NHS Lincolnshire Integrated Care Board": (
        "Lincolnshire collaborative working panel",
        "chair@lincolnshire-icb.example",
        ["panel@lincolnshire-icb.example", "panel2@lincolnshire-icb.example"],
    ),
    "NHS Greater Manchester Integrated Care Board": (
        "Greater Manchester industry partnerships panel",
        "chair@gm-icb.example",
        ["panel@gm-icb.example", "panel2@gm-icb.example"],
    ),
    "NHS Lancashire and South Cumbria Integrated Care Board": (
        "Lancashire and South Cumbria joint working panel",
        "chair@lsc-icb.example",
        ["panel@lsc-icb.example", "panel2@lsc-icb.example"],
    ),
    "NHS Addictions Provider Alliance": (
        "Addictions Provider Alliance governance panel",
        "chair@nhs-apa.example",
        ["panel@nhs-apa.example", "panel2@nhs-apa.example"],
    ),
}

# Left without this year's annual declaration, so the annual reminder has someone to remind:
# the panel member of the sign-in list, whose declarations page then shows it as due.
ANNUAL_DECLARATION_LEFT_DUE = "panel@lincolnshire-icb.example"

# The one declared conflict: a Lincolnshire panel member holds shares in the company of the
# submitted COPD project. The chair excludes him from the decision, so the portal refuses
# his sign-off there (and nowhere else).
CONFLICT_PROJECT = "Supporting people with COPD after a hospital admission"
CONFLICTED = "panel2@lincolnshire-icb.example"
SHAREHOLDING = {
    "category": "financial",
    "interest_type": "shareholding",
    "description": "Holds ordinary shares in AstraZeneca through a personal investment account "
    "(illustrative demo content).",
    "organisation_name": "AstraZeneca",
    "start_date": date(2018, 3, 1),
    "became_aware_on": date(2018, 3, 1),
}
EXCLUSION = (
    "Excluded from reviewing and signing off this project's gates, and leaves the meeting "
    "while the panel discusses it."
)

# How each submitted demo project's review went: the route, then the sign-offs in order,
# each (gate, reviewer, decision, comment, {criterion answered no: why}).
APPROVE, CHANGES, REJECT = "approve", "request_changes", "reject"
ALL_GATES = ("shared_purpose", "outcome_measures", "conflicts", "transparency")
LINCS = ("panel@lincolnshire-icb.example", "panel2@lincolnshire-icb.example")
REVIEWS = {
    # Approved on the standard route; its breaches come after (demo/planted.py).
    PLANTED_TITLE: {
        "sign_offs": [(g, who, APPROVE, "", {}) for g in ALL_GATES for who in LINCS],
    },
    # Approved on the standard route: two eligible panel members approve every gate.
    "Improving outcomes for people with diabetes after acute coronary syndrome": {
        "sign_offs": [(g, who, APPROVE, "", {}) for g in ALL_GATES for who in LINCS],
    },
    # In review: one gate approved, one with one approval of two, two awaiting review.
    "Eliminating hepatitis C among people in contact with drug and alcohol services": {
        "sign_offs": [
            ("shared_purpose", "panel@nhs-apa.example", APPROVE, "", {}),
            ("shared_purpose", "chair@nhs-apa.example", APPROVE, "", {}),
            ("outcome_measures", "panel2@nhs-apa.example", APPROVE, "", {}),
        ],
    },
    # Changes requested on one gate after another was approved.
    "Improving asthma care": {
        "sign_offs": [
            ("shared_purpose", "panel@gm-icb.example", APPROVE, "", {}),
            ("shared_purpose", "chair@gm-icb.example", APPROVE, "", {}),
            (
                "outcome_measures",
                "panel2@gm-icb.example",
                CHANGES,
                "Please base the admissions measure's baseline on the latest 12 months: the one "
                "given is for the year to March 2020, before the pandemic changed admissions.",
                {"measures": "The admissions measure's baseline is out of date."},
            ),
        ],
    },
    # Approved on the low-risk route the chair chose: one approval per gate.
    "Finding undiagnosed chronic kidney disease in primary care": {
        "low_risk": "An audit of existing GP records with modest contributions and no new "
        "service: the lighter route is proportionate.",
        "sign_offs": [
            ("shared_purpose", LINCS[0], APPROVE, "", {}),
            ("outcome_measures", LINCS[0], APPROVE, "", {}),
            ("conflicts", LINCS[1], APPROVE, "", {}),
            ("transparency", LINCS[1], APPROVE, "", {}),
        ],
    },
    # Rejected by the chair on the shared purpose gate, with the reason.
    "A nurse-led clinic for people starting insulin": {
        "sign_offs": [
            ("outcome_measures", LINCS[0], APPROVE, "", {}),
            (
                "shared_purpose",
                "chair@lincolnshire-icb.example",
                REJECT,
                "The ICB already commissions insulin starts from its diabetes specialist "
                "nursing service in every locality: the clinic would duplicate a commissioned "
                "service rather than answer an unmet population need.",
                {"population_need": "The need is already met by a commissioned service."},
            ),
        ],
    },
    # Awaiting review, with the conflicted member excluded.
    CONFLICT_PROJECT: {"sign_offs": []},
    # Approved on the standard route, then delivered (demo/outcomes.py).
    "Finding people with undiagnosed heart failure in the community": {
        "sign_offs": [
            (g, who, APPROVE, "", {})
            for g in ALL_GATES
            for who in ("panel@gm-icb.example", "panel2@gm-icb.example")
        ],
    },
    "Improving the diagnosis of osteoporosis after a fragility fracture": {
        "sign_offs": [
            (g, who, APPROVE, "", {})
            for g in ALL_GATES
            for who in ("panel@lsc-icb.example", "chair@lsc-icb.example")
        ],
    },
    "Hepatitis C testing in needle and syringe programmes": {
        "sign_offs": [
            (g, who, APPROVE, "", {})
            for g in ALL_GATES
            for who in ("panel@nhs-apa.example", "panel2@nhs-apa.example")
        ],
    },
}


def _user(email: str) -> User:
    return User.objects.get(email=email)


def seed_panels() -> int:
    """Each NHS lead organisation's default panel, its chair and members (set up by the
    administrator, so the audit trail names them)."""
    admin = _user(ADMIN)
    created = 0
    for organisation_name, (name, chair, members) in PANELS.items():
        organisation = Organisation.objects.get(name=organisation_name)
        panel = default_panel(organisation.pk)
        if panel is None:
            panel = panel_create(organisation=organisation, name=name, actor=admin)
            created += 1
        seated = set(PanelMember.objects.filter(panel=panel).values_list("user__email", "is_chair"))
        for email, is_chair in [(chair, True)] + [(m, False) for m in members]:
            if (email, is_chair) not in seated:
                panel_member_add(panel=panel, user=_user(email), is_chair=is_chair, actor=admin)
                created += 1
    return created


def _chair(project: Project) -> User:
    review = Review.objects.select_related("panel").get(project=project)
    return PanelMember.objects.get(panel=review.panel, is_chair=True).user


def _declare(project: Project) -> int:
    """Everyone on the team and the panel declares: nil returns, but for the one conflict,
    which the chair manages by excluding the member from the decision."""
    created = 0
    for row in declaration_status_for_project(project):
        if row.declared:
            continue
        person = row.person
        conflict = project.title == CONFLICT_PROJECT and person.email == CONFLICTED
        declaration = declaration_record(
            person=person,
            project=project,
            role=declarable_role(person, project),
            nil_return=not conflict,
            interests=[SHAREHOLDING] if conflict else [],
            actor=person,
        )
        created += 1
        if conflict:
            conflict_manage(
                interest=declaration.interests.get(),
                action=EXCLUSION,
                excludes_from_decision=True,
                actor=_chair(project),
            )
            created += 1
    return created


def _answers(kind: str, *, low_risk: bool, unmet: dict) -> dict:
    return {
        c.key: {"met": c.key not in unmet, "comment": unmet.get(c.key, "")}
        for c in GATES_BY_KIND[kind].criteria_for(low_risk=low_risk)
    }


def seed_review(*, project: Project, state: str) -> int:
    """Take a just-submitted demo project to ``state`` through declarations, the chair's
    choice of route and the panel's sign-offs."""
    created = _declare(project)
    plan = REVIEWS[project.title]
    low_risk = "low_risk" in plan
    if low_risk:
        review_route_set(
            project=project, low_risk=True, reason=plan["low_risk"], actor=_chair(project)
        )
    for kind, email, decision, comment, unmet in plan["sign_offs"]:
        gate_sign_off(
            gate=Gate.objects.get(project=project, kind=kind),
            decision=decision,
            comment=comment,
            criteria=_answers(kind, low_risk=low_risk, unmet=unmet),
            actor=_user(email),
        )
        created += 1
    project.refresh_from_db(fields=["status"])
    if project.status != state:
        raise RuntimeError(f"Demo project {project.title!r} ended {project.status}, not {state}")
    return created


def seed_annual_declarations() -> int:
    """This year's annual declaration for every panel member but one; the conflicted member
    declares his shareholding there too, and his chair records its management."""
    created = 0
    year = timezone.localdate().year
    for _name, chair, members in PANELS.values():
        for email in [chair, *members]:
            if email == ANNUAL_DECLARATION_LEFT_DUE:
                continue
            person = _user(email)
            if Declaration.objects.filter(person=person, project=None, year=year).exists():
                continue
            conflict = email == CONFLICTED
            declaration = declaration_record(
                person=person,
                role="decision_maker" if email == chair else "reviewer",
                nil_return=not conflict,
                interests=[SHAREHOLDING] if conflict else [],
                actor=person,
            )
            created += 1
            if conflict:
                conflict_manage(
                    interest=declaration.interests.get(),
                    action="Declared on the register. Excluded from reviewing any AstraZeneca "
                    "project.",
                    excludes_from_decision=True,
                    actor=_user(chair),
                )
                created += 1
    return created
