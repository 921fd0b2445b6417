"""seed_scale's data keeps the rules the compliance check applies (seed_demo's is checked in
tests/demo, apart from the breaches it plants on purpose)."""

import datetime

import pytest

from compliance.services.check import compliance_check
from demo.scale.seed import seed

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("today", [None, datetime.date(2026, 3, 31)])
def test_seed_scale_data_is_compliant(today):
    seed(projects=300, years=6, today=today, log=lambda *_: None)
    breaches = compliance_check(today=today)
    assert [(b.reference, b.code, b.evidence) for b in breaches] == []
