"""Outcome measures (DESIGN rule 5): the services, their pages and the submission rule (the
outcome measures gate that checks them: tests/governance/test_outcome_gate.py)."""

import datetime
import re
from decimal import Decimal
from html import escape

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from partnerships.models import Objective, OutcomeMeasure, Partner, Project, ProjectEvent
from partnerships.services import measures as measure_services
from partnerships.services import partners as partner_services
from partnerships.services.projects import open_sections_set, project_transition, section_save
from tests.factories import CompanyFactory, OrganisationFactory, complete_measure, draft_project

pytestmark = pytest.mark.django_db


def url(name, project, *args):
    return reverse(f"partnerships:{name}", args=[project.pk, *args])


def lead_partner(project):
    return Partner.objects.get(project=project, is_lead=True)


def measure_of(project):
    return OutcomeMeasure.objects.get(project=project)


def add(project, actor, **overrides):
    objective = overrides.pop("objective", None) or project.objectives.first()
    owner = overrides.pop("owner", None) or lead_partner(project)
    data = complete_measure(objective=objective, owner=owner, **overrides)
    return measure_services.outcome_measure_add(project=project, data=data, actor=actor)


def errors_of(exc_info) -> dict:
    return {field: errors[0] for field, errors in exc_info.value.message_dict.items()}


@pytest.fixture
def aims(draft, partnership_lead):
    """A draft with two objectives and nothing measured."""
    return section_save(
        project=draft,
        key="aims",
        data={"objectives": ["Review every patient", "Reduce admissions"]},
        actor=partnership_lead,
    )


# The services --------------------------------------------------------------------------


def test_lead_adds_a_measure_and_the_timeline_and_audit_trail_record_it(aims, partnership_lead):
    measure = add(
        aims,
        partnership_lead,
        name="Emergency admissions",
        unit="admissions a year",
        direction="lower",
        baseline_value=Decimal("1520"),
        target_value=Decimal("1220"),
    )

    assert measure.project == aims and measure.objective.number == 1
    assert measure.owner == lead_partner(aims)
    assert measure.baseline_display == "1,520 admissions a year"
    assert measure.target_display == "1,220 admissions a year"
    event = ProjectEvent.objects.filter(project=aims, action="measure_add").get()
    assert event.description == "Added the outcome measure “Emergency admissions” to objective 1"
    audit = AuditEvent.objects.filter(action="project.measure_add").get()
    assert audit.after["changes"]["baseline_value"] == ["", "1520.0000"]
    assert audit.after["changes"]["owner"] == ["", "NHS Testshire Integrated Care Board"]


def test_a_measure_can_be_saved_before_its_baseline_and_target_are_known(aims, partnership_lead):
    measure = add(
        aims,
        partnership_lead,
        baseline_value=None,
        baseline_date=None,
        target_value=None,
        target_date=None,
        data_source="",
    )
    assert measure.baseline_value is None and measure.frequency == "quarterly"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": "  "}, "name", "Enter the name of the measure"),
        ({"name": "x" * 201}, "name", "Name must be 200 characters or fewer"),
        ({"unit": ""}, "unit", "Enter the unit the measure is counted in"),
        ({"objective": None}, "objective", "Select the objective the measure serves"),
        ({"owner": None}, "owner", "Select the partner who owns the measure"),
        (
            {"direction": "sideways"},
            "direction",
            "Select whether a higher or a lower value is better",
        ),
        ({"frequency": "weekly"}, "frequency", "Select how often the data is collected"),
        (
            {"baseline_value": "lots"},
            "baseline_value",
            "Enter the baseline value as a number, like 1520 or 12.5",
        ),
        (
            {"target_value": "1.23456"},
            "target_value",
            "Enter the target value with no more than 4 decimal places",
        ),
        (
            {"target_value": "10000000000"},
            "target_value",
            "Enter a target value smaller than 10,000,000,000",
        ),
        (
            {"target_date": datetime.date(2026, 3, 31)},
            "target_date",
            "The target date must be after the baseline date",
        ),
        (
            {"target_value": Decimal("20")},
            "target_value",
            "Higher is better for this measure, so the target cannot be lower than the baseline",
        ),
        (
            {"direction": "lower"},
            "target_value",
            "Lower is better for this measure, so the target cannot be higher than the baseline",
        ),
    ],
)
def test_what_is_given_must_be_valid(aims, partnership_lead, overrides, field, message):
    data = complete_measure(objective=aims.objectives.first(), owner=lead_partner(aims))
    data.update(overrides)
    with pytest.raises(ValidationError) as refused:
        measure_services.outcome_measure_add(project=aims, data=data, actor=partnership_lead)
    assert errors_of(refused)[field] == message
    assert not OutcomeMeasure.objects.exists()
    assert not ProjectEvent.objects.filter(action="measure_add").exists()


