from django.urls import path

from bookings import views

urlpatterns = [
    path("book/", views.choose_service, name="booking_start"),
    path("book/<slug:slug>/", views.choose_time, name="booking_times"),
    path("book/<slug:slug>/hold/", views.hold, name="booking_hold"),
    path("book/hold/<uuid:public_id>/", views.details, name="booking_details"),
    path("b/<str:token>/", views.manage, name="booking_manage"),
    path("b/<str:token>/cancel/", views.cancel, name="booking_cancel"),
    path("b/<str:token>/reschedule/", views.reschedule, name="booking_reschedule"),
]
