"""Outcome measures: part of the proposal's "Outcome measures and evaluation" section.

DESIGN rule 5: outcomes are agreed before approval. A measure may be saved before its
baseline or target is known; ``sections.measure_problems`` says what is still missing
before the proposal can be submitted, and the outcome measures gate checks the same.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.models import User
from partnerships.models import (
    MEASURE_DIGITS,
    MEASURE_PLACES,
    Objective,
    OutcomeMeasure,
    Partner,
    Project,
)
from partnerships.selectors import projects as selectors
from partnerships.services.projects import _lock_editable, event_record

SECTION = "evaluation"
FIELDS = (
    "objective",
    "name",
    "unit",
    "direction",
    "baseline_value",
    "baseline_date",
    "target_value",
    "target_date",
    "data_source",
    "frequency",
    "owner",
)
# What must be given to save a measure at all (the rest can follow before submission).
REQUIRED = {
    "objective": "Select the objective the measure serves",
    "name": "Enter the name of the measure",
    "unit": "Enter the unit the measure is counted in",
    "direction": "Select whether a higher or a lower value is better",
    "frequency": "Select how often the data is collected",
    "owner": "Select the partner who owns the measure",
}
MAX_LENGTHS = {"name": 200, "unit": 100, "data_source": 200}
TEXT_LABELS = {"name": "Name", "unit": "Unit", "data_source": "Data source"}
VALUE_LABELS = {"baseline_value": "baseline value", "target_value": "target value"}
LIMIT = Decimal(10) ** (MEASURE_DIGITS - MEASURE_PLACES)
STEP = Decimal(1).scaleb(-MEASURE_PLACES)


def _refuse_unless_allowed(actor: User, project: Project) -> None:
    if selectors.can_edit_section(actor, project, SECTION):
        return
    if project.is_editable or not selectors.can_comment(actor, project):
        raise PermissionDenied("You cannot change this project's outcome measures")
    raise ValidationError(
        f"The proposal cannot be changed while it is {project.get_status_display().lower()}"
    )


def measure_number(value, *, label: str) -> Decimal | None:
    """A measure's number (a baseline, a target or a reported value) as a Decimal, None when
    not given. Text may have commas between thousands and a per cent sign. ``label`` names
    it in the error messages ("baseline value", "value for “Admissions”")."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = value if isinstance(value, Decimal) else str(value)
    if isinstance(text, str):
        text = "".join(text.split()).replace(",", "").removesuffix("%").replace("−", "-")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        raise ValidationError(f"Enter the {label} as a number, like 1520 or 12.5")
    if abs(amount) >= LIMIT:
        raise ValidationError(f"Enter a {label} smaller than {LIMIT:,}")
    if amount != amount.quantize(STEP):
        raise ValidationError(
            f"Enter the {label} with no more than {MEASURE_PLACES} decimal places"
        )
    return amount.quantize(STEP)


def measure_value(name: str, value) -> Decimal | None:
    """A baseline or target value (``name`` is the field) as a Decimal, None when not given."""
    return measure_number(value, label=VALUE_LABELS[name])


def _value(name: str, value, errors: dict) -> Decimal | None:
    try:
        return measure_value(name, value)
    except ValidationError as exc:
        errors[name] = exc.messages[0]
        return None


def _clean(values: dict) -> dict:
    """Check everything that does not need the database; raise every problem at once."""
    errors, cleaned = {}, {}
    for name in ("name", "unit", "data_source"):
        text = " ".join(str(values.get(name) or "").split())
        if len(text) > MAX_LENGTHS[name]:
            errors[name] = f"{TEXT_LABELS[name]} must be {MAX_LENGTHS[name]} characters or fewer"
        cleaned[name] = text
    for name in ("baseline_value", "target_value"):
        cleaned[name] = _value(name, values.get(name), errors)
    for name in ("baseline_date", "target_date"):
        date = values.get(name)
        if date is not None and not isinstance(date, datetime.date):
            errors[name] = "Enter a real date"
            date = None
        cleaned[name] = date
    cleaned["direction"] = values.get("direction") or ""
    if cleaned["direction"] and cleaned["direction"] not in OutcomeMeasure.Direction.values:
        errors["direction"] = REQUIRED["direction"]
    cleaned["frequency"] = values.get("frequency") or ""
    if cleaned["frequency"] and cleaned["frequency"] not in OutcomeMeasure.Frequency.values:
        errors["frequency"] = REQUIRED["frequency"]
    cleaned["objective"] = values.get("objective")
    cleaned["owner"] = values.get("owner")
    for name, message in REQUIRED.items():
        if not cleaned[name] and name not in errors:
            errors[name] = message

    baseline_date, target_date = cleaned["baseline_date"], cleaned["target_date"]
    if baseline_date and target_date and target_date <= baseline_date:
        errors.setdefault("target_date", "The target date must be after the baseline date")
    baseline, target = cleaned["baseline_value"], cleaned["target_value"]
    if baseline is not None and target is not None and "target_value" not in errors:
        direction = cleaned["direction"]
        if direction == OutcomeMeasure.Direction.HIGHER and target < baseline:
            errors["target_value"] = (
                "Higher is better for this measure, so the target cannot be lower than the baseline"
            )
        if direction == OutcomeMeasure.Direction.LOWER and target > baseline:
            errors["target_value"] = (
                "Lower is better for this measure, so the target cannot be higher than the baseline"
            )
    if errors:
        raise ValidationError(errors)
    return cleaned