def test_every_problem_is_reported_at_once(aims, partnership_lead):
    with pytest.raises(ValidationError) as refused:
        measure_services.outcome_measure_add(project=aims, data={}, actor=partnership_lead)
    assert set(errors_of(refused)) == {"objective", "name", "unit", "direction", "owner"}


def test_names_are_unique_within_a_project_whatever_their_case(aims, partnership_lead):
    add(aims, partnership_lead, name="Patients reviewed")
    with pytest.raises(ValidationError) as refused:
        add(aims, partnership_lead, name="patients REVIEWED")
    assert errors_of(refused)["name"] == (
        "The project already has an outcome measure called “patients REVIEWED”"
    )


def test_objective_and_owner_must_be_this_projects(aims, partnership_lead, icb, company):
    other = draft_project(lead_user=partnership_lead, lead_organisation=icb, title="Other")
    section_save(
        project=other, key="aims", data={"objectives": ["Elsewhere"]}, actor=partnership_lead
    )
    data = complete_measure(objective=other.objectives.get(), owner=lead_partner(other))
    with pytest.raises(ValidationError) as refused:
        measure_services.outcome_measure_add(project=aims, data=data, actor=partnership_lead)
    assert errors_of(refused) == {
        "objective": "Choose one of this project's objectives",
        "owner": "Choose one of this project's partners",
    }
    # Changing a measure checks the same.
    measure = add(aims, partnership_lead)
    with pytest.raises(ValidationError) as refused:
        measure_services.outcome_measure_update(
            project=aims,
            measure=measure,
            data={"objective": other.objectives.get()},
            actor=partnership_lead,
        )
    assert errors_of(refused) == {"objective": "Choose one of this project's objectives"}
    # And a measure is changed only through its own project.
    with pytest.raises(ValidationError, match="not part of this proposal"):
        measure_services.outcome_measure_remove(
            project=other, measure=measure, actor=partnership_lead
        )


def test_a_change_records_what_it_replaced_and_no_change_records_nothing(aims, partnership_lead):
    measure = add(aims, partnership_lead)
    second = aims.objectives.get(number=2)
    measure = measure_services.outcome_measure_update(
        project=aims,
        measure=measure,
        data={"objective": second, "target_value": Decimal("85.5")},
        actor=partnership_lead,
    )
    assert measure.objective == second and measure.target_value == Decimal("85.5")
    event = ProjectEvent.objects.get(project=aims, action="measure_update")
    assert event.description == "Changed the outcome measure “Patients reviewed”"
    audit = AuditEvent.objects.get(action="project.measure_update")
    assert audit.after["changes"] == {
        "objective": ["Objective 1", "Objective 2"],
        "target_value": ["80.0000", "85.5000"],
    }
    measure_services.outcome_measure_update(
        project=aims, measure=measure, data={"target_value": "85.50"}, actor=partnership_lead
    )
    assert ProjectEvent.objects.filter(project=aims, action="measure_update").count() == 1


