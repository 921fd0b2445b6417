from django.forms.renderers import TemplatesSetting


class NHSFormRenderer(TemplatesSetting):
    """Render every form, the portal's and allauth's, with NHS.UK frontend markup."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"
