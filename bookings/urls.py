"""Booking online, the client's manage link, the front desk's tools and the therapist's day.

Every ``b/<token>/`` route (the client's manage link) is here; a client's health data has
routes of its own in ``intake.urls``.
"""

from django.urls import path

import studio.converters  # noqa: F401  (registers the token converters)
from bookings import views, waitlist_views
from bookings.staff import day, desk

app_name = "bookings"

urlpatterns = [
    path("book/", views.choose_service, name="booking_start"),
    path("book/<slug:slug>/", views.choose_time, name="booking_times"),
    path("book/<slug:slug>/hold/", views.hold, name="booking_hold"),
    path("book/hold/<uuid:public_id>/", views.details, name="booking_details"),
    path("book/hold/<uuid:public_id>/expired/", views.hold_expired, name="booking_expired"),
    path("book/hold/<uuid:public_id>/renew/", views.hold_renew, name="booking_renew"),
    path("b/<token:token>/", views.manage, name="booking_manage"),
    path("b/<token:token>/booking.ics", views.booking_calendar_file, name="booking_ics"),
    path("feeds/<token:token>.ics", views.therapist_feed, name="therapist_feed"),
    path("b/<token:token>/cancel/", views.cancel, name="booking_cancel"),
    path("b/<token:token>/reschedule/", views.reschedule, name="booking_reschedule"),
    path("reminder/<signed:token>/", views.reminder_answer, name="reminder_answer"),
    path("book/<slug:slug>/waitlist/", waitlist_views.join, name="waitlist_join"),
    path("waitlist/<token:token>/", waitlist_views.entry, name="waitlist_entry"),
    path("waitlist/offer/<token:token>/", waitlist_views.offer, name="waitlist_offer"),
]

# The front desk.
urlpatterns += [
    path("staff/calendar/", desk.calendar, name="staff_calendar"),
    path("staff/waitlist/<int:pk>/remove/", desk.waitlist_remove, name="staff_waitlist_remove"),
    path("staff/waitlist/<int:pk>/offer/", desk.waitlist_offer, name="staff_waitlist_offer"),
    path("staff/bookings/new/", desk.phone_booking, name="staff_phone_booking"),
    path("staff/bookings/<uuid:public_id>/", desk.booking_card, name="staff_booking"),
    path("staff/bookings/<uuid:public_id>/move/", desk.booking_move, name="staff_booking_move"),
    path(
        "staff/bookings/<uuid:public_id>/cancel/",
        desk.booking_cancel,
        name="staff_booking_cancel",
    ),
    path("staff/bookings/<uuid:public_id>/mark/", desk.booking_mark, name="staff_booking_mark"),
    path(
        "staff/bookings/<uuid:public_id>/confirm/",
        desk.booking_confirm,
        name="staff_booking_confirm",
    ),
    path(
        "staff/bookings/<uuid:public_id>/link/",
        desk.booking_link,
        name="staff_booking_link",
    ),
    path("staff/block/", desk.block_time, name="staff_block"),
    path("staff/clients/", desk.client_search, name="staff_clients"),
    path("staff/clients/<int:pk>/", desk.client_card, name="staff_client"),
]

# A therapist's own pages.
urlpatterns += [
    path("me/day/", day.my_day, name="my_day"),
    path("me/week/", day.my_week, name="my_week"),
    path("me/block/", day.my_block, name="my_block"),
    path("me/feed/", day.my_feed, name="my_feed"),
]