def _relations(project: Project, cleaned: dict, *, exclude: int | None = None) -> dict:
    """The objective and the owner must be this project's; the name unique within it.
    Checked with the project row locked, so nothing is removed or renamed meanwhile."""
    errors = {}
    objective = Objective.objects.filter(
        pk=getattr(cleaned["objective"], "pk", cleaned["objective"]), project=project
    ).first()
    if objective is None:
        errors["objective"] = "Choose one of this project's objectives"
    owner = (
        Partner.objects.select_related("organisation")
        .filter(pk=getattr(cleaned["owner"], "pk", cleaned["owner"]), project=project)
        .first()
    )
    if owner is None:
        errors["owner"] = "Choose one of this project's partners"
    same_name = OutcomeMeasure.objects.filter(project=project, name__iexact=cleaned["name"])
    if same_name.exclude(pk=exclude).exists():
        errors["name"] = f"The project already has an outcome measure called “{cleaned['name']}”"
    if errors:
        raise ValidationError(errors)
    return {**cleaned, "objective": objective, "owner": owner}


def _shown(name: str, value) -> str:
    if value is None:
        return ""
    if name == "objective":
        return f"Objective {value.number}"
    if name == "owner":
        return value.organisation.name
    return str(value)


def _snapshot(measure: OutcomeMeasure) -> dict:
    return {name: _shown(name, getattr(measure, name)) for name in FIELDS}


def outcome_measure_add(*, project: Project, data: dict, actor: User) -> OutcomeMeasure:
    """Add a measure to one of the project's objectives."""
    _refuse_unless_allowed(actor, project)
    cleaned = _clean({"frequency": OutcomeMeasure.Frequency.QUARTERLY, **data})
    with transaction.atomic():
        locked = _lock_editable(project)
        cleaned = _relations(locked, cleaned)
        measure = OutcomeMeasure.objects.create(project=locked, **cleaned)
        event_record(
            project=locked,
            actor=actor,
            action="measure_add",
            description=f"Added the outcome measure “{measure.name}” to objective "
            f"{measure.objective.number}",
            changes={name: ["", value] for name, value in _snapshot(measure).items() if value},
        )
    return measure


def _measure_of(project: Project, measure: OutcomeMeasure) -> OutcomeMeasure:
    found = (
        OutcomeMeasure.objects.select_for_update(of=("self",))
        .select_related("objective", "owner__organisation")
        .filter(pk=measure.pk, project=project)
        .first()
    )
    if found is None:
        raise ValidationError("That outcome measure is not part of this proposal")
    return found


def outcome_measure_update(
    *, project: Project, measure: OutcomeMeasure, data: dict, actor: User
) -> OutcomeMeasure:
    """Change a measure; what ``data`` leaves out stays as it is."""
    _refuse_unless_allowed(actor, project)
    if measure.project_id != project.pk:
        raise ValidationError("That outcome measure is not part of this proposal")
    cleaned = _clean({**{name: getattr(measure, name) for name in FIELDS}, **data})
    with transaction.atomic():
        locked = _lock_editable(project)
        current = _measure_of(locked, measure)
        cleaned = _relations(locked, cleaned, exclude=current.pk)
        before = _snapshot(current)
        for name, value in cleaned.items():
            setattr(current, name, value)
        after = _snapshot(current)
        changes = {
            name: [before[name], after[name]] for name in FIELDS if before[name] != after[name]
        }
        if changes:
            current.save()
            event_record(
                project=locked,
                actor=actor,
                action="measure_update",
                description=f"Changed the outcome measure “{current.name}”",
                changes=changes,
            )
    return current


def outcome_measure_remove(*, project: Project, measure: OutcomeMeasure, actor: User) -> None:
    _refuse_unless_allowed(actor, project)
    if measure.project_id != project.pk:
        raise ValidationError("That outcome measure is not part of this proposal")
    with transaction.atomic():
        locked = _lock_editable(project)
        current = _measure_of(locked, measure)
        before = _snapshot(current)
        current.delete()
        event_record(
            project=locked,
            actor=actor,
            action="measure_remove",
            description=f"Removed the outcome measure “{before['name']}”",
            changes={name: [value, ""] for name, value in before.items() if value},
        )
