from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


class StudioTimeZoneMiddleware:
    """Show every time in the studio's zone; the database keeps UTC."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.zone = ZoneInfo(settings.STUDIO_TIME_ZONE)

    def __call__(self, request):
        timezone.activate(self.zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
