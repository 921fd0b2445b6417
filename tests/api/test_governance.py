"""Gates and sign-off, declarations and the public register through the API."""

import datetime

import pytest
from allauth.mfa.models import Authenticator

from governance.gates import GATES_BY_KIND
from governance.models import Declaration, Gate, SignOff
from partnerships.models import Project
from partnerships.services.projects import project_transition
from tests.api.conftest import ROLES, declare_nil, error_code


def criteria(kind, met=True):
    return {
        c.key: {"met": met, "comment": "" if met else "Not shown"}
        for c in GATES_BY_KIND[kind].criteria_for(low_risk=False)
    }


@pytest.fixture
def submitted(ready_proposal, partnership_lead, deputy, industry_member, panel_member, panel_chair):
    for person in (partnership_lead, deputy, industry_member, panel_member, panel_chair):
        declare_nil(person, ready_proposal)
    return project_transition(project=ready_proposal, action="submit", actor=partnership_lead)


def gate_url(project, kind="shared_purpose"):
    return f"/api/v1/projects/{project.pk}/gates/{kind}/"


def test_gates_for_each_role(request, api, submitted):
    for who in [*ROLES, "outsider"]:
        client = api(request.getfixturevalue(who), scope="read")
        listing = client.get(f"/api/v1/projects/{submitted.pk}/gates/")
        detail = client.get(gate_url(submitted))
        if who == "outsider":
            assert listing.status_code == detail.status_code == 404
            continue
        assert [g["kind"] for g in listing.json()] == list(Gate.Kind.values), who
        data = detail.json()
        assert data["status"] == "pending"
        assert [c["key"] for c in data["criteria"]] == [
            c.key for c in GATES_BY_KIND["shared_purpose"].criteria
        ]
        assert data["can_sign_off"] is (who in ("panel_member", "panel_chair")), who


def test_an_unknown_or_unopened_gate_is_404(api, ready_proposal, partnership_lead):
    client = api(partnership_lead)
    assert client.get(gate_url(ready_proposal, "nonsense")).status_code == 404
    assert client.get(gate_url(ready_proposal)).status_code == 404  # not submitted yet


def test_a_panel_member_signs_off_and_the_gate_follows_the_rule(
    api, submitted, panel_member, panel_chair
):
    for reviewer in (panel_member, panel_chair):
        response = api(reviewer).post(
            gate_url(submitted) + "sign-off/",
            {"decision": "approve", "criteria": criteria("shared_purpose")},
            format="json",
        )
        assert response.status_code == 201, response.json()
    data = response.json()
    assert data["status"] == "approved"
    assert [so["decision"] for so in data["sign_offs"]] == ["approve", "approve"]
    assert SignOff.objects.filter(gate__kind="shared_purpose").count() == 2


def test_sign_off_needs_two_factor_authentication_with_a_token(api, submitted, panel_member):
    client = api(panel_member)
    Authenticator.objects.filter(user=panel_member, type=Authenticator.Type.TOTP).delete()
    response = client.post(
        gate_url(submitted) + "sign-off/",
        {"decision": "approve", "criteria": criteria("shared_purpose")},
        format="json",
    )
    assert response.status_code == 403
    assert error_code(response) == "mfa_required"
    assert not SignOff.objects.exists()


def test_sign_off_errors(api, submitted, panel_member, partnership_lead, auditor, outsider):
    url = gate_url(submitted) + "sign-off/"
    body = {"decision": "approve", "criteria": criteria("shared_purpose")}
    assert api(outsider).post(url, body, format="json").status_code == 404
    lead = api(partnership_lead).post(url, body, format="json")
    assert lead.status_code == 403
    assert (
        lead.json()["error"]["message"] == "Only members of the reviewing panel sign off its gates"
    )
    assert api(auditor).post(url, body, format="json").status_code == 403
    reviewer = api(panel_member)
    unanswered = reviewer.post(url, {"decision": "approve", "criteria": {}}, format="json")
    assert unanswered.status_code == 400
    assert unanswered.json()["error"]["message"].startswith("Answer yes or no:")
    no_but_approve = reviewer.post(
        url,
        {"decision": "approve", "criteria": criteria("shared_purpose", met=False)},
        format="json",
    )
    assert no_but_approve.status_code == 400
    assert "You answered no to a criterion" in no_but_approve.json()["error"]["message"]
    reject = reviewer.post(
        url, {"decision": "reject", "criteria": criteria("shared_purpose")}, format="json"
    )
    assert reject.json()["error"]["fields"] == {
        "comment": ["Give the reason for rejecting the proposal"]
    }
    bad = reviewer.post(url, {"decision": "maybe", "criteria": "x"}, format="json")
    assert set(bad.json()["error"]["fields"]) == {"decision", "criteria"}
    assert not SignOff.objects.exists()


