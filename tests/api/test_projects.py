"""Projects through the API, for every role: the same list and detail as the pages, and
writes through the pages' services with their permissions and validation."""

import pytest

from partnerships.models import Project
from partnerships.selectors import projects as selectors
from partnerships.views.projects import filter_projects
from tests.api.conftest import ROLES, error_code
from tests.factories import draft_project


def ids(response) -> list[int]:
    return [p["id"] for p in response.json()["results"]]


@pytest.mark.parametrize("who", [*ROLES, "outsider"])
def test_the_list_is_the_one_the_page_shows(request, api, ready_proposal, icb, who):
    user = request.getfixturevalue(who)
    other = draft_project(
        lead_user=request.getfixturevalue("partnership_lead"), lead_organisation=icb, title="B"
    )
    expected = list(
        selectors.project_list_for(user=user)
        .order_by("-updated_at", "-pk")
        .values_list("pk", flat=True)
    )
    response = api(user, scope="read").get("/api/v1/projects/")
    assert response.status_code == 200
    assert ids(response) == expected
    if who == "outsider":
        assert expected == []
    elif who == "industry_member":
        assert expected == [ready_proposal.pk]  # only what their company is on
    else:
        assert set(expected) == {ready_proposal.pk, other.pk}


def test_filters_agree_with_the_page(api, client, ready_proposal, partnership_lead, icb, company):
    draft_project(lead_user=partnership_lead, lead_organisation=icb, title="Diabetes pathway")
    client.force_login(partnership_lead)
    token = api(partnership_lead)
    for api_params, page_params in [
        ({"search": "asthma"}, {"q": "asthma"}),
        ({"partner": company.pk}, {"partner": company.pk}),
        ({"status": "draft", "lead_organisation": icb.pk}, {"status": "draft", "icb": icb.pk}),
    ]:
        page = client.get("/projects/", page_params)
        page_ids = [p.pk for p in page.context["page"].object_list]
        assert ids(token.get("/api/v1/projects/", api_params)) == page_ids
    assert ids(token.get("/api/v1/projects/", {"search": "diabetes"})) != []
    assert ids(token.get("/api/v1/projects/", {"partner": company.pk})) == [ready_proposal.pk]


def test_bad_filters_and_cursors_are_400_naming_the_problem(api, draft, partnership_lead):
    client = api(partnership_lead)
    bad = client.get("/api/v1/projects/", {"status": "nonsense", "lead_organisation": "x"})
    assert bad.status_code == 400
    assert set(bad.json()["error"]["fields"]) == {"status", "lead_organisation"}
    cursor = client.get("/api/v1/projects/", {"cursor": "not-a-cursor"})
    assert cursor.status_code == 400 and error_code(cursor) == "invalid_cursor"
    huge = client.get("/api/v1/projects/", {"partner": str(10**30)})
    assert huge.status_code == 400


def test_cursor_pages_walk_the_whole_list(api, partnership_lead, icb):
    made = [
        draft_project(lead_user=partnership_lead, lead_organisation=icb, title=f"P{n}")
        for n in range(3)
    ]
    client = api(partnership_lead)
    seen, url = [], "/api/v1/projects/?page_size=2"
    while url:
        page = client.get(url).json()
        seen += [p["id"] for p in page["results"]]
        url = page["next"]
    assert seen == [p.pk for p in reversed(made)]


def test_detail_for_each_role(request, api, ready_proposal):
    for who in [*ROLES, "outsider"]:
        response = api(request.getfixturevalue(who), scope="read").get(
            f"/api/v1/projects/{ready_proposal.pk}/"
        )
        if who == "outsider":
            assert response.status_code == 404
            assert error_code(response) == "not_found"
            continue
        assert response.status_code == 200, who
        data = response.json()
        assert data["title"] == ready_proposal.title
        assert [g["kind"] for g in data["gates"]] == [
            "shared_purpose",
            "outcome_measures",
            "conflicts",
            "transparency",
        ]
        assert data["timeline"][-1]["description"] == "Proposal started"
        assert data["actions"]["submit"] is (who == "partnership_lead"), who


