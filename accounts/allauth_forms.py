"""allauth's forms with the portal's wording: British English, sentence case."""

from allauth.account import forms as allauth_forms


class Relabelled:
    """Replace allauth's field labels with ``labels``, and drop placeholders."""

    labels: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in self.labels.items():
            if name in self.fields:
                self.fields[name].label = label
                self.fields[name].widget.attrs.pop("placeholder", None)


NEW_PASSWORD = {"password1": "New password", "password2": "Confirm your new password"}


class LoginForm(Relabelled, allauth_forms.LoginForm):
    labels = {"login": "Email address", "password": "Password"}


class ResetPasswordForm(Relabelled, allauth_forms.ResetPasswordForm):
    labels = {"email": "Email address"}


class ResetPasswordKeyForm(Relabelled, allauth_forms.ResetPasswordKeyForm):
    labels = NEW_PASSWORD


class ChangePasswordForm(Relabelled, allauth_forms.ChangePasswordForm):
    labels = {"oldpassword": "Current password", **NEW_PASSWORD}


class SetPasswordForm(Relabelled, allauth_forms.SetPasswordForm):
    labels = {"password1": "Password", "password2": "Confirm your password"}


class AddEmailForm(Relabelled, allauth_forms.AddEmailForm):
    labels = {"email": "Email address"}
