"""Calendar files (RFC 5545) for bookings and the therapists' private feeds, with icalendar."""

from collections.abc import Iterable
from datetime import UTC, datetime
from urllib.parse import urlencode

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from bookings.models import Booking, BookingStatus
from studio.models import Studio
from studio.timezones import studio_tz

PRODID = "-//Calma//Massage studio bookings//EN"
_CANCELLED = (BookingStatus.CANCELLED, BookingStatus.DECLINED)
_HAPPENED = (BookingStatus.ARRIVED, BookingStatus.COMPLETED, BookingStatus.NO_SHOW)


def booking_uid(booking: Booking) -> str:
    """Return the event's UID: the same for the booking's whole life, across reschedules."""
    return f"booking-{booking.public_id}@calma"


def _event(booking: Booking, *, studio: Studio, for_therapist: bool, now: datetime) -> Event:
    local = timezone.localtime(booking.start_at, studio_tz())
    event = Event()
    event.add("uid", booking_uid(booking))
    event.add("dtstamp", now)
    event.add("dtstart", local)
    event.add("dtend", timezone.localtime(booking.end_at, studio_tz()))
    event.add("sequence", booking.sequence)
    if for_therapist:
        who = booking.client.name if booking.client else ""
        event.add("summary", f"{booking.service.name} · {who}".strip(" ·"))
        event.add(
            "description",
            _("%(minutes)s minutes · %(room)s")
            % {"minutes": booking.length.minutes, "room": booking.room.name},
        )
    else:
        event.add("summary", f"{booking.service.name} · {studio.name}")
        event.add(
            "description",
            _("%(minutes)s minutes with %(therapist)s. Your booking: %(url)s")
            % {
                "minutes": booking.length.minutes,
                "therapist": booking.therapist.display_name,
                "url": settings.SITE_URL.rstrip("/") + booking.get_manage_url(),
            },
        )
    if studio.address:
        event.add("location", studio.address)
    if booking.status in _CANCELLED:
        event.add("status", "CANCELLED")
    elif booking.status == BookingStatus.CONFIRMED or booking.status in _HAPPENED:
        event.add("status", "CONFIRMED")
    else:
        event.add("status", "TENTATIVE")  # awaiting review, or on hold after a re-screen
    return event


def _calendar(method: str | None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    if method:
        calendar.add("method", method)
    return calendar


def booking_ics(booking: Booking, *, now: datetime | None = None) -> bytes:
    """Return the client's .ics for a booking: REQUEST while it stands, CANCEL once it does not."""
    now = now or timezone.now()
    cancelled = booking.status in _CANCELLED
    calendar = _calendar("CANCEL" if cancelled else "REQUEST")
    calendar.add_component(_event(booking, studio=Studio.load(), for_therapist=False, now=now))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def therapist_feed(bookings: Iterable[Booking], *, name: str, now: datetime | None = None) -> bytes:
    """Return a subscribable calendar of a therapist's bookings."""
    now = now or timezone.now()
    calendar = _calendar(None)
    calendar.add("x-wr-calname", name)
    studio = Studio.load()
    for booking in bookings:
        calendar.add_component(_event(booking, studio=studio, for_therapist=True, now=now))
    calendar.add_missing_timezones()
    return calendar.to_ical()


GOOGLE_CALENDAR = "https://calendar.google.com/calendar/render"
OUTLOOK_CALENDAR = "https://outlook.live.com/calendar/0/deeplink/compose"


def calendar_links(booking: Booking, *, studio: Studio | None = None) -> dict[str, str]:
    """Return "add to calendar" addresses for Google Calendar and Outlook.com.

    They carry what the calendar file does, less the manage link: that link is the key to the
    booking, and these addresses pass through another company's servers.
    """
    studio = studio or Studio.load()
    title = f"{booking.service.name} · {studio.name}"
    details = _("%(minutes)s minutes with %(therapist)s.") % {
        "minutes": booking.length.minutes,
        "therapist": booking.therapist.display_name,
    }
    start, end = booking.start_at.astimezone(UTC), booking.end_at.astimezone(UTC)
    google = {
        "action": "TEMPLATE",
        "text": title,
        "dates": f"{start:%Y%m%dT%H%M%SZ}/{end:%Y%m%dT%H%M%SZ}",
        "details": details,
        "location": studio.address,
    }
    outlook = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": title,
        "startdt": start.isoformat(),
        "enddt": end.isoformat(),
        "body": details,
        "location": studio.address,
    }
    return {
        "google": f"{GOOGLE_CALENDAR}?{urlencode(google)}",
        "outlook": f"{OUTLOOK_CALENDAR}?{urlencode(outlook)}",
    }
