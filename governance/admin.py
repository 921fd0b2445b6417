"""Declarations are read in the admin; they are recorded through the service (and audited)."""

from django.contrib import admin

from governance.models import ConflictManagement, Declaration, Interest


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class InterestInline(admin.TabularInline):
    model = Interest
    extra = 0
    can_delete = False
    fields = [
        "category",
        "interest_type",
        "description",
        "organisation_name",
        "start_date",
        "end_date",
        "became_aware_on",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Declaration)
class DeclarationAdmin(ReadOnlyAdmin):
    list_display = ["person", "project", "year", "role", "nil_return", "declared_at"]
    list_filter = ["role", "nil_return", "year"]
    search_fields = ["person__email", "person__last_name", "project__reference", "project__title"]
    list_select_related = ["person", "project"]
    date_hierarchy = "declared_at"
    inlines = [InterestInline]


@admin.register(ConflictManagement)
class ConflictManagementAdmin(ReadOnlyAdmin):
    list_display = ["interest", "excludes_from_decision", "recorded_by", "recorded_at"]
    list_filter = ["excludes_from_decision"]
    list_select_related = ["interest", "recorded_by"]
