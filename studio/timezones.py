"""The studio's clock: one time zone for every page, email, calendar file and rule.

Read it here and nowhere else, so a studio that moves zone changes one setting.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings


def studio_tz() -> ZoneInfo:
    """Return the studio's time zone (``STUDIO_TIME_ZONE``); ZoneInfo caches the instance."""
    return ZoneInfo(settings.STUDIO_TIME_ZONE)


def local_day_bounds(first_day: date, days: int = 1) -> tuple[datetime, datetime]:
    """Return the instants of local midnight at the start and after the end of the days."""
    tz = studio_tz()
    start = datetime.combine(first_day, datetime.min.time(), tzinfo=tz)
    end = datetime.combine(first_day + timedelta(days=days), datetime.min.time(), tzinfo=tz)
    return start, end