def test_a_conflicted_reviewer_is_refused_with_each_reason(api, submitted, panel_member):
    from governance.services.declarations import declaration_record

    declaration_record(
        person=panel_member,
        project=submitted,
        role="reviewer",
        nil_return=False,
        interests=[
            {
                "category": "financial",
                "interest_type": "shareholding",
                "description": "Shares",
                "organisation_name": "Example Pharma UK Ltd",
                "start_date": datetime.date(2020, 1, 1),
                "became_aware_on": datetime.date(2020, 1, 1),
            }
        ],
        actor=panel_member,
    )
    response = api(panel_member).post(
        gate_url(submitted) + "sign-off/",
        {"decision": "approve", "criteria": criteria("shared_purpose")},
        format="json",
    )
    assert response.status_code == 403
    assert error_code(response) == "sign_off_refused"
    assert response.json()["error"]["reasons"] == ["you have declared an interest in this project"]


# Declarations -----------------------------------------------------------------------------


def test_declarations_are_the_callers_own(api, submitted, partnership_lead, panel_member):
    mine = api(partnership_lead).get("/api/v1/declarations/").json()
    assert [d["project"] for d in mine] == [submitted.pk]
    assert {d["nil_return"] for d in mine} == {True}
    assert len(api(panel_member).get("/api/v1/declarations/").json()) == 1


def test_recording_a_declaration(api, ready_proposal, industry_member):
    response = api(industry_member).post(
        "/api/v1/declarations/",
        {
            "project": ready_proposal.pk,
            "nil_return": False,
            "interests": [
                {
                    "category": "non_financial_professional",
                    "interest_type": "employment",
                    "description": "I work for the company",
                    "organisation_name": "Example Pharma UK Ltd",
                    "start_date": "2021-04-01",
                    "became_aware_on": "2021-04-01",
                }
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["role"] == "team_member"
    assert data["interests"][0]["organisation_name"] == "Example Pharma UK Ltd"
    assert Declaration.objects.get(person=industry_member).interests.count() == 1


def test_declaration_errors_name_the_field(api, ready_proposal, partnership_lead, outsider):
    client = api(partnership_lead)
    response = client.post(
        "/api/v1/declarations/",
        {
            "project": ready_proposal.pk,
            "nil_return": False,
            "interests": [{"category": "financial", "end_date": "2020-01-01"}],
        },
        format="json",
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert fields["interests.0.start_date"] == ["Enter the date the interest started"]
    assert fields["interests.0.interest_type"] == ["Select the type of interest"]
    empty = client.post(
        "/api/v1/declarations/", {"project": ready_proposal.pk, "nil_return": False}, format="json"
    )
    assert empty.json()["error"]["message"] == "Enter at least one interest, or make a nil return"
    assert (
        api(outsider)
        .post(
            "/api/v1/declarations/",
            {"project": ready_proposal.pk, "nil_return": True},
            format="json",
        )
        .status_code
        == 404
    )
    annual = client.post("/api/v1/declarations/", {"nil_return": True}, format="json")
    assert annual.status_code == 403
    assert not Declaration.objects.exists()


def test_a_panel_member_makes_the_annual_declaration(api, panel_member):
    response = api(panel_member).post("/api/v1/declarations/", {"nil_return": True}, format="json")
    assert response.status_code == 201
    assert response.json()["project"] is None and response.json()["role"] == "decision_maker"


# The public register ------------------------------------------------------------------------


def test_the_register_is_public_and_shows_only_published_projects(api, approved, draft):
    client = api()
    listing = client.get("/api/v1/register/")
    assert listing.status_code == 200
    assert [e["reference"] for e in listing.json()["results"]] == [approved.reference]
    entry = client.get(f"/api/v1/register/{approved.reference}/").json()
    assert entry["executive_summary"] == approved.executive_summary
    assert {p["organisation"] for p in entry["partners"]} == {
        "NHS Testshire Integrated Care Board",
        "Example Pharma UK Ltd",
    }
    assert client.get("/api/v1/register/CW-1999-0001/").status_code == 404
    assert client.get("/api/v1/register/", {"search": "asthma"}).json()["results"]
    assert client.get("/api/v1/register/", {"search": "zebra"}).json()["results"] == []
    assert client.get("/api/v1/register/", {"year": "99999999999"}).status_code == 400
    Project.objects.filter(pk=approved.pk).update(status=Project.Status.WITHDRAWN)
    assert client.get("/api/v1/register/").json()["results"] == []
