"""Partners, their contributions and the team, in the browser: each role and an outsider."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import services as account_services
from accounts.models import Membership, Organisation
from partnerships.forms.fields import MoneyField
from partnerships.models import Partner, ProjectEvent, TeamMember
from partnerships.services import partners as partner_services
from partnerships.services import team as team_services
from tests.factories import CompanyFactory, OrganisationFactory, UserFactory

Role = Membership.Role


def url(name, project, **kwargs):
    return reverse(f"partnerships:{name}", kwargs={"pk": project.pk, **kwargs})


def offered(html, name):
    """What the select called ``name`` offers: {value: label}; empty when there is no select."""
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S)
    if select is None:
        return {}
    options = re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>', select.group(0))
    return {int(value): label.strip() for value, label in options}


def contribution(**overrides):
    data = {
        "accountable_lead_name": "Sam Jones",
        "accountable_lead_job_title": "Head of partnerships",
        "accountable_lead_email": "sam.jones@example.org",
        "signatory_name": "Alex Smith",
        "financial_contribution": "50000",
        "in_kind_description": "A project manager two days a week",
        "in_kind_value": "12500.50",
    }
    data.update(overrides)
    return data


@pytest.fixture
def company_partner(ready_proposal, company):
    return Partner.objects.get(project=ready_proposal, organisation=company)


@pytest.fixture
def lead_partner(ready_proposal):
    return Partner.objects.get(project=ready_proposal, is_lead=True)


@pytest.fixture
def other_company_member(db):
    """An industry member of a company that is not on the project."""
    other = CompanyFactory(name="Elsewhere Biotech Ltd")
    user = UserFactory()
    account_services.membership_add(user=user, organisation=other, role=Role.INDUSTRY_MEMBER)
    return user


def every_url(project):
    partner = project.partners.get(is_lead=True)
    member = project.team.first()
    return [
        ("get", url("partner-list", project)),
        ("get", url("partner-add", project)),
        ("post", url("partner-add", project)),
        ("get", url("partner-edit", project, partner_pk=partner.pk)),
        ("post", url("partner-edit", project, partner_pk=partner.pk)),
        ("post", url("partner-remove", project, partner_pk=partner.pk)),
        ("get", url("team-list", project)),
        ("get", url("team-add", project)),
        ("post", url("team-add", project)),
        ("post", url("team-remove", project, member_pk=member.pk)),
    ]


# Partners: the list -------------------------------------------------------------------


def test_partner_list_shows_contributions_in_pounds_with_totals(
    client, ready_proposal, partnership_lead
):
    client.force_login(partnership_lead)
    response = client.get(url("partner-list", ready_proposal))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Example Pharma UK Ltd" in html
    assert "£50,000.00" in html  # the company's financial contribution
    assert "£70,000.00" in html  # the company's total (50,000 + 20,000 in kind)
    assert "£40,000.00" in html  # in kind from both partners
    assert "£90,000.00" in html  # everything from everyone
    assert "Project manager" in html
    assert "No contribution yet" not in html


def test_partner_contributing_nothing_is_flagged(client, draft, partnership_lead):
    client.force_login(partnership_lead)
    response = client.get(url("partner-list", draft))
    html = response.content.decode()
    assert "No contribution yet" in html
    assert "must make a financial or in-kind contribution" in html


def test_lead_adds_company_from_the_directory(client, draft, partnership_lead, company):
    client.force_login(partnership_lead)
    page = client.get(url("partner-list", draft)).content.decode()
    assert offered(page, "organisation") == {company.pk: "Example Pharma UK Ltd"}
    assert "Ask an administrator to add it" in page
    assert reverse("accounts:organisation-list") in page

    response = client.post(url("partner-add", draft), {"organisation": company.pk}, follow=True)

    assert response.redirect_chain[-1][0] == url("partner-list", draft)
    assert Partner.objects.filter(project=draft, organisation=company, is_lead=False).exists()
    html = response.content.decode()
    assert "Example Pharma UK Ltd has been added as a partner" in html
    # Now on the project, it is no longer offered; the company's members can see the project.
    assert company.pk not in offered(html, "organisation")
    assert ProjectEvent.objects.filter(project=draft, action="partner_add").exists()


def test_adding_the_same_organisation_twice_shows_a_message_and_creates_nothing(
    client, draft, partnership_lead, company
):
    client.force_login(partnership_lead)
    client.post(url("partner-add", draft), {"organisation": company.pk})
    before = Partner.objects.filter(project=draft).count()

    response = client.post(url("partner-add", draft), {"organisation": company.pk})

    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Example Pharma UK Ltd is already a partner" in html
    assert "<title>Error: " in html
    assert Partner.objects.filter(project=draft).count() == before == 2


def test_adding_nothing_or_an_unknown_organisation_is_refused(client, draft, partnership_lead):
    client.force_login(partnership_lead)
    response = client.post(url("partner-add", draft), {"organisation": ""})
    assert "Select the organisation to add" in response.content.decode()
    response = client.post(url("partner-add", draft), {"organisation": "999999"})
    assert "Select an organisation from the directory" in response.content.decode()
    assert Partner.objects.filter(project=draft).count() == 1


def test_add_form_offers_companies_and_other_organisations_not_yet_on_the_project(
    client, draft, partnership_lead, company, icb
):
    charity = OrganisationFactory(name="Asthma Charity", kind=Organisation.Kind.OTHER, ods_code="")
    client.force_login(partnership_lead)
    html = client.get(url("partner-add", draft)).content.decode()
    assert '<optgroup label="Companies">' in html
    assert offered(html, "organisation") == {
        company.pk: "Example Pharma UK Ltd",
        charity.pk: "Asthma Charity",
    }  # not the ICB: it is already the lead organisation


def test_lead_removes_a_partner(client, draft, partnership_lead, company):
    partner_services.partner_add(project=draft, organisation=company, actor=partnership_lead)
    client.force_login(partnership_lead)
    partner = Partner.objects.get(project=draft, organisation=company)

    response = client.post(url("partner-remove", draft, partner_pk=partner.pk), follow=True)

    assert "Example Pharma UK Ltd has been removed from the project" in response.content.decode()
    assert not Partner.objects.filter(pk=partner.pk).exists()


def test_removing_a_partner_whose_people_are_on_the_team_shows_why_not(
    client, ready_proposal, partnership_lead, company_partner
):
    client.force_login(partnership_lead)
    response = client.post(
        url("partner-remove", ready_proposal, partner_pk=company_partner.pk), follow=True
    )
    assert response.status_code == 200
    assert "people from the team before removing the organisation" in response.content.decode()
    assert Partner.objects.filter(pk=company_partner.pk).exists()


def test_the_lead_organisation_cannot_be_removed(client, draft, partnership_lead):
    partner = draft.partners.get(is_lead=True)
    client.force_login(partnership_lead)
    response = client.post(url("partner-remove", draft, partner_pk=partner.pk), follow=True)
    assert "The lead organisation cannot be removed" in response.content.decode()
    assert Partner.objects.filter(pk=partner.pk).exists()


def test_remove_is_post_only(client, draft, partnership_lead):
    partner = draft.partners.get(is_lead=True)
    client.force_login(partnership_lead)
    assert client.get(url("partner-remove", draft, partner_pk=partner.pk)).status_code == 405


# Partners: the contribution ---------------------------------------------------------


def test_company_member_edits_their_own_contribution(
    client, ready_proposal, industry_member, company_partner
):
    client.force_login(industry_member)
    list_html = client.get(url("partner-list", ready_proposal)).content.decode()
    edit_url = url("partner-edit", ready_proposal, partner_pk=company_partner.pk)
    assert edit_url in list_html
    assert "Add a partner organisation" not in list_html  # only the lead and deputy add

    form = client.get(edit_url)
    assert form.status_code == 200
    assert 'value="50000.00"' in form.content.decode()

    response = client.post(
        edit_url, contribution(financial_contribution="£75,000", in_kind_value="1,250.5")
    )

    assert response.status_code == 302
    company_partner.refresh_from_db()
    assert company_partner.financial_contribution == Decimal("75000.00")
    assert company_partner.in_kind_value == Decimal("1250.50")
    assert company_partner.accountable_lead_name == "Sam Jones"
    assert company_partner.signatory_name == "Alex Smith"
    page = client.get(url("partner-list", ready_proposal)).content.decode()
    assert "£75,000.00" in page
    assert "£76,250.50" in page


def test_company_member_cannot_edit_another_partners_contribution(
    client, ready_proposal, industry_member, lead_partner
):
    client.force_login(industry_member)
    edit_url = url("partner-edit", ready_proposal, partner_pk=lead_partner.pk)
    list_html = client.get(url("partner-list", ready_proposal)).content.decode()
    assert edit_url not in list_html

    assert client.get(edit_url).status_code == 403
    assert client.post(edit_url, contribution(financial_contribution="1")).status_code == 403
    lead_partner.refresh_from_db()
    assert lead_partner.financial_contribution == Decimal("0")


def test_negative_amount_is_refused_and_nothing_changes(
    client, ready_proposal, partnership_lead, company_partner
):
    client.force_login(partnership_lead)
    edit_url = url("partner-edit", ready_proposal, partner_pk=company_partner.pk)

    response = client.post(edit_url, contribution(financial_contribution="-100"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error: " in html
    assert "Enter an amount of £0 or more" in html
    assert 'href="#id_financial_contribution"' in html  # the error summary links to the field
    company_partner.refresh_from_db()
    assert company_partner.financial_contribution == Decimal("50000.00")
    assert company_partner.accountable_lead_name == "A Lead"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("fifty pounds", "Enter an amount in pounds, like 50000 or 50,000.00"),
        ("12.345", "Enter the amount to the nearest penny"),
        ("1e6", "Enter an amount in pounds"),
        ("", "Enter the financial contribution, or 0 if there is none"),
    ],
)
def test_unreadable_amounts_say_what_to_do(
    client, ready_proposal, partnership_lead, company_partner, typed, message
):
    client.force_login(partnership_lead)
    response = client.post(
        url("partner-edit", ready_proposal, partner_pk=company_partner.pk),
        contribution(financial_contribution=typed),
    )
    assert message in response.content.decode()
    company_partner.refresh_from_db()
    assert company_partner.financial_contribution == Decimal("50000.00")


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("50000", Decimal("50000.00")),
        ("50,000", Decimal("50000.00")),
        ("£50000", Decimal("50000.00")),
        (" £ 50,000.5 ", Decimal("50000.50")),
        ("0", Decimal("0.00")),
        (".75", Decimal("0.75")),
    ],
)
def test_money_field_reads_pounds(typed, amount):
    cleaned = MoneyField().clean(typed)
    assert cleaned == amount
    assert cleaned.as_tuple().exponent == -2


@pytest.mark.parametrize("typed", ["-1", "£-1", "-£1,000", "−5"])
def test_money_field_refuses_negative_amounts(typed):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Enter an amount of £0 or more"):
        MoneyField().clean(typed)


@pytest.mark.parametrize("typed", ["9" * 27 + ".5", "9" * 30])
def test_money_field_refuses_amounts_beyond_the_limit_with_a_message(typed):
    # 28 significant digits and more overflow Decimal's precision when rounded to pence.
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        MoneyField().clean(typed)
    assert refused.value.code == "too_big"


def test_in_kind_value_needs_a_description(
    client, ready_proposal, partnership_lead, company_partner
):
    client.force_login(partnership_lead)
    response = client.post(
        url("partner-edit", ready_proposal, partner_pk=company_partner.pk),
        contribution(in_kind_description="", in_kind_value="100"),
    )
    assert "Describe the in-kind contribution you valued" in response.content.decode()


def test_contributions_cannot_change_once_submitted(
    client, ready_proposal, partnership_lead, company_partner
):
    from partnerships.services.projects import project_transition

    project_transition(project=ready_proposal, action="submit", actor=partnership_lead)
    client.force_login(partnership_lead)
    html = client.get(url("partner-list", ready_proposal)).content.decode()
    assert "cannot be changed while the proposal is submitted" in html
    edit_url = url("partner-edit", ready_proposal, partner_pk=company_partner.pk)
    assert edit_url not in html
    assert client.post(edit_url, contribution()).status_code == 403


# Team ---------------------------------------------------------------------------------


def test_lead_adds_and_removes_team_members(
    client, draft, partnership_lead, deputy, company, industry_member
):
    partner_services.partner_add(project=draft, organisation=company, actor=partnership_lead)
    client.force_login(partnership_lead)
    page = client.get(url("team-list", draft)).content.decode()
    people = offered(page, "user")
    assert people[deputy.pk] == "Tom Hughes – NHS Testshire Integrated Care Board"
    assert people[industry_member.pk].endswith("– Example Pharma UK Ltd")
    assert partnership_lead.pk not in people  # already on the team

    response = client.post(
        url("team-add", draft),
        {"user": deputy.pk, "role": "deputy", "responsibilities": "Clinical lead"},
        follow=True,
    )
    html = response.content.decode()
    assert f"{deputy} has been added to the team as deputy lead" in html
    assert "Clinical lead" in html
    client.post(url("team-add", draft), {"user": industry_member.pk, "role": "member"})
    assert set(draft.team.values_list("user", flat=True)) == {
        partnership_lead.pk,
        deputy.pk,
        industry_member.pk,
    }

    member = TeamMember.objects.get(project=draft, user=industry_member)
    response = client.post(url("team-remove", draft, member_pk=member.pk), follow=True)
    assert f"{industry_member} has been removed from the team" in response.content.decode()
    assert not TeamMember.objects.filter(pk=member.pk).exists()


def test_team_rule_is_shown_and_whether_it_holds(client, draft, ready_proposal, partnership_lead):
    client.force_login(partnership_lead)
    html = client.get(url("team-list", ready_proposal)).content.decode()
    assert "at least two NHS team members: a project lead and a deputy" in html
    assert 'nhsuk-tag--green">Met</strong>' in html

    team_services.team_member_remove(
        member=ready_proposal.team.get(role="deputy"), actor=partnership_lead
    )
    html = client.get(url("team-list", ready_proposal)).content.decode()
    assert "Not met yet" in html
    assert "name a deputy lead" in html


def test_company_person_cannot_be_project_deputy(
    client, draft, partnership_lead, company, industry_member
):
    partner_services.partner_add(project=draft, organisation=company, actor=partnership_lead)
    client.force_login(partnership_lead)
    response = client.post(url("team-add", draft), {"user": industry_member.pk, "role": "deputy"})
    assert response.status_code == 200
    assert "The project lead and deputy must be NHS staff" in response.content.decode()
    assert not draft.team.filter(user=industry_member).exists()


def test_adding_someone_twice_or_from_outside_the_partners_is_refused(
    client, draft, partnership_lead, deputy, other_company_member
):
    client.force_login(partnership_lead)
    client.post(url("team-add", draft), {"user": deputy.pk, "role": "deputy"})
    response = client.post(url("team-add", draft), {"user": deputy.pk, "role": "member"})
    assert f"{deputy} is already on the team" in response.content.decode()
    response = client.post(url("team-add", draft), {"user": other_company_member.pk})
    assert "Choose someone from one of the partner organisations" in response.content.decode()
    assert draft.team.count() == 2


def test_lead_cannot_remove_themselves(client, draft, partnership_lead):
    client.force_login(partnership_lead)
    member = draft.team.get(user=partnership_lead)
    response = client.post(url("team-remove", draft, member_pk=member.pk), follow=True)
    assert "Name another project lead before removing yourself" in response.content.decode()
    assert TeamMember.objects.filter(pk=member.pk).exists()


def test_team_member_sees_the_team_but_cannot_change_it(
    client, ready_proposal, industry_member, partnership_lead
):
    client.force_login(industry_member)
    html = client.get(url("team-list", ready_proposal)).content.decode()
    assert str(partnership_lead) in html
    assert "Add someone to the team" not in html
    assert client.get(url("team-add", ready_proposal)).status_code == 403
    member = ready_proposal.team.get(user=partnership_lead)
    response = client.post(url("team-remove", ready_proposal, member_pk=member.pk))
    assert response.status_code == 403
    assert TeamMember.objects.filter(pk=member.pk).exists()


# Who may see what ---------------------------------------------------------------------


def test_outsider_gets_404_everywhere(client, ready_proposal, outsider):
    client.force_login(outsider)
    for method, address in every_url(ready_proposal):
        assert getattr(client, method)(address).status_code == 404, address


def test_industry_member_of_a_company_not_on_the_project_gets_404_everywhere(
    client, ready_proposal, other_company_member
):
    client.force_login(other_company_member)
    for method, address in every_url(ready_proposal):
        assert getattr(client, method)(address).status_code == 404, address


def test_anonymous_visitors_are_sent_to_sign_in(client, ready_proposal):
    response = client.get(url("partner-list", ready_proposal))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_unknown_partner_or_member_is_404(client, ready_proposal, partnership_lead, icb):
    from tests.factories import draft_project

    other_project = draft_project(
        lead_user=partnership_lead, lead_organisation=icb, title="Another project"
    )
    partner = partner_services.partner_add(
        project=other_project, organisation=CompanyFactory(), actor=partnership_lead
    )
    member = other_project.team.get()
    client.force_login(partnership_lead)
    # Another project's partner or team member, through this project's URLs.
    edit_url = url("partner-edit", ready_proposal, partner_pk=partner.pk)
    assert client.get(edit_url).status_code == 404
    remove_url = url("partner-remove", ready_proposal, partner_pk=partner.pk)
    assert client.post(remove_url).status_code == 404
    assert client.post(url("team-remove", ready_proposal, member_pk=member.pk)).status_code == 404
    assert Partner.objects.filter(pk=partner.pk).exists()
    assert TeamMember.objects.filter(pk=member.pk).exists()


def test_panel_member_can_view_but_not_change(
    client, ready_proposal, panel_member, company_partner
):
    client.force_login(panel_member)
    response = client.get(url("partner-list", ready_proposal))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Example Pharma UK Ltd" in html
    assert "Add a partner organisation" not in html
    edit_url = url("partner-edit", ready_proposal, partner_pk=company_partner.pk)
    assert edit_url not in html  # no change links
    assert client.get(url("team-list", ready_proposal)).status_code == 200

    other = CompanyFactory()
    assert client.get(url("partner-add", ready_proposal)).status_code == 403
    assert (
        client.post(url("partner-add", ready_proposal), {"organisation": other.pk}).status_code
        == 403
    )
    assert not Partner.objects.filter(organisation=other).exists()
    assert client.post(edit_url, contribution(financial_contribution="1")).status_code == 403
    remove_url = url("partner-remove", ready_proposal, partner_pk=company_partner.pk)
    assert client.post(remove_url).status_code == 403
    assert client.get(url("team-add", ready_proposal)).status_code == 403
    company_partner.refresh_from_db()
    assert company_partner.financial_contribution == Decimal("50000.00")


# Query counts -------------------------------------------------------------------------


def _count_queries(client, address):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
    assert response.status_code == 200
    return len(queries)


def _add_partners(project, actor, how_many):
    for _ in range(how_many):
        partner = partner_services.partner_add(
            project=project, organisation=CompanyFactory(), actor=actor
        )
        partner_services.partner_update(
            partner=partner,
            data={"financial_contribution": Decimal("1000"), "accountable_lead_name": "Someone"},
            actor=actor,
        )


@pytest.mark.parametrize("viewer", ["partnership_lead", "industry_member"])
def test_partner_list_queries_do_not_grow_with_partners(
    client, ready_proposal, partnership_lead, django_assert_max_num_queries, request, viewer
):
    user = request.getfixturevalue(viewer)
    client.force_login(user)
    address = url("partner-list", ready_proposal)
    _add_partners(ready_proposal, partnership_lead, 1)
    small = _count_queries(client, address)
    _add_partners(ready_proposal, partnership_lead, 10)
    with django_assert_max_num_queries(small):
        response = client.get(address)
    assert response.content.decode().count('data-testid="partner-') >= 13
    assert small <= 25


def test_team_list_queries_do_not_grow_with_the_team(
    client, ready_proposal, partnership_lead, company, django_assert_max_num_queries
):
    client.force_login(partnership_lead)
    address = url("team-list", ready_proposal)
    small = _count_queries(client, address)
    for _ in range(8):
        user = UserFactory()
        account_services.membership_add(user=user, organisation=company, role=Role.INDUSTRY_MEMBER)
        team_services.team_member_add(
            project=ready_proposal, user=user, role="member", actor=partnership_lead
        )
    with django_assert_max_num_queries(small):
        client.get(address)


def test_team_is_listed_lead_first(client, ready_proposal, partnership_lead, deputy):
    client.force_login(partnership_lead)
    html = client.get(url("team-list", ready_proposal)).content.decode()
    roles = re.findall(
        r"<td class=\"nhsuk-table__cell\">(Project lead|Deputy lead|Team member)<", html
    )
    assert roles == ["Project lead", "Deputy lead", "Team member"]


def test_partners_are_listed_lead_first(client, ready_proposal, partnership_lead):
    charity = OrganisationFactory(name="AAA Charity", kind=Organisation.Kind.OTHER, ods_code="")
    partner_services.partner_add(
        project=ready_proposal, organisation=charity, actor=partnership_lead
    )
    client.force_login(partnership_lead)
    html = client.get(url("partner-list", ready_proposal)).content.decode()
    table = html[html.index('data-testid="partners"') :]
    names = ["NHS Testshire Integrated Care Board", "AAA Charity", "Example Pharma UK Ltd"]
    assert sorted(names, key=table.index) == names