def test_bad_ids_are_404_not_500(api, partnership_lead):
    client = api(partnership_lead)
    for url in ["/api/v1/projects/0/", f"/api/v1/projects/{10**25}/", "/api/v1/projects/x/"]:
        assert client.get(url).status_code == 404
    assert api().get("/api/v1/projects/1/").status_code == 401


@pytest.mark.parametrize(
    "path",
    ["/api/v1/projects/-714569/", "/api/v1/projects/abc/", "/api/v1/nowhere/", "/api/v1"],
)
def test_addresses_no_view_answers_are_json_404s(api, partnership_lead, path):
    """Django answers these before DRF runs (no URL pattern matches), still in the API's
    error shape rather than the HTML page."""
    response = api(partnership_lead).get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert error_code(response) == "not_found"


def test_a_nul_character_is_a_json_400_under_the_api(api, partnership_lead):
    response = api(partnership_lead).get("/api/v1/projects/", {"q": "a\x00b"})
    assert response.status_code == 400
    assert error_code(response) == "bad_request"


def test_pages_keep_their_html_error_pages(client, partnership_lead):
    client.force_login(partnership_lead)
    response = client.get("/projects/nowhere/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert client.get("/projects/", {"q": "a\x00b"})["Content-Type"].startswith("text/html")


def test_a_partnership_lead_starts_a_proposal(api, partnership_lead, icb):
    response = api(partnership_lead).post(
        "/api/v1/projects/", {"title": "Heart failure", "lead_organisation": icb.pk}, format="json"
    )
    assert response.status_code == 201
    project = Project.objects.get(pk=response.json()["id"])
    assert project.title == "Heart failure" and project.created_by == partnership_lead
    assert response.json()["timeline"][0]["description"] == "Proposal started"


@pytest.mark.parametrize("who", ["industry_member", "panel_member", "auditor", "outsider"])
def test_other_roles_cannot_start_one(request, api, icb, who):
    response = api(request.getfixturevalue(who)).post(
        "/api/v1/projects/", {"title": "X", "lead_organisation": icb.pk}, format="json"
    )
    assert response.status_code == 403
    assert error_code(response) == "permission_denied"
    assert not Project.objects.exists()


def test_starting_one_names_the_field_in_error(api, partnership_lead, company):
    client = api(partnership_lead)
    blank = client.post("/api/v1/projects/", {"title": "", "lead_organisation": 1}, format="json")
    assert blank.status_code == 400
    assert blank.json()["error"]["fields"]["title"] == ["Enter the project's title"]
    assert blank.json()["error"]["message"] == "Enter the project's title"
    not_theirs = client.post(
        "/api/v1/projects/", {"title": "X", "lead_organisation": company.pk}, format="json"
    )
    assert not_theirs.status_code == 400
    assert "lead_organisation" in not_theirs.json()["error"]["fields"]


def test_editing_a_draft_goes_through_section_save(api, draft, partnership_lead):
    response = api(partnership_lead).patch(
        f"/api/v1/projects/{draft.pk}/",
        {"aims": "Fewer admissions", "objectives": ["Review patients", "Train staff"]},
        format="json",
    )
    assert response.status_code == 200
    assert [o["description"] for o in response.json()["objectives"]] == [
        "Review patients",
        "Train staff",
    ]
    assert response.json()["timeline"][0]["description"] == (
        "Changed the section “Aims, objectives and benefits”"
    )


def test_edit_errors_name_the_field(api, draft, partnership_lead):
    client = api(partnership_lead)
    url = f"/api/v1/projects/{draft.pk}/"
    dates = client.patch(url, {"start_date": "2027-05-01", "end_date": "2027-01-01"}, format="json")
    assert dates.status_code == 400
    assert dates.json()["error"]["fields"] == {
        "end_date": ["End date must be after the start date"]
    }
    long = client.patch(url, {"title": "x" * 201}, format="json")
    assert long.json()["error"]["fields"]["title"] == ["Title must be 200 characters or fewer"]
    kind = client.patch(url, {"kind": "bogus"}, format="json")
    assert "kind" in kind.json()["error"]["fields"]
    nul = client.patch(url, {"aims": "a\u0000b"}, format="json")
    assert nul.status_code == 400 and error_code(nul) == "invalid_characters"
    bad_json = client.generic("PATCH", url, "{not json", content_type="application/json")
    assert bad_json.status_code == 400 and error_code(bad_json) == "parse_error"
    not_object = client.patch(url, [1, 2], format="json")
    assert not_object.status_code == 400
    draft.refresh_from_db()
    assert draft.aims == "" and draft.start_date is None


def test_who_may_edit_which_section(api, ready_proposal, industry_member, panel_member, outsider):
    url = f"/api/v1/projects/{ready_proposal.pk}/"
    closed = api(industry_member).patch(url, {"aims": "Changed"}, format="json")
    assert closed.status_code == 403
    assert closed.json()["error"]["message"] == "You cannot change this section"
    assert api(panel_member).patch(url, {"aims": "X"}, format="json").status_code == 403
    assert api(outsider).patch(url, {"aims": "X"}, format="json").status_code == 404


def test_a_change_across_sections_is_all_or_nothing(api, ready_proposal, industry_member):
    ready_proposal.open_sections = ["need"]
    ready_proposal.save()
    response = api(industry_member).patch(
        f"/api/v1/projects/{ready_proposal.pk}/",
        {"background": "Changed by the company", "aims": "Not theirs"},
        format="json",
    )
    assert response.status_code == 403
    ready_proposal.refresh_from_db()
    assert ready_proposal.background != "Changed by the company"


def test_submit_then_withdraw(api, ready_proposal, partnership_lead, industry_member):
    url = f"/api/v1/projects/{ready_proposal.pk}/"
    assert api(industry_member).post(url + "submit/").status_code == 403
    submitted = api(partnership_lead).post(url + "submit/")
    assert submitted.status_code == 200
    data = submitted.json()
    assert data["status"] == "submitted" and data["reference"].startswith("CW-")
    assert {g["state"] for g in data["gates"]} == {"Awaiting review"}
    again = api(partnership_lead).post(url + "submit/")
    assert again.status_code == 409 and error_code(again) == "invalid_state"
    no_reason = api(partnership_lead).post(url + "withdraw/", {"reason": ""}, format="json")
    assert no_reason.json()["error"]["fields"] == {
        "reason": ["Enter why you are withdrawing the proposal"]
    }
    assert (
        api(industry_member).post(url + "withdraw/", {"reason": "x"}, format="json").status_code
        == 403
    )
    withdrawn = api(partnership_lead).post(
        url + "withdraw/", {"reason": "Funding ended"}, format="json"
    )
    assert withdrawn.status_code == 200
    assert withdrawn.json()["timeline"][0]["reason"] == "Funding ended"


def test_submitting_an_incomplete_draft_names_what_is_missing(api, draft, partnership_lead):
    response = api(partnership_lead).post(f"/api/v1/projects/{draft.pk}/submit/")
    assert response.status_code == 400
    messages = response.json()["error"]["fields"]["non_field_errors"]
    assert "Team: name a deputy lead, so the project survives a change of role" in messages
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_partners_and_measures(api, ready_proposal, company, industry_member, outsider):
    partners = api(outsider).get("/api/v1/partners/", {"kind": "company"})
    assert [p["name"] for p in partners.json()["results"]] == [company.name]
    assert api(outsider).get(f"/api/v1/partners/{company.pk}/").json()["name"] == company.name
    assert api(outsider).get("/api/v1/partners/999999/").status_code == 404
    assert api().get("/api/v1/partners/").status_code == 401
    measures = api(industry_member).get(f"/api/v1/projects/{ready_proposal.pk}/measures/")
    assert [m["name"] for m in measures.json()] == ["Patients reviewed"]
    assert api(outsider).get(f"/api/v1/projects/{ready_proposal.pk}/measures/").status_code == 404


def test_filter_projects_is_the_pages_own(partnership_lead, draft):
    """The API's list is built from the page's filter function, not a copy of it."""
    from api.views import projects as api_projects

    assert api_projects.filter_projects is filter_projects


def test_a_fault_is_a_json_500_under_the_api(monkeypatch, partnership_lead):
    from rest_framework.test import APIClient

    from api.views import projects as project_views
    from tests.api.conftest import make_token

    def broken(*args, **kwargs):
        raise RuntimeError("a fault")

    monkeypatch.setattr(project_views.ProjectList, "get", broken)
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(partnership_lead)}")
    response = client.get("/api/v1/projects/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert error_code(response) == "server_error"
