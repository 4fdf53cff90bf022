from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from studio.timezones import studio_tz


class StudioTimeZoneMiddleware:
    """Show every time in the studio's zone; the database keeps UTC."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timezone.activate(studio_tz())
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


# Pages that show the same thing to every visitor: the catalogue and the free times. Only
# these may be kept by a browser or a proxy, and only when nobody is signed in (the header
# then names the user and their reviews waiting). Every other page, including any page added
# later, is sent with Cache-Control: no-store, so answers, reasons, adaptations and client
# details never stay in a cache or come back through the Back button after logging out.
CACHEABLE_URL_NAMES = frozenset(
    {
        "studio:home",
        "studio:service_list",
        "studio:service_detail",
        "studio:therapist_list",
        "bookings:booking_start",
        "bookings:booking_times",
    }
)


def may_be_cached(request) -> bool:
    """Return whether the response to this request may be kept by a cache."""
    match = getattr(request, "resolver_match", None)
    if match is None or match.view_name not in CACHEABLE_URL_NAMES:
        return False
    user = getattr(request, "user", None)
    return not (user is not None and user.is_authenticated)


class PrivatePagesNoStoreMiddleware:
    """Send Cache-Control: no-store on every page but the public ones (CACHEABLE_URL_NAMES)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not may_be_cached(request):
            add_never_cache_headers(response)
        return response
