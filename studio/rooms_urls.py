"""The rooms page, for the front desk and the owner (see ``studio.rooms``)."""

from django.urls import path

from studio import rooms

app_name = "rooms"

urlpatterns = [
    path("", rooms.index, name="index"),
    path("<int:pk>/", rooms.room_edit, name="room_edit"),
    path("<int:pk>/active/", rooms.room_active, name="room_active"),
]
