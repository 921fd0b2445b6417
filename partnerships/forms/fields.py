"""Form fields the portal's forms share: the NHS.UK date input (day, month and year), and
money in pounds and pence."""

import datetime
import re
from decimal import Decimal, InvalidOperation

from django import forms

from partnerships.services.measures import measure_number


class DateInput(forms.MultiWidget):
    """NHS.UK date input: day, month and year boxes."""

    template_name = "partnerships/section_date_widget.html"
    use_fieldset = True

    def __init__(self, attrs=None):
        day_month = {
            "class": "nhsuk-date-input__input nhsuk-input--width-2",
            "inputmode": "numeric",
        }
        year = {"class": "nhsuk-date-input__input nhsuk-input--width-4", "inputmode": "numeric"}
        widgets = {
            "day": forms.TextInput(attrs=day_month),
            "month": forms.TextInput(attrs=day_month),
            "year": forms.TextInput(attrs=year),
        }
        super().__init__(widgets, attrs)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        # The day box takes the field's own id, so the error summary's link lands on it.
        subwidgets = context["widget"]["subwidgets"]
        if subwidgets and context["widget"]["attrs"].get("id"):
            subwidgets[0]["attrs"]["id"] = context["widget"]["attrs"]["id"]
        return context

    def decompress(self, value):
        if isinstance(value, datetime.date):
            return [value.day, value.month, value.year]
        return [None, None, None]


class DateField(forms.Field):
    """A date entered as day, month and year, with the NHS.UK error messages."""

    widget = DateInput

    def __init__(self, **kwargs):
        kwargs.setdefault("template_name", "partnerships/section_date_field.html")
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.date):
            return value
        day, month, year = (str(part or "").strip() for part in value)
        label = self.label or "Date"
        if not (day or month or year):
            return None
        missing = [
            name for name, part in (("day", day), ("month", month), ("year", year)) if not part
        ]
        if missing:
            raise forms.ValidationError(
                f"{label} must include a {' and a '.join(missing)}", code="incomplete"
            )
        try:
            parts = int(day), int(month), int(year)
        except ValueError:
            raise forms.ValidationError(f"{label} must be a real date", code="invalid") from None
        if len(str(parts[2])) != 4:
            raise forms.ValidationError(f"{label} year must include 4 numbers", code="invalid")
        try:
            return datetime.date(parts[2], parts[1], parts[0])
        except (ValueError, OverflowError):  # a day or month too large for a C long
            raise forms.ValidationError(f"{label} must be a real date", code="invalid") from None

    def has_changed(self, initial, data):
        try:
            return self.to_python(data) != initial
        except forms.ValidationError:
            return True


NEGATIVE = "Enter an amount of £0 or more"


MAX_POUNDS = Decimal("999999999999.99")  # 14 digits, 2 after the point (the model's limit)


class NumberField(forms.CharField):
    """A number typed as text: the numeric keyboard on phones, no spellcheck, a narrow box."""

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update(
            {"inputmode": "decimal", "class": "nhsuk-input--width-10", "spellcheck": "false"}
        )
        return attrs


class MeasureNumberField(NumberField):
    """A measure's number: a baseline, a target or a reported value, with commas or a per
    cent sign if typed (partnerships.services.measures.measure_number checks it).
    ``number_label`` names it in the error messages."""

    def __init__(self, *, number_label: str, **kwargs):
        self.number_label = number_label
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, str) or value is None:
            return value
        text = f"{value:f}"
        return text.rstrip("0").rstrip(".") if "." in text else text

    def to_python(self, value):
        return measure_number(super().to_python(value), label=self.number_label)


class MoneyField(NumberField):
    """Pounds and pence as a Decimal with 2 places. Accepts 50000, 50,000, £50,000.00."""

    default_error_messages = {
        "invalid": "Enter an amount in pounds, like 50000 or 50,000.00",
        "negative": NEGATIVE,
        "pence": "Enter the amount to the nearest penny, like 1250.50",
        "too_big": "Enter an amount less than £1,000,000,000,000",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("template_name", "partnerships/partner_money_field.html")
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return f"{value:.2f}"
        return value

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        text = re.sub(r"\s+", "", value).replace("£", "").replace(",", "")
        if len(text) > 30:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        # The minus sign may come before or after the pound sign; either way it is negative.
        if not re.fullmatch(r"[-−]?\d*(\.\d*)?", text) or not re.search(r"\d", text):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        text = text.replace("−", "-")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if amount < 0:
            raise forms.ValidationError(self.error_messages["negative"], code="negative")
        # Too big first: quantizing a number of more than 26 digits overflows Decimal's precision.
        if amount > MAX_POUNDS:
            raise forms.ValidationError(self.error_messages["too_big"], code="too_big")
        if amount != amount.quantize(Decimal("0.01")):
            raise forms.ValidationError(self.error_messages["pence"], code="pence")
        return amount.quantize(Decimal("0.01"))