def test_removing_a_measure_is_recorded(aims, partnership_lead):
    measure = add(aims, partnership_lead)
    measure_services.outcome_measure_remove(project=aims, measure=measure, actor=partnership_lead)
    assert not OutcomeMeasure.objects.exists()
    event = ProjectEvent.objects.get(project=aims, action="measure_remove")
    assert event.description == "Removed the outcome measure “Patients reviewed”"
    audit = AuditEvent.objects.get(action="project.measure_remove")
    assert audit.after["changes"]["baseline_value"] == ["30.0000", ""]


def test_measures_cannot_change_while_the_proposal_is_submitted(ready_proposal, partnership_lead):
    project = project_transition(project=ready_proposal, action="submit", actor=partnership_lead)
    measure = measure_of(project)
    attempts = [
        lambda: add(project, partnership_lead, name="Another"),
        lambda: measure_services.outcome_measure_update(
            project=project, measure=measure, data={"name": "Renamed"}, actor=partnership_lead
        ),
        lambda: measure_services.outcome_measure_remove(
            project=project, measure=measure, actor=partnership_lead
        ),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError, match="cannot be changed while it is submitted"):
            attempt()
    assert measure_of(project).name == "Patients reviewed"


def test_a_stale_copy_of_the_project_does_not_get_round_the_lock(ready_proposal, partnership_lead):
    """Someone submitted while the page was open: the service checks the locked row."""
    stale = Project.objects.get(pk=ready_proposal.pk)
    project_transition(project=ready_proposal, action="submit", actor=partnership_lead)
    with pytest.raises(ValidationError, match="cannot be changed while it is submitted"):
        add(stale, partnership_lead, name="Late")


def test_who_may_change_measures(
    ready_proposal, partnership_lead, deputy, industry_member, panel_member, outsider
):
    project = ready_proposal
    # The project lead and deputy may.
    add(project, partnership_lead, name="By the lead")
    add(project, deputy, name="By the deputy")
    # A team member from the company may not, until the lead opens the section to partners.
    for person in (industry_member, panel_member, outsider):
        with pytest.raises(PermissionDenied):
            add(project, person, name=f"By {person.pk}")
    open_sections_set(project=project, sections=["evaluation"], actor=partnership_lead)
    project = Project.objects.get(pk=project.pk)
    measure = add(project, industry_member, name="By the company")
    measure_services.outcome_measure_update(
        project=project, measure=measure, data={"unit": "people"}, actor=industry_member
    )
    measure_services.outcome_measure_remove(project=project, measure=measure, actor=industry_member)
    # The panel (which can see the project) and outsiders still may not.
    for person in (panel_member, outsider):
        with pytest.raises(PermissionDenied):
            add(project, person, name=f"By {person.pk}")


def test_a_partner_that_owns_measures_cannot_be_removed(ready_proposal, partnership_lead):
    charity = OrganisationFactory(name="Asthma Charity", kind="other", ods_code="")
    partner = partner_services.partner_add(
        project=ready_proposal, organisation=charity, actor=partnership_lead
    )
    measure = add(ready_proposal, partnership_lead, name="Owned by the charity", owner=partner)
    with pytest.raises(ValidationError, match="Asthma Charity owns outcome measures"):
        partner_services.partner_remove(partner=partner, actor=partnership_lead)
    measure_services.outcome_measure_update(
        project=ready_proposal,
        measure=measure,
        data={"owner": lead_partner(ready_proposal)},
        actor=partnership_lead,
    )
    partner_services.partner_remove(partner=partner, actor=partnership_lead)


# Objectives and their measures -----------------------------------------------------------


def test_measures_stay_with_their_objective_when_objectives_are_reordered_or_edited(
    aims, partnership_lead
):
    first = add(aims, partnership_lead, name="Reviews")
    second = add(aims, partnership_lead, name="Admissions", objective=aims.objectives.get(number=2))

    section_save(
        project=aims,
        key="aims",
        data={"objectives": ["Reduce admissions", "Review every patient"]},
        actor=partnership_lead,
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.objective.number, first.objective.description) == (2, "Review every patient")
    assert (second.objective.number, second.objective.description) == (1, "Reduce admissions")

    section_save(
        project=aims,
        key="aims",
        data={"objectives": ["Reduce emergency admissions", "Review every patient"]},
        actor=partnership_lead,
    )
    second.refresh_from_db()
    assert second.objective.description == "Reduce emergency admissions"
    assert Objective.objects.filter(project=aims).count() == 2


