from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "outcomes"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # partnerships may not import outcomes: closing a project is refused there, through
        # this hook, until the final report and its outcome summary are published.
        from outcomes.services.final_report import closure_check
        from partnerships.services.projects import register_transition_hook

        register_transition_hook(closure_check)
