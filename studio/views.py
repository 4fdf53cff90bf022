"""Public pages: home, services, therapists, and the error pages."""

from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from studio import page_cache, selectors
from studio.models import Studio

# The catalogue pages are the same for every visitor who is not signed in: they are stored
# per address and language until the catalogue changes (``studio.page_cache``).


@require_safe
def home(request):
    return page_cache.catalogue_page(
        request,
        "studio/home.html",
        lambda: {"studio": Studio.load(), "services": selectors.service_list()},
    )


@require_safe
def service_list(request):
    return page_cache.catalogue_page(
        request, "studio/service_list.html", lambda: {"services": selectors.service_list()}
    )


@require_safe
def service_detail(request, slug):
    return page_cache.catalogue_page(
        request,
        "studio/service_detail.html",
        lambda: {"service": selectors.service_detail(slug=slug)},
    )


@require_safe
def therapist_list(request):
    return page_cache.catalogue_page(
        request,
        "studio/therapist_list.html",
        lambda: {"therapists": selectors.therapist_list()},
    )


def page_not_found(request, exception=None):
    """Answer 404 with the page the exception names (see ``studio.errors.NotFoundPage``)."""
    template = getattr(exception, "template_name", "404.html")
    return render(request, template, {"studio": Studio.load()}, status=404)


def permission_denied(request, exception=None):
    """Answer a refusal as "not found": nobody learns that something exists by being refused.

    Views answer 404 themselves; this catches the rest (the admin's own refusals).
    """
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)


@require_safe
def healthz(request):
    """Answer "ok" when the database answers; used by load balancers and compose."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
