from django.urls import path

import studio.converters  # noqa: F401  (registers the token converters)
from bookings import staff_views, views

urlpatterns = [
    path("book/", views.choose_service, name="booking_start"),
    path("book/<slug:slug>/", views.choose_time, name="booking_times"),
    path("book/<slug:slug>/hold/", views.hold, name="booking_hold"),
    path("book/hold/<uuid:public_id>/", views.details, name="booking_details"),
    path("b/<token:token>/", views.manage, name="booking_manage"),
    path("b/<token:token>/booking.ics", views.booking_calendar_file, name="booking_ics"),
    path("feeds/<token:token>.ics", views.therapist_feed, name="therapist_feed"),
    path("b/<token:token>/cancel/", views.cancel, name="booking_cancel"),
    path("b/<token:token>/reschedule/", views.reschedule, name="booking_reschedule"),
]

urlpatterns += [
    path("staff/calendar/", staff_views.calendar, name="staff_calendar"),
    path("staff/bookings/new/", staff_views.phone_booking, name="staff_phone_booking"),
    path("staff/bookings/<uuid:public_id>/", staff_views.booking_card, name="staff_booking"),
    path(
        "staff/bookings/<uuid:public_id>/move/", staff_views.booking_move, name="staff_booking_move"
    ),
    path(
        "staff/bookings/<uuid:public_id>/cancel/",
        staff_views.booking_cancel,
        name="staff_booking_cancel",
    ),
    path(
        "staff/bookings/<uuid:public_id>/mark/", staff_views.booking_mark, name="staff_booking_mark"
    ),
    path(
        "staff/bookings/<uuid:public_id>/link/",
        staff_views.booking_link,
        name="staff_booking_link",
    ),
    path("staff/block/", staff_views.block_time, name="staff_block"),
    path("staff/clients/", staff_views.client_search, name="staff_clients"),
    path("staff/clients/<int:pk>/", staff_views.client_card, name="staff_client"),
    path("me/day/", staff_views.my_day, name="my_day"),
    path("me/week/", staff_views.my_week, name="my_week"),
    path("me/block/", staff_views.my_block, name="my_block"),
    path("me/feed/", staff_views.my_feed, name="my_feed"),
]
