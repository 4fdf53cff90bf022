"""Admin for the studio's data, usable by staff and owner."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _
from translated_fields.admin import TranslatedFieldAdmin

from studio import permissions
from studio.forms import bound_policies
from studio.models import (
    Room,
    Service,
    ServiceLength,
    Studio,
    Therapist,
    TimeOff,
    Weekday,
    WorkingHours,
)
from studio.translated import columns


class StudioAdminForm(forms.ModelForm):
    """The studio's page in the admin: its booking policies within the owner's page's bounds.

    The admin builds the model form from this one, with the fields it shows.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bound_policies(self.fields)


@admin.register(Studio)
class StudioAdmin(TranslatedFieldAdmin, admin.ModelAdmin):
    form = StudioAdminForm
    list_display = ["name", "min_notice_minutes", "horizon_days", "hold_minutes"]

    def has_add_permission(self, request):
        return not Studio.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False


class ServiceLengthInline(admin.TabularInline):
    model = ServiceLength
    extra = 1
    min_num = 1


@admin.register(Service)
class ServiceAdmin(TranslatedFieldAdmin, admin.ModelAdmin):
    list_display = ["name", "buffer_minutes", "requires_assessment", "is_active", "position"]
    list_editable = ["position", "is_active"]
    prepopulated_fields = {"slug": ["name_en"]}
    filter_horizontal = ["rooms"]
    inlines = [ServiceLengthInline]
    search_fields = columns("name")


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active"]
    prepopulated_fields = {"slug": ["name"]}


class WorkingHoursFormSet(BaseInlineFormSet):
    """Refuse overlapping hours among the rows of one save, which the model cannot see yet."""

    def clean(self):
        super().clean()
        rows = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        for index, row in enumerate(rows):
            for other in rows[index + 1 :]:
                if (
                    row.get("weekday") == other.get("weekday")
                    and row.get("starts")
                    and row.get("ends")
                    and other.get("starts")
                    and other.get("ends")
                    and row["starts"] < other["ends"]
                    and other["starts"] < row["ends"]
                ):
                    raise ValidationError(
                        _("Two rows of working hours overlap on %(day)s.")
                        % {"day": Weekday(row["weekday"]).label}
                    )


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    formset = WorkingHoursFormSet
    extra = 0


@admin.register(Therapist)
class TherapistAdmin(TranslatedFieldAdmin, admin.ModelAdmin):
    list_display = ["display_name", "user", "is_active"]
    prepopulated_fields = {"slug": ["display_name"]}
    filter_horizontal = ["services"]
    inlines = [WorkingHoursInline]
    search_fields = ["display_name", "user__email"]
    autocomplete_fields = ["user"]

    def get_readonly_fields(self, request, obj=None):
        # The linked account reads this therapist's clients' answers: only the owner links.
        fields = list(super().get_readonly_fields(request, obj))
        if not permissions.can_link_accounts(request.user):
            fields.append("user")
        return fields


@admin.register(TimeOff)
class TimeOffAdmin(admin.ModelAdmin):
    list_display = ["therapist", "kind", "start_at", "end_at", "reason"]
    list_filter = ["kind", "therapist"]
    date_hierarchy = "start_at"


admin.site.site_header = _("Calma administration")
admin.site.site_title = _("Calma")
