"""URLs for the HTTP load benchmark: the studio's own, a bare view and django-appointment's."""

from django.conf import settings
from django.http import HttpResponse
from django.urls import include, path

from studio.urls import handler404, handler500  # noqa: F401
from studio.urls import urlpatterns as studio_urlpatterns


def bare(request):
    """Return a fixed string: what Django and gunicorn cost with no work in the view."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/bare", bare)]
if getattr(settings, "HAS_APPOINTMENT", False):
    urlpatterns.append(path("appointment/", include("appointment.urls")))
urlpatterns += studio_urlpatterns
