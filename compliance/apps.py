from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    """The compliance check over every project: reads the other apps, writes nothing."""

    name = "compliance"
    default_auto_field = "django.db.models.BigAutoField"
