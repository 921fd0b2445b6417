"""Identifiers of NHS bodies and companies, normalised and checked."""

import re

from django.core.exceptions import ValidationError

ODS_CODE_RE = re.compile(r"^(?=.*[A-Z])[A-Z0-9]{3,6}$")
COMPANIES_HOUSE_RE = re.compile(r"^(?:\d{8}|[A-Z]{2}\d{6}|R0\d{6})$")


def normalise_ods_code(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def normalise_companies_house_number(value: str) -> str:
    value = re.sub(r"\s+", "", value or "").upper()
    if value.isdigit() and len(value) < 8:
        value = value.zfill(8)
    return value


def validate_ods_code(value: str) -> None:
    if not ODS_CODE_RE.match(normalise_ods_code(value)):
        raise ValidationError(
            "Enter an ODS code of 3 to 6 letters and numbers, like QJM or RXX",
            code="invalid_ods_code",
        )


def validate_companies_house_number(value: str) -> None:
    if not COMPANIES_HOUSE_RE.match(normalise_companies_house_number(value)):
        raise ValidationError(
            "Enter a Companies House number of 8 characters, like 01234567 or SC123456",
            code="invalid_companies_house_number",
        )
