"""The catalogue pages, for the front desk and the owner (see ``studio.catalogue``)."""

from django.urls import path

from studio import catalogue

app_name = "catalogue"

urlpatterns = [
    path("", catalogue.index, name="index"),
    path("services/new/", catalogue.service_add, name="service_add"),
    path("services/<int:pk>/", catalogue.service_edit, name="service_edit"),
    path("services/<int:pk>/move/", catalogue.service_move, name="service_move"),
    path("services/<int:pk>/active/", catalogue.service_active, name="service_active"),
    path("services/<int:pk>/lengths/new/", catalogue.length_add, name="length_add"),
    path("lengths/<int:pk>/", catalogue.length_edit, name="length_edit"),
    path("lengths/<int:pk>/active/", catalogue.length_active, name="length_active"),
]
