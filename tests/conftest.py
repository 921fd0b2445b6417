"""The standard cast, on PostgreSQL: one person in each role, and an outsider."""

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.core.cache import cache

from accounts import services
from accounts.models import Membership
from tests.factories import PASSWORD, CompanyFactory, OrganisationFactory, UserFactory

TOTP_SECRET = "KRSXG5CTMVRXEZLUKRSXG5CT"

Role = Membership.Role


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Hashing strength is not under test; a fast hasher keeps the suite quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _clear_cache():
    """Throttling and used TOTP codes live in the cache; each test starts clean."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def icb(db):
    return OrganisationFactory(name="NHS Testshire Integrated Care Board", ods_code="QZZ")


@pytest.fixture
def company(db):
    return CompanyFactory(name="Example Pharma UK Ltd", companies_house_number="01234567")


def _member(organisation, role, mfa=False, **kwargs):
    user = UserFactory(**kwargs)
    services.membership_add(user=user, organisation=organisation, role=role)
    if mfa:
        TOTP.activate(user, TOTP_SECRET)
        RecoveryCodes.activate(user)
    return user


@pytest.fixture
def partnership_lead(icb):
    user = _member(icb, Role.PARTNERSHIP_LEAD, first_name="Priya", last_name="Shah")
    icb.partnership_lead = user
    icb.save()
    return user


@pytest.fixture
def industry_member(company):
    return _member(company, Role.INDUSTRY_MEMBER)


@pytest.fixture
def panel_member(icb):
    return _member(icb, Role.PANEL_MEMBER, mfa=True)


@pytest.fixture
def panel_chair(icb):
    return _member(icb, Role.PANEL_CHAIR, mfa=True)


@pytest.fixture
def auditor(icb):
    return _member(icb, Role.AUDITOR, mfa=True)


@pytest.fixture
def administrator(db):
    user = UserFactory(is_staff=True, is_superuser=True)
    TOTP.activate(user, TOTP_SECRET)
    RecoveryCodes.activate(user)
    return user


@pytest.fixture
def outsider(db):
    """Signed in, but with no role anywhere."""
    return UserFactory()


@pytest.fixture
def cast(
    partnership_lead, industry_member, panel_member, panel_chair, auditor, administrator, outsider
):
    return {
        "partnership_lead": partnership_lead,
        "industry_member": industry_member,
        "panel_member": panel_member,
        "panel_chair": panel_chair,
        "auditor": auditor,
        "administrator": administrator,
        "outsider": outsider,
    }


def totp_code(secret=TOTP_SECRET):
    from allauth.mfa.totp.internal.auth import (
        format_hotp_value,
        hotp_value,
        yield_hotp_counters_from_time,
    )

    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


@pytest.fixture
def deputy(icb):
    return _member(icb, Role.PARTNERSHIP_LEAD, first_name="Tom", last_name="Hughes")


@pytest.fixture
def draft(partnership_lead, icb):
    from tests.factories import draft_project

    return draft_project(lead_user=partnership_lead, lead_organisation=icb)


@pytest.fixture
def ready_proposal(draft, partnership_lead, deputy, company, industry_member):
    """A draft with every section complete, the company partner and its member on the team."""
    from tests.factories import complete_proposal

    return complete_proposal(
        project=draft,
        lead_user=partnership_lead,
        deputy_user=deputy,
        company=company,
        industry_user=industry_member,
    )
