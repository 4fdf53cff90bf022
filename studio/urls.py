"""Top-level URL configuration."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from studio import views

urlpatterns = [
    path("", views.home, name="home"),
    path("services/", views.service_list, name="service_list"),
    path("services/<slug:slug>/", views.service_detail, name="service_detail"),
    path("therapists/", views.therapist_list, name="therapist_list"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("accounts.urls")),
    path("", include("bookings.urls")),
    path("", include("intake.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "studio.views.permission_denied"
handler404 = "studio.views.page_not_found"
handler500 = "studio.views.server_error"