def test_an_objective_with_measures_cannot_be_removed(aims, partnership_lead):
    add(aims, partnership_lead, name="Admissions", objective=aims.objectives.get(number=2))
    with pytest.raises(ValidationError) as refused:
        section_save(
            project=aims,
            key="aims",
            data={"objectives": ["Review every patient"]},
            actor=partnership_lead,
        )
    assert errors_of(refused)["objectives"] == (
        "Objective 2, “Reduce admissions”, has outcome measures: move them to another "
        "objective or remove them before removing the objective"
    )
    assert [o.description for o in aims.objectives.all()] == [
        "Review every patient",
        "Reduce admissions",
    ]
    # Without measures it goes.
    section_save(
        project=aims, key="aims", data={"objectives": ["Reduce admissions"]}, actor=partnership_lead
    )
    assert [o.description for o in aims.objectives.all()] == ["Reduce admissions"]


# The submission rule -------------------------------------------------------------------


def test_an_objective_without_a_measure_blocks_submission_and_is_named(
    ready_proposal, partnership_lead
):
    section_save(
        project=ready_proposal,
        key="aims",
        data={
            "objectives": ["Review every patient on high-dose inhalers", "Train practice nurses"]
        },
        actor=partnership_lead,
    )
    with pytest.raises(ValidationError) as refused:
        project_transition(project=ready_proposal, action="submit", actor=partnership_lead)
    assert refused.value.messages == [
        "Outcome measures and evaluation: objective 2, “Train practice nurses”, has no outcome "
        "measure"
    ]
    assert Project.objects.get(pk=ready_proposal.pk).status == Project.Status.DRAFT


def test_a_measure_without_baseline_or_data_source_blocks_submission_and_is_named(
    ready_proposal, partnership_lead
):
    measure_services.outcome_measure_update(
        project=ready_proposal,
        measure=measure_of(ready_proposal),
        data={"baseline_value": None, "baseline_date": None, "data_source": ""},
        actor=partnership_lead,
    )
    with pytest.raises(ValidationError) as refused:
        project_transition(project=ready_proposal, action="submit", actor=partnership_lead)
    assert refused.value.messages == [
        "Outcome measures and evaluation: the outcome measure “Patients reviewed” has no "
        "baseline value, baseline date or data source"
    ]


# The pages -------------------------------------------------------------------------------


def form_data(project, **overrides):
    data = {
        "objective": str(project.objectives.first().pk),
        "name": "Emergency admissions",
        "unit": "admissions a year",
        "direction": "lower",
        "baseline_value": "1,520",
        "baseline_date_day": "31",
        "baseline_date_month": "3",
        "baseline_date_year": "2026",
        "target_value": "1220",
        "target_date_day": "30",
        "target_date_month": "9",
        "target_date_year": "2028",
        "data_source": "Secondary Uses Service (SUS) admissions data",
        "frequency": "quarterly",
        "owner": str(lead_partner(project).pk),
    }
    data.update(overrides)
    return data


def test_the_evaluation_page_lists_each_objectives_measures_with_links(
    client, aims, partnership_lead
):
    measure = add(aims, partnership_lead, baseline_value=Decimal("12.5"))
    client.force_login(partnership_lead)
    html = client.get(url("section-edit", aims, "evaluation")).content.decode()

    row = re.search(rf'data-testid="measure-{measure.pk}">(.*?)</tr>', html, re.S).group(1)
    assert "Patients reviewed" in row and "12.5%" in row and "80%" in row
    assert "31 March 2026" in row and "by 30 June 2028" in row
    assert "GP clinical system audit" in row and "Quarterly, owned by NHS Testshire" in row
    assert url("measure-edit", aims, measure.pk) in row
    assert url("measure-remove", aims, measure.pk) in row
    # Objective 2 has none yet: flagged, with a link to add one for it.
    assert 'data-testid="no-measure-objective-2"' in html
    second = aims.objectives.get(number=2)
    assert escape(f"{url('measure-add', aims)}?objective={second.pk}") in html
    assert "objective 2, “Reduce admissions”, has no outcome measure" in html


