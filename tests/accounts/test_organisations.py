import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Organisation
from accounts.validators import (
    normalise_companies_house_number,
    validate_companies_house_number,
    validate_ods_code,
)
from tests.factories import OrganisationFactory


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("QJM", True),
        ("qjm", True),
        ("RXX", True),
        ("71E", True),
        ("A81001", True),
        ("Q", False),
        ("QJM-1", False),
        ("1234567", False),
        ("123", False),
        ("", False),
    ],
)
def test_ods_code_format(value, valid):
    if valid:
        validate_ods_code(value)
    else:
        with pytest.raises(ValidationError):
            validate_ods_code(value)


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("01234567", True),
        ("603583", True),
        ("SC123456", True),
        ("sc 123456", True),
        ("R0123456", True),
        ("123456789", False),
        ("S1234567", False),
        ("ABCDEFGH", False),
        ("", False),
    ],
)
def test_companies_house_number_format(value, valid):
    if valid:
        validate_companies_house_number(value)
    else:
        with pytest.raises(ValidationError):
            validate_companies_house_number(value)


def test_short_numbers_are_padded():
    assert normalise_companies_house_number("603583") == "00603583"


def test_directory_is_public_and_lists_icbs_with_their_lead(client, partnership_lead, icb, company):
    icb.contact_email = "partnerships@testshire.example"
    icb.save()
    response = client.get(reverse("accounts:directory"))
    assert response.status_code == 200
    body = response.content.decode()
    assert icb.name in body
    assert "Priya Shah" in body
    assert "mailto:partnerships@testshire.example" in body
    assert company.name not in body


def test_directory_escapes_names(client, db):
    OrganisationFactory(name="<script>alert(1)</script> ICB")
    body = client.get(reverse("accounts:directory")).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;" in body


def test_directory_query_count_does_not_grow(client, db, django_assert_max_num_queries):
    for _ in range(3):
        OrganisationFactory()
    with django_assert_max_num_queries(3) as small:
        client.get(reverse("accounts:directory"))
    for _ in range(20):
        OrganisationFactory()
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("accounts:directory"))


VALID_ICB = {
    "name": "NHS New Integrated Care Board",
    "kind": "icb",
    "ods_code": "qxy",
    "companies_house_number": "",
    "contact_email": "p@new.example",
}


def test_administrator_adds_an_icb_and_the_ods_code_is_normalised(client, administrator):
    client.force_login(administrator)
    response = client.post(reverse("accounts:organisation-create"), VALID_ICB)
    assert response.status_code == 302
    assert Organisation.objects.get(name=VALID_ICB["name"]).ods_code == "QXY"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"ods_code": "Q!"}, "Enter an ODS code of 3 to 6 letters and numbers"),
        ({"ods_code": ""}, "Enter the ODS code of the ICB or NHS trust"),
        ({"companies_house_number": "01234567"}, "NHS bodies do not have a Companies House number"),
        (
            {"kind": "company", "ods_code": "", "companies_house_number": "12AB"},
            "Enter a Companies House number of 8 characters",
        ),
        ({"kind": "company", "ods_code": "QJM"}, "Only NHS bodies have an ODS code"),
    ],
)
def test_bad_identifiers_get_a_message_and_nothing_is_saved(client, administrator, data, message):
    client.force_login(administrator)
    response = client.post(reverse("accounts:organisation-create"), {**VALID_ICB, **data})
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    assert message in body
    assert not Organisation.objects.filter(name=VALID_ICB["name"]).exists()


def test_duplicate_ods_code_is_refused(client, administrator, icb):
    client.force_login(administrator)
    response = client.post(
        reverse("accounts:organisation-create"), {**VALID_ICB, "ods_code": icb.ods_code}
    )
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()


def test_partnership_lead_edits_own_organisation(client, partnership_lead, icb):
    client.force_login(partnership_lead)
    url = reverse("accounts:organisation-edit", args=[icb.pk])
    data = {
        "name": icb.name,
        "kind": "icb",
        "ods_code": "QZZ",
        "contact_email": "new@testshire.example",
        "partnership_lead": partnership_lead.pk,
    }
    assert client.post(url, data).status_code == 302
    icb.refresh_from_db()
    assert icb.contact_email == "new@testshire.example"


def test_bad_edit_keeps_what_was_saved(client, partnership_lead, icb):
    client.force_login(partnership_lead)
    url = reverse("accounts:organisation-edit", args=[icb.pk])
    response = client.post(url, {"name": "Renamed", "kind": "icb", "ods_code": "??"})
    assert response.status_code == 200
    assert "Enter an ODS code" in response.content.decode()
    icb.refresh_from_db()
    assert icb.name == "NHS Testshire Integrated Care Board"
    assert icb.ods_code == "QZZ"


def test_partnership_lead_cannot_edit_another_organisation(client, partnership_lead):
    other = OrganisationFactory()
    client.force_login(partnership_lead)
    assert client.get(reverse("accounts:organisation-edit", args=[other.pk])).status_code == 403
    assert (
        client.post(
            reverse("accounts:organisation-edit", args=[other.pk]), {"name": "x"}
        ).status_code
        == 403
    )


def test_members_are_shown_to_the_organisation_only(client, partnership_lead, icb, industry_member):
    url = reverse("accounts:organisation-detail", args=[icb.pk])
    client.force_login(partnership_lead)
    assert partnership_lead.email in client.get(url).content.decode()
    client.force_login(industry_member)
    body = client.get(url).content.decode()
    assert icb.name in body
    assert partnership_lead.email not in body


def test_partnership_lead_must_be_a_member(client, administrator, icb, industry_member):
    from accounts import services

    with pytest.raises(ValidationError):
        services.organisation_update(
            organisation=icb, actor=administrator, partnership_lead=industry_member
        )
