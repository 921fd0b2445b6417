import pytest
from allauth.mfa.models import Authenticator
from django.core.management import CommandError, call_command

from accounts.models import Membership, Organisation, User
from portal import demo


def snapshot():
    return (
        sorted(
            Organisation.objects.values_list("name", "kind", "ods_code", "partnership_lead__email")
        ),
        sorted(User.objects.values_list("email", "password")),
        sorted(Membership.objects.values_list("user__email", "organisation__name", "role")),
        Authenticator.objects.count(),
    )


def test_seed_demo_twice_changes_nothing(db, capsys):
    call_command("seed_demo")
    first = snapshot()
    call_command("seed_demo")
    assert snapshot() == first
    assert "(0 new records)" in capsys.readouterr().out


def test_demo_has_the_case_study_partners_and_every_role(db):
    call_command("seed_demo")
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


def test_every_demo_role_signs_in_within_the_printed_instructions(client, db):
    call_command("seed_demo")
    for _role, email in demo.SIGN_IN_LIST:
        client.logout()
        response = client.post("/accounts/login/", {"login": email, "password": demo.DEMO_PASSWORD})
        assert response.status_code == 302, email
        if response["Location"] == "/accounts/2fa/authenticate/":
            response = client.post(response["Location"], {"code": demo.current_totp_code()})
            assert response.status_code == 302, email
        assert client.get("/").status_code == 200, email


def test_seed_demo_is_refused_when_demo_data_is_off(db, settings):
    settings.PORTAL_DEMO = False
    with pytest.raises(CommandError, match="known passwords"):
        call_command("seed_demo")


def test_demo_has_the_four_case_study_projects_in_different_states(db):
    from partnerships.models import Project

    call_command("seed_demo")
    states = dict(Project.objects.values_list("title", "status"))
    assert states == {
        "Improving outcomes for people with diabetes after acute coronary syndrome": "approved",
        "Eliminating hepatitis C among people in contact with drug and alcohol services": (
            "submitted"
        ),
        "Improving asthma care": "changes_requested",
        "Improving the front-end skin cancer pathway": "draft",
    }
    partners = set(Project.objects.values_list("title", "partners__organisation__name"))
    assert ("Improving asthma care", "AstraZeneca") in partners
    assert ("Improving the front-end skin cancer pathway", "Sanofi") in partners
    submitted = Project.objects.exclude(status="draft")
    assert all(p.reference and p.reference.startswith("CW-") for p in submitted)
