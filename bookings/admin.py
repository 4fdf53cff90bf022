"""Admin for clients and bookings. Bookings are changed through the calendar, so read-only here.

What each user may see or change is asked of ``studio.permissions``, as the views do.
"""

from django.contrib import admin
from django.urls import reverse

from bookings.models import Booking, Client, Notification
from studio import permissions


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "phone", "created_at", "erased_at"]
    search_fields = ["name", "email", "phone"]
    readonly_fields = ["created_at", "erased_at"]
    autocomplete_fields = ["user"]
    # Linking an account, or changing the address the client's emailed links go to, decides
    # who reads the client's health answers: the owner's decision alone.
    owner_only_fields = ["user", "email"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not permissions.can_link_accounts(request.user):
            fields += [name for name in self.owner_only_fields if obj is not None or name == "user"]
        return fields


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    """Bookings are read here; every change goes through the calendar's rules and locks."""

    list_display = ["start_at", "service", "length", "therapist", "room", "client", "status"]
    list_filter = ["status", "source", "therapist", "service"]
    search_fields = ["client__name", "client__email"]
    date_hierarchy = "start_at"
    list_select_related = ["service", "length", "therapist", "room", "client"]
    # The admin is the front desk's and the owner's; adaptations are read on the booking card,
    # which shows them to those who may see them. The manage token is a client's credential.
    exclude = ["adaptations", "manage_token"]

    def view_on_site(self, obj):
        """Point at the staff booking card, never at the client's manage link."""
        return reverse("bookings:staff_booking", kwargs={"public_id": obj.public_id})

    def get_queryset(self, request):
        return permissions.bookings_visible_to(request.user, super().get_queryset(request))

    def has_view_permission(self, request, obj=None):
        if obj is not None and not permissions.can_view_booking(request.user, obj):
            return False
        return super().has_view_permission(request, obj)

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
