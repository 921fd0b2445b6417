from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "governance"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # partnerships may not import governance, so governance hands it what it needs:
        # the gates' states for the status page, and the gates' reaction to a submission.
        from governance.selectors.gates import gate_rows
        from governance.services.gates import gates_on_transition
        from partnerships.services.projects import register_transition_hook
        from partnerships.views.projects import register_gate_rows

        register_gate_rows(gate_rows)
        register_transition_hook(gates_on_transition)
