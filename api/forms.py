import datetime

from django import forms
from django.conf import settings
from django.utils import timezone

from api.models import ApiToken
from api.services import max_expiry_date
from partnerships.forms.fields import DateField


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Token name",
        max_length=100,
        help_text="What the token is for, so you can recognise it later. For example, "
        "“Trust reporting system”.",
        error_messages={
            "required": "Enter a name for the token, so you can recognise it later",
            "max_length": "The name must be 100 characters or fewer",
        },
    )
    scope = forms.ChoiceField(
        label="What can the token do?",
        choices=[
            (ApiToken.Scope.READ, "Read only: see what you can see in the portal"),
            (
                ApiToken.Scope.WRITE,
                "Read and write: also change proposals, sign off, declare and report, "
                "as you can in the portal",
            ),
        ],
        widget=forms.RadioSelect,
        initial=ApiToken.Scope.READ,
        error_messages={"required": "Select what the token can do"},
    )
    expires_on = DateField(label="Expiry date", required=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        latest = max_expiry_date()
        suggested = timezone.localdate() + datetime.timedelta(days=90)
        self.fields["expires_on"].help_text = (
            f"The token stops working at the end of this day. At most "
            f"{settings.PORTAL_API_TOKEN_MAX_DAYS} days from today, so on or before "
            f"{latest.day} {latest:%B %Y}. For example, {suggested.day} {suggested.month} "
            f"{suggested.year}"
        )
        self.fields["expires_on"].error_messages["required"] = "Enter the date the token expires"
