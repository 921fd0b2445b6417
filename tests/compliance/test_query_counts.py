"""The check reads at scale: the same number of queries for one project as for many."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from compliance.services.check import RULES, compliance_check
from governance.models import Declaration, Gate
from partnerships.models import Partner, Project

pytestmark = pytest.mark.django_db


def plant_breaches(project, deputy, company):
    """A summary published late, a partner contributing nothing, the deputy undeclared at
    the conflicts gate: so that the rules that report, and name people, do their work."""
    gate = Gate.objects.get(project=project, kind=Gate.Kind.CONFLICTS)
    Project.objects.filter(pk=project.pk).update(start_date=datetime.date(2024, 10, 1))
    Partner.objects.filter(project=project, organisation=company).update(
        financial_contribution=0, in_kind_value=0
    )
    Declaration.objects.filter(project=project, person=deputy).update(
        declared_at=gate.decided_at + datetime.timedelta(days=1)
    )


def queries_for(**kwargs) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        breaches = compliance_check(**kwargs)
    return len(queries), len(breaches)


def test_the_number_of_queries_does_not_grow_with_the_projects(make_project, deputy, company, icb):
    plant_breaches(make_project("First", active=True), deputy, company)
    one, breaches_one = queries_for()
    scoped_one, _ = queries_for(icb=icb)
    for n in range(3):
        plant_breaches(make_project(f"Project {n}", active=True), deputy, company)
    four, breaches_four = queries_for()
    scoped_four, _ = queries_for(icb=icb)
    assert breaches_four == 4 * breaches_one > 0
    assert one == four
    assert scoped_one == scoped_four
    # A handful for each rule at most, whatever the number of projects.
    assert four <= 3 * len(RULES)