def test_lead_adds_a_measure_in_the_browser(client, aims, partnership_lead):
    client.force_login(partnership_lead)
    second = aims.objectives.get(number=2)
    page = client.get(f"{url('measure-add', aims)}?objective={second.pk}").content.decode()
    assert re.search(rf'<input type="radio" name="objective" value="{second.pk}"[^>]*checked', page)
    assert re.search(r'<input type="radio" name="frequency" value="quarterly"[^>]*checked', page)

    response = client.post(
        url("measure-add", aims), form_data(aims, objective=second.pk), follow=True
    )

    assert response.redirect_chain[-1][0] == url("section-edit", aims, "evaluation") + "#measures"
    assert "The outcome measure “Emergency admissions” has been added" in response.content.decode()
    measure = measure_of(aims)
    assert measure.objective == second
    assert measure.baseline_value == Decimal("1520") and measure.target_value == Decimal("1220")
    assert measure.baseline_date == datetime.date(2026, 3, 31)
    assert measure.target_date == datetime.date(2028, 9, 30)
    assert measure.direction == "lower" and measure.frequency == "quarterly"


def test_errors_show_in_the_summary_and_nothing_typed_is_lost(client, aims, partnership_lead):
    client.force_login(partnership_lead)
    response = client.post(
        url("measure-add", aims),
        form_data(
            aims,
            name="",
            baseline_value="about 1500",
            target_date_day="31",
            target_date_month="2",
            unit="admissions a year",
        ),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error: " in html and "There is a problem" in html
    summary = html[
        html.index("nhsuk-error-summary") : html.index("</ul>", html.index("nhsuk-error-summary"))
    ]
    assert '<a href="#id_name">Enter the name of the measure</a>' in summary
    assert "Enter the baseline value as a number, like 1520 or 12.5" in summary
    assert '<a href="#id_target_date">Target date must be a real date</a>' in summary
    # What was typed is still there.
    assert 'value="about 1500"' in html
    assert 'value="admissions a year"' in html
    assert re.search(
        r'name="target_date_day"[^>]*value="31"|value="31"[^>]*name="target_date_day"', html
    )
    assert re.search(
        r'name="target_date_month"[^>]*value="2"|value="2"[^>]*name="target_date_month"', html
    )
    assert 'value="Secondary Uses Service (SUS) admissions data"' in html
    assert not OutcomeMeasure.objects.exists()


def test_rules_the_service_checks_show_against_their_fields(client, aims, partnership_lead):
    client.force_login(partnership_lead)
    response = client.post(url("measure-add", aims), form_data(aims, target_value="1600"))
    html = response.content.decode()
    assert "<title>Error: " in html
    assert (
        '<a href="#id_target_value">Lower is better for this measure, so the target cannot be '
        "higher than the baseline</a>"
    ) in html
    assert 'value="1600"' in html
    assert not OutcomeMeasure.objects.exists()


def test_lead_changes_a_measure(client, aims, partnership_lead):
    measure = add(aims, partnership_lead)
    client.force_login(partnership_lead)
    page = client.get(url("measure-edit", aims, measure.pk)).content.decode()
    assert 'value="Patients reviewed"' in page and 'value="30"' in page
    assert re.search(r'name="baseline_date_year"[^>]*value="2026"', page)

    response = client.post(
        url("measure-edit", aims, measure.pk),
        form_data(
            aims,
            name="Patients reviewed",
            unit="%",
            direction="higher",
            baseline_value="30",
            target_value="85",
        ),
        follow=True,
    )
    assert "The outcome measure “Patients reviewed” has been saved" in response.content.decode()
    measure.refresh_from_db()
    assert measure.target_value == Decimal("85")
    assert measure.data_source == "Secondary Uses Service (SUS) admissions data"


def test_lead_removes_a_measure_after_confirming(client, aims, partnership_lead):
    measure = add(aims, partnership_lead)
    client.force_login(partnership_lead)
    page = client.get(url("measure-remove", aims, measure.pk)).content.decode()
    assert "Are you sure you want to remove the outcome measure “Patients reviewed”?" in page
    assert "1. Review every patient" in page
    assert OutcomeMeasure.objects.filter(pk=measure.pk).exists()

    response = client.post(url("measure-remove", aims, measure.pk), follow=True)

    assert "The outcome measure “Patients reviewed” has been removed" in response.content.decode()
    assert not OutcomeMeasure.objects.filter(pk=measure.pk).exists()


def test_a_measure_of_another_project_is_404(client, aims, partnership_lead, icb):
    other = draft_project(lead_user=partnership_lead, lead_organisation=icb, title="Other")
    section_save(
        project=other, key="aims", data={"objectives": ["Elsewhere"]}, actor=partnership_lead
    )
    elsewhere = add(other, partnership_lead)
    client.force_login(partnership_lead)
    assert client.get(url("measure-edit", aims, elsewhere.pk)).status_code == 404
    assert client.post(url("measure-remove", aims, elsewhere.pk)).status_code == 404
    assert OutcomeMeasure.objects.filter(pk=elsewhere.pk).exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [("outsider", 404), ("panel_member", 403), ("industry_member", 403), ("auditor", 403)],
)
def test_others_cannot_use_the_measure_pages(client, request, ready_proposal, who, status):
    measure = measure_of(ready_proposal)
    client.force_login(request.getfixturevalue(who))
    for address in (
        url("measure-add", ready_proposal),
        url("measure-edit", ready_proposal, measure.pk),
        url("measure-remove", ready_proposal, measure.pk),
    ):
        assert client.get(address).status_code == status, address
        assert client.post(address, form_data(ready_proposal)).status_code == status, address
    measure.refresh_from_db()
    assert measure.name == "Patients reviewed" and OutcomeMeasure.objects.count() == 1


