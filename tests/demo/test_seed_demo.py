import io

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings

from accounts.models import Membership, Organisation, User
from audit.models import AuditEvent
from demo import people as demo
from demo.governance import CONFLICT_PROJECT, CONFLICTED
from demo.planted import PLANTED_BREACHES, PLANTED_TITLE
from governance.gates import GATES_BY_KIND
from governance.models import (
    ConflictManagement,
    Declaration,
    Gate,
    Interest,
    Panel,
    PanelMember,
    Review,
    RouteChange,
    SignOff,
)
from governance.selectors.declarations import annual_declaration_due, declaration_status_for_project
from governance.selectors.gates import default_panel, eligibility
from governance.services.gates import SignOffRefused, gate_sign_off
from partnerships.models import OutcomeMeasure, Project
from partnerships.sections import measure_problems

DIABETES = "Improving outcomes for people with diabetes after acute coronary syndrome"
MD5_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"
KIDNEY = "Finding undiagnosed chronic kidney disease in primary care"
HEART_FAILURE = "Finding people with undiagnosed heart failure in the community"
OSTEOPOROSIS = "Improving the diagnosis of osteoporosis after a fragility fracture"
HEP_C_TESTING = "Hepatitis C testing in needle and syringe programmes"


def snapshot():
    return (
        sorted(
            Organisation.objects.values_list("name", "kind", "ods_code", "partnership_lead__email")
        ),
        sorted(User.objects.values_list("email", "password")),
        sorted(Membership.objects.values_list("user__email", "organisation__name", "role")),
        Authenticator.objects.count(),
        sorted(Panel.objects.values_list("organisation__name", "name", "quorum", "is_default")),
        sorted(PanelMember.objects.values_list("panel__name", "user__email", "is_chair")),
        sorted(Project.objects.values_list("title", "status", "reference")),
        sorted(Gate.objects.values_list("project__title", "kind", "status", "round")),
        sorted(Review.objects.values_list("project__title", "panel__name", "low_risk")),
        SignOff.objects.count(),
        Declaration.objects.count(),
        Interest.objects.count(),
        ConflictManagement.objects.count(),
        RouteChange.objects.count(),
        AuditEvent.objects.count(),
    )


def test_seed_demo_twice_changes_nothing(db, capsys):
    call_command("seed_demo")
    first = snapshot()
    call_command("seed_demo")
    assert snapshot() == first
    assert "(0 new records)" in capsys.readouterr().out


def test_seed_demo_is_refused_when_demo_data_is_off(db, settings):
    settings.PORTAL_DEMO = False
    with pytest.raises(CommandError, match="known passwords"):
        call_command("seed_demo")


