"""Admin for clients and bookings. Bookings are changed through the calendar, so read-only here."""

from django.contrib import admin

from bookings.models import Booking, Client, Notification


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "phone", "created_at", "erased_at"]
    search_fields = ["name", "email", "phone"]
    readonly_fields = ["created_at", "erased_at"]
    autocomplete_fields = ["user"]


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    """Bookings are read here; every change goes through the calendar's rules and locks."""

    list_display = ["start_at", "service", "length", "therapist", "room", "client", "status"]
    list_filter = ["status", "source", "therapist", "service"]
    search_fields = ["client__name", "client__email"]
    date_hierarchy = "start_at"
    list_select_related = ["service", "length", "therapist", "room", "client"]
    exclude = ["adaptations"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["sent_at", "event", "recipient", "booking"]
    list_filter = ["event"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