def test_the_company_member_uses_the_pages_once_the_section_is_opened(
    client, ready_proposal, partnership_lead, industry_member
):
    open_sections_set(project=ready_proposal, sections=["evaluation"], actor=partnership_lead)
    client.force_login(industry_member)
    response = client.post(url("measure-add", ready_proposal), form_data(ready_proposal))
    assert response.status_code == 302
    assert OutcomeMeasure.objects.filter(project=ready_proposal).count() == 2


def test_check_your_answers_shows_the_measures_under_the_evaluation_section(
    client, ready_proposal, partnership_lead
):
    client.force_login(partnership_lead)
    html = client.get(url("proposal-check", ready_proposal)).content.decode()
    card = html[html.index('id="section-evaluation"') : html.index('id="section-governance"')]
    assert "Objective 1: Review every patient on high-dose inhalers" in card
    for text in (
        "Patients reviewed",
        "Higher is better",
        "30% (31 March 2026)",
        "80% by 30 June 2028",
        "GP clinical system audit",
        "Quarterly",
        "NHS Testshire Integrated Care Board",
    ):
        assert text in card, text


def test_evaluation_page_queries_do_not_grow_with_measures(
    client, aims, partnership_lead, django_assert_max_num_queries
):
    client.force_login(partnership_lead)
    address = url("section-edit", aims, "evaluation")
    add(aims, partnership_lead, name="Measure 0")
    client.get(address)  # warm up: sessions, content types
    with CaptureQueriesContext(connection) as small:
        assert client.get(address).status_code == 200
    company = CompanyFactory()
    partner = partner_services.partner_add(
        project=aims, organisation=company, actor=partnership_lead
    )
    for n in range(1, 9):
        objective = aims.objectives.get(number=1 + n % 2)
        add(aims, partnership_lead, name=f"Measure {n}", objective=objective, owner=partner)
    with django_assert_max_num_queries(len(small)):
        response = client.get(address)
    assert response.content.decode().count('data-testid="measure-') == 9
