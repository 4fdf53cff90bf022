"""Top-level URL configuration: each app's routes live in its own ``urls.py``, namespaced.

- ``studio:`` the public pages about the studio (this file);
- ``catalogue:`` the front desk's pages for services, lengths and prices;
- ``team:`` and ``rooms:`` the front desk's pages for therapists and their hours, and rooms;
- ``accounts:`` staff sign-in, second factor and passwords;
- ``bookings:`` booking online, the manage link, the front desk and the therapist's day;
- ``intake:`` the health questions, the re-screen, review, and a client's own data;
- ``owner:`` the owner's home and reports (``/studio/``).

Every page a person reads is under its language (``/ca/``, ``/es/``, ``/en/``): an address
without one is redirected to the visitor's (see ``studio.middleware.StudioLocaleMiddleware``).
Only the health check, which machines read, has none.
"""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from studio import policies, views

studio_patterns = [
    path("", views.home, name="home"),
    path("services/", views.service_list, name="service_list"),
    path("services/<slug:slug>/", views.service_detail, name="service_detail"),
    path("therapists/", views.therapist_list, name="therapist_list"),
    path("studio/policies/", policies.edit, name="policies"),
]

urlpatterns = [
    # For load balancers and compose: one answer whatever the language, and no redirect.
    path("healthz", views.healthz, name="healthz"),
]
urlpatterns += i18n_patterns(
    path("", include((studio_patterns, "studio"))),
    path("studio/catalogue/", include("studio.catalogue_urls")),
    path("accounts/", include("accounts.urls")),
    path("", include("bookings.urls")),
    path("", include("intake.urls")),
    path("studio/team/", include("studio.team_urls")),
    path("studio/rooms/", include("studio.rooms_urls")),
    path("studio/", include("owner.urls")),
    path("admin/", admin.site.urls),
)

handler403 = "studio.views.permission_denied"
handler404 = "studio.views.page_not_found"
handler500 = "studio.views.server_error"