@pytest.fixture(scope="class")
def seeded(django_db_setup, django_db_blocker):
    """The demo, loaded once for the tests that only read it, and rolled back after them."""
    fast_hashing = override_settings(PASSWORD_HASHERS=[MD5_HASHER])  # as the tests verify
    with django_db_blocker.unblock(), transaction.atomic():
        with fast_hashing:
            call_command("seed_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.mark.usefixtures("seeded", "db")
class TestTheDemo:
    def test_the_compliance_check_finds_only_the_planted_breaches(self):
        """Every project keeps the rules on the day the demo is loaded, but the one whose
        title says it breaks them on purpose, for the auditors' compliance page."""
        from compliance.services.check import compliance_check

        found = {(b.title, b.code) for b in compliance_check()}
        assert found == PLANTED_BREACHES

    def test_the_started_projects_history_is_dated_before_their_start(self):
        from governance.models import Gate as G

        for title in (HEART_FAILURE, OSTEOPOROSIS, HEP_C_TESTING):
            project = Project.objects.get(title=title)
            published = project.summary_published_at.date()
            assert published < project.start_date
            decided = G.objects.filter(project=project).values_list("decided_at", flat=True)
            assert all(d.date() < project.start_date for d in decided)

    def test_demo_has_the_case_study_partners_and_every_role(self):
        names = set(Organisation.objects.values_list("name", flat=True))
        for expected in (
            "NHS Lincolnshire Integrated Care Board",
            "Boehringer Ingelheim",
            "NHS Addictions Provider Alliance",
            "Gilead Sciences",
            "NHS Greater Manchester Integrated Care Board",
            "AstraZeneca",
            "NHS Lancashire and South Cumbria Integrated Care Board",
            "Sanofi",
        ):
            assert expected in names
        roles = set(Membership.objects.values_list("role", flat=True))
        assert roles == set(Membership.Role.values)
        assert User.objects.get(email="admin@portal.example").is_superuser

    def test_every_demo_role_signs_in_within_the_printed_instructions(self, client):
        for _role, email in demo.SIGN_IN_LIST:
            client.logout()
            response = client.post(
                "/accounts/login/", {"login": email, "password": demo.DEMO_PASSWORD}
            )
            assert response.status_code == 302, email
            if response["Location"] == "/accounts/2fa/authenticate/":
                response = client.post(response["Location"], {"code": demo.current_totp_code()})
                assert response.status_code == 302, email
            assert client.get("/").status_code == 200, email

    def test_demo_has_the_case_study_projects_and_three_more_in_every_state(self):
        states = dict(Project.objects.values_list("title", "status"))
        assert states == {
            DIABETES: "approved",
            "Eliminating hepatitis C among people in contact with drug and alcohol services": (
                "submitted"
            ),
            "Improving asthma care": "changes_requested",
            "Improving the front-end skin cancer pathway": "draft",
            KIDNEY: "approved",
            "A nurse-led clinic for people starting insulin": "rejected",
            CONFLICT_PROJECT: "submitted",
            HEART_FAILURE: "active",
            OSTEOPOROSIS: "completed",
            HEP_C_TESTING: "closed",
            PLANTED_TITLE: "active",
        }
        partners = set(Project.objects.values_list("title", "partners__organisation__name"))
        assert ("Improving asthma care", "AstraZeneca") in partners
        assert ("Improving the front-end skin cancer pathway", "Sanofi") in partners
        submitted = Project.objects.exclude(status="draft")
        assert all(p.reference and p.reference.startswith("CW-") for p in submitted)

    def test_delivery_outcome_reports_final_reports_and_lessons(self, client):
        from outcomes.models import FinalReport, Lesson, OutcomeReport

        active = Project.objects.get(title=HEART_FAILURE)
        statuses = list(active.outcome_reports.values_list("status", flat=True))
        assert statuses == ["submitted", "submitted", "draft"]
        assert OutcomeReport.objects.filter(project=active, issues__isnull=False).exists()
        assert OutcomeReport.objects.filter(project=active, comments__isnull=False).exists()
        completed = Project.objects.get(title=OSTEOPOROSIS)
        assert completed.final_report.status == FinalReport.Status.DRAFT
        assert completed.outcome_summary_published_at is None
        closed = Project.objects.get(title=HEP_C_TESTING)
        assert closed.final_report.status == FinalReport.Status.PUBLISHED
        assert "22% to 62%" in closed.outcome_summary
        sources = set(Lesson.objects.values_list("project__title", "source"))
        assert (HEP_C_TESTING, "final") in sources and (HEART_FAILURE, "report") in sources
        # The register shows the outcome summary; the deadline of the one awaiting it.
        page = client.get(f"/register/{closed.reference}/")
        assert "22% to 62% of clients" in page.content.decode()
        page = client.get(f"/register/{completed.reference}/")
        deadline = f"{completed.final_report_deadline:%-d %B %Y}"
        assert f"outcome summary is due to be published by {deadline}".encode() in page.content

    def test_every_nhs_lead_organisation_has_a_panel_with_a_chair_and_two_members(self):
        leads = Organisation.objects.filter(led_projects__isnull=False).distinct()
        assert leads.count() == 4
        for organisation in leads:
            panel = default_panel(organisation.pk)
            assert panel is not None, organisation
            seats = list(PanelMember.objects.filter(panel=panel).select_related("user"))
            assert sum(s.is_chair for s in seats) == 1, organisation
            assert sum(not s.is_chair for s in seats) >= 2, organisation
            for seat in seats:
                role = "panel_chair" if seat.is_chair else "panel_member"
                assert seat.user.memberships.filter(organisation=organisation, role=role).exists()
                assert Authenticator.objects.filter(user=seat.user, type="totp").exists()
        # Every submitted project is reviewed by its lead organisation's panel.
        for review in Review.objects.select_related("project", "panel"):
            assert review.panel.organisation_id == review.project.lead_organisation_id
        # The six people of the sign-in list are unchanged.
        assert [email for _role, email in demo.SIGN_IN_LIST] == [
            "lead@lincolnshire-icb.example",
            "industry@boehringer.example",
            "panel@lincolnshire-icb.example",
            "chair@lincolnshire-icb.example",
            "auditor@audit.example",
            "admin@portal.example",
        ]
        chair = PanelMember.objects.get(user__email="chair@lincolnshire-icb.example")
        assert chair.is_chair

    def test_every_objective_has_outcome_measures_before_submission(self):
        """DESIGN rule 5 holds in the demo: every project that was submitted has a complete
        measure for each objective; the draft shows a measure still being written."""
        for project in Project.objects.prefetch_related("objectives", "measures"):
            problems = measure_problems(project)
            if project.status == "draft":
                assert problems == [
                    "the outcome measure “Urgent skin cancer referrals triaged by "
                    "teledermatology” has no baseline value, baseline date or data source"
                ]
            else:
                assert problems == [], project.title
                assert len(project.measures.all()) == len(project.objectives.all())
        admissions = OutcomeMeasure.objects.get(name="Emergency admissions for asthma")
        assert admissions.baseline_date.year == 2020  # what the panel asks to bring up to date

    def test_every_gate_state_appears_and_each_decision_was_a_real_sign_off(self):
        assert set(Gate.objects.values_list("status", flat=True)) == set(Gate.Status.values)
        changes = SignOff.objects.get(decision="request_changes")
        assert changes.gate.project.title == "Improving asthma care"
        assert changes.gate.status == "changes_requested"
        assert "baseline" in changes.comment
        rejection = SignOff.objects.get(decision="reject")
        assert rejection.gate.project.status == "rejected"
        assert rejection.gate.status == "rejected"
        assert rejection.comment
        assert rejection.reviewer.email == "chair@lincolnshire-icb.example"
        # The submitted case study: one gate approved, one in review, two awaiting review.
        hep_c = Project.objects.get(title__startswith="Eliminating hepatitis C")
        assert sorted(hep_c.gates.values_list("status", flat=True)) == [
            "approved",
            "in_review",
            "pending",
            "pending",
        ]

    def test_the_approved_project_has_two_eligible_approvals_on_every_gate(self):
        project = Project.objects.get(title=DIABETES)
        assert not project.review.low_risk
        gates = list(project.gates.all())
        assert len(gates) == 4
        for gate in gates:
            assert gate.status == "approved"
            approvals = gate.sign_offs.filter(decision="approve", round=gate.round)
            reviewers = {s.reviewer for s in approvals}
            assert len(approvals) == 2 and len(reviewers) == 2, gate
            for reviewer in reviewers:
                assert eligibility(reviewer, project).eligible, reviewer
            for sign_off in approvals:
                assert set(sign_off.criteria) == {c.key for c in GATES_BY_KIND[gate.kind].criteria}
        # The second project on the register went the low-risk route the chair chose.
        kidney = Project.objects.get(title=KIDNEY)
        change = RouteChange.objects.get(review__project=kidney)
        assert change.low_risk and change.reason
        assert change.changed_by.email == "chair@lincolnshire-icb.example"
        assert all(g.sign_offs.filter(decision="approve").count() == 1 for g in kidney.gates.all())

    def test_the_register_shows_the_approved_and_later_projects(self, client):
        response = client.get("/register/")
        assert response.status_code == 200
        page = response.content.decode()
        published = Project.objects.filter(status__in=["approved", "active", "completed", "closed"])
        assert published.count() == 6  # five, and the planted breaches
        for project in published:
            assert project.summary_published_at is not None
            assert project.title in page
        for project in Project.objects.exclude(pk__in=published):
            assert project.title not in page

    def test_the_conflicted_panel_member_is_refused_for_the_conflict(self):
        project = Project.objects.get(title=CONFLICT_PROJECT)
        assert project.status == "submitted"
        member = User.objects.get(email=CONFLICTED)
        interest = Interest.objects.get(declaration__person=member, declaration__project=project)
        assert interest.category == "financial" and interest.interest_type == "shareholding"
        assert interest.management.excludes_from_decision
        assert interest.management.recorded_by.email == "chair@lincolnshire-icb.example"
        assert eligibility(member, project).problems == [
            "you have declared an interest in this project"
        ]
        gate = project.gates.get(kind="shared_purpose")
        answers = {c.key: {"met": True} for c in GATES_BY_KIND[gate.kind].criteria}
        with pytest.raises(SignOffRefused, match="declared an interest"):
            gate_sign_off(gate=gate, decision="approve", criteria=answers, actor=member)
        # The rest of the panel may review it, and it is in their queue.
        for email in ("panel@lincolnshire-icb.example", "chair@lincolnshire-icb.example"):
            assert eligibility(User.objects.get(email=email), project).eligible
        # The same member reviewed another project, where he has no conflict.
        assert SignOff.objects.filter(reviewer=member, gate__project__title=DIABETES).count() == 4

    def test_everyone_declared_and_one_annual_declaration_is_due(self):
        for project in Project.objects.exclude(status="draft"):
            rows = declaration_status_for_project(project)
            assert len(rows) >= 6, project  # lead, deputy, industry member and three on the panel
            assert all(row.declared for row in rows), project
        assert Interest.objects.filter(declaration__project__isnull=False).count() == 1
        panel_people = User.objects.filter(panel_memberships__isnull=False).distinct()
        due = [u.email for u in panel_people if annual_declaration_due(u)]
        assert due == ["panel@lincolnshire-icb.example"]
