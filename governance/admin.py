"""The admin reads declarations, gates and sign-offs (they are recorded through the services
and audited) and sets up panels, again through the services."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from accounts.models import Membership
from governance.models import (
    ConflictManagement,
    Declaration,
    Gate,
    Interest,
    Panel,
    PanelMember,
    SignOff,
)
from governance.services import panels as panel_services


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


# Panels: set up by administrators; every change goes through the services, so it is audited.


class PanelMemberFormSet(BaseInlineFormSet):
    """The service's rules, checked before saving so the admin shows them as form errors."""

    def clean(self):
        super().clean()
        chairs = 0
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not data.get("user") or data.get("DELETE"):
                continue
            chairs += bool(data.get("is_chair"))
            organisation = self.instance.organisation if self.instance.organisation_id else None
            if (
                organisation
                and not Membership.objects.filter(
                    user=data["user"],
                    organisation=organisation,
                    role__in=panel_services.PANEL_ROLES,
                ).exists()
            ):
                form.add_error(
                    "user",
                    f"{data['user']} must be a panel member or chair of {organisation} to sit "
                    "on its panel",
                )
        if chairs > 1:
            raise ValidationError("A panel has one chair")


class PanelMemberInline(admin.TabularInline):
    model = PanelMember
    formset = PanelMemberFormSet
    extra = 1
    fields = ["user", "is_chair"]
    autocomplete_fields = ["user"]


class PanelForm(forms.ModelForm):
    class Meta:
        model = Panel
        fields = [
            "organisation",
            "name",
            "is_default",
            "quorum",
            "remind_after_days",
            "escalate_after_days",
        ]

    def clean(self):
        data = super().clean()
        try:
            panel_services.check_thresholds(
                data.get("quorum"), data.get("remind_after_days"), data.get("escalate_after_days")
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        return data


@admin.register(Panel)
class PanelAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "is_default", "quorum", "remind_after_days"]
    list_select_related = ["organisation"]
    search_fields = ["name", "organisation__name"]
    fields = [
        "organisation",
        "name",
        "is_default",
        "quorum",
        "remind_after_days",
        "escalate_after_days",
    ]
    form = PanelForm
    inlines = [PanelMemberInline]

    def get_readonly_fields(self, request, obj=None):
        return ["organisation", "name", "is_default"] if obj else []

    def has_delete_permission(self, request, obj=None):
        return False  # reviews refer to their panel

    def save_model(self, request, obj, form, change):
        if change:
            saved = panel_services.panel_settings_update(
                panel=obj,
                quorum=obj.quorum,
                remind_after_days=obj.remind_after_days,
                escalate_after_days=obj.escalate_after_days,
                actor=request.user,
            )
        else:
            saved = panel_services.panel_create(
                organisation=obj.organisation,
                name=obj.name,
                quorum=obj.quorum,
                remind_after_days=obj.remind_after_days,
                escalate_after_days=obj.escalate_after_days,
                is_default=obj.is_default,
                actor=request.user,
            )
        obj.pk = saved.pk

    def save_formset(self, request, form, formset, change):
        panel = form.instance
        # What the admin's change message reads (normally set by formset.save()).
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for deleted in formset.deleted_forms:
            if deleted.instance.pk:
                panel_services.panel_member_remove(member=deleted.instance, actor=request.user)
                formset.deleted_objects.append(deleted.instance)
        for inline_form in formset.forms:
            if not inline_form.has_changed() or inline_form in formset.deleted_forms:
                continue
            data = inline_form.cleaned_data
            if data.get("user"):
                member = panel_services.panel_member_add(
                    panel=panel, user=data["user"], is_chair=data["is_chair"], actor=request.user
                )
                if inline_form.instance.pk:
                    formset.changed_objects.append((member, inline_form.changed_data))
                else:
                    formset.new_objects.append(member)


@admin.register(Gate)
class GateAdmin(ReadOnlyAdmin):
    list_display = ["project", "kind", "status", "round", "opened_at", "decided_at"]
    list_filter = ["kind", "status"]
    search_fields = ["project__reference", "project__title"]
    list_select_related = ["project"]


@admin.register(SignOff)
class SignOffAdmin(ReadOnlyAdmin):
    list_display = ["gate", "reviewer", "round", "decision", "created_at"]
    list_filter = ["decision"]
    list_select_related = ["gate__project", "reviewer"]
