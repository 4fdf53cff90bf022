from django.urls import path

from owner import views

app_name = "owner"

urlpatterns = [
    path("", views.home, name="home"),
    path("reports/<slug:key>/", views.report, name="report"),
]
