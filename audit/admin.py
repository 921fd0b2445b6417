from django.contrib import admin

from audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: nobody adds, changes or deletes an audit event."""

    list_display = ["seq", "created_at", "actor_label", "action", "object_repr", "ip"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_repr", "actor_label", "object_id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
