"""Calendar files, parsed back: the booking's .ics, its download, and the therapists' feeds."""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.test import Client as Browser
from django.urls import reverse
from icalendar import Calendar

from bookings import services
from bookings.messages.ics import booking_ics
from intake.services import review_decide
from studio.models import Therapist, WorkingHours
from tests.auth import sign_in
from tests.bookings.messages.conftest import (
    LEG_CLEAR,
    LEG_REVIEW,
    MADRID,
    NOW,
    SECRET_NOTE,
    START,
    health_texts,
    madrid,
)

pytestmark = pytest.mark.django_db

ADDRESS = "Carrer de la Calma 12, 08012 Barcelona"


def parse(content) -> Calendar:
    return Calendar.from_ical(content)


def the_event(calendar: Calendar):
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return events[0]


def zone_of(calendar: Calendar):
    """Return the calendar's own VTIMEZONE as a time zone, not the system's tz database."""
    (vtimezone,) = calendar.walk("VTIMEZONE")
    assert str(vtimezone["TZID"]) == "Europe/Madrid"
    return vtimezone.to_tz(lookup_tzid=False)


def test_the_booking_file_is_a_request_in_the_studios_zone_with_its_timezone(make):
    booking = make.book()

    calendar = parse(booking_ics(booking, now=NOW))

    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(calendar["VERSION"]) == "2.0"
    event = the_event(calendar)
    assert event["DTSTART"].params["TZID"] == "Europe/Madrid"
    start = event.decoded("DTSTART")
    assert start.replace(tzinfo=None) == datetime(2026, 12, 9, 10, 0)
    assert start == START
    assert event.decoded("DTEND") == START + timedelta(hours=1)
    assert str(event["SUMMARY"]) == "Leg massage · Calma"
    assert str(event["LOCATION"]) == ADDRESS
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["UID"]) == f"booking-{booking.public_id}@calma"
    assert event["SEQUENCE"] == 0
    assert "60 minutes with Ana Ruiz" in str(event["DESCRIPTION"])
    assert booking.get_manage_url() in str(event["DESCRIPTION"])
    # The file's own VTIMEZONE, read on its own, puts 10:00 in Madrid at 09:00 UTC.
    local = start.replace(tzinfo=zone_of(calendar))
    assert local.astimezone(UTC) == datetime(2026, 12, 9, 9, 0, tzinfo=UTC)


def test_a_reschedule_keeps_the_uid_and_raises_the_sequence(make):
    booking = make.book()
    before = the_event(parse(booking_ics(booking, now=NOW)))
    ana = make.therapist()

    moved = services.booking_reschedule(
        booking=booking, start_at=madrid(2026, 12, 10, 11, 0), therapist=ana, now=NOW
    )
    once = the_event(parse(booking_ics(moved, now=NOW)))
    moved = services.booking_reschedule(
        booking=moved, start_at=madrid(2026, 12, 11, 9, 0), therapist=ana, now=NOW
    )
    twice = the_event(parse(booking_ics(moved, now=NOW)))

    assert before["UID"] == once["UID"] == twice["UID"]
    assert before["SEQUENCE"] < once["SEQUENCE"] < twice["SEQUENCE"]
    assert once.decoded("DTSTART") == madrid(2026, 12, 10, 11, 0)
    assert twice.decoded("DTSTART") == madrid(2026, 12, 11, 9, 0)


@pytest.mark.parametrize("how", ["cancelled", "declined"])
def test_a_booking_that_no_longer_stands_is_a_cancel(make, how):
    if how == "cancelled":
        booking = make.book()
        before = the_event(parse(booking_ics(booking, now=NOW)))
        booking = services.booking_cancel(booking=booking, now=NOW)
    else:
        booking = make.book(LEG_REVIEW)
        before = the_event(parse(booking_ics(booking, now=NOW)))
        review_decide(
            booking=booking,
            reviewer=make.therapist().user,
            decision="decline",
            message="Please call us first.",
            now=NOW,
        )
        booking.refresh_from_db()

    calendar = parse(booking_ics(booking, now=NOW))

    assert str(calendar["METHOD"]) == "CANCEL"
    event = the_event(calendar)
    assert str(event["STATUS"]) == "CANCELLED"
    assert event["UID"] == before["UID"]
    assert event["SEQUENCE"] > before["SEQUENCE"]


@pytest.fixture
def sundays(make):
    """Let Ana work on Sundays, so a booking can fall on a DST change day."""
    WorkingHours.objects.create(
        therapist=make.therapist(), weekday=6, starts=time(9, 0), ends=time(14, 0)
    )
    return make


@pytest.mark.parametrize(
    ("day", "booked_at", "utc_hour"),
    [
        # Last Sunday of October: at 03:00 CEST the clocks go back to 02:00 CET (UTC+1).
        ((2026, 10, 25), datetime(2026, 10, 20, 8, 0, tzinfo=UTC), 9),
        # Last Sunday of March: at 02:00 CET the clocks go forward to 03:00 CEST (UTC+2).
        ((2026, 3, 29), datetime(2026, 3, 24, 8, 0, tzinfo=UTC), 8),
    ],
    ids=["october-back", "march-forward"],
)
def test_a_booking_on_a_dst_day_keeps_its_local_time(sundays, day, booked_at, utc_hour):
    """10:00 in Madrid on a change day is 10:00 local in the file, at the right UTC instant."""
    start = datetime(*day, 10, 0, tzinfo=MADRID)
    booking = sundays.book(start=start, now=booked_at)
    assert booking.start_at == datetime(*day, utc_hour, 0, tzinfo=UTC)

    content = booking_ics(booking, now=booked_at)
    calendar = parse(content)

    stamp = "{:04d}{:02d}{:02d}".format(*day)
    assert f"DTSTART;TZID=Europe/Madrid:{stamp}T100000".encode() in content
    assert f"DTEND;TZID=Europe/Madrid:{stamp}T110000".encode() in content
    event = the_event(calendar)
    assert event.decoded("DTSTART").astimezone(UTC) == datetime(*day, utc_hour, 0, tzinfo=UTC)
    # The same instant by the file's own VTIMEZONE, as a calendar without a tz database reads it.
    local = event.decoded("DTSTART").replace(tzinfo=zone_of(calendar))
    assert local.astimezone(UTC) == datetime(*day, utc_hour, 0, tzinfo=UTC)


def test_the_booking_page_offers_the_file_for_download(make, clock, client):
    booking = make.book()
    url = reverse("bookings:booking_ics", args=[booking.manage_token])
    assert url == f"/en/b/{booking.manage_token}/booking.ics"

    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert response["Content-Disposition"].startswith("attachment;")
    event = the_event(parse(response.content))
    assert str(event["UID"]) == f"booking-{booking.public_id}@calma"
    assert event.decoded("DTSTART") == START

    services.booking_cancel(booking=booking, now=NOW)
    cancelled = parse(client.get(url).content)
    assert str(cancelled["METHOD"]) == "CANCEL"
    assert client.get(reverse("bookings:booking_ics", args=["not-a-token"])).status_code == 404


def feed_url(therapist: Therapist) -> str:
    return reverse("bookings:therapist_feed", args=[therapist.calendar_token])


def test_a_therapists_feed_lists_their_bookings_only_without_health_data(make, clock):
    ana, carla = make.therapist("ana"), make.therapist("carla")
    mine = [
        make.book(LEG_CLEAR | {"anything_else": SECRET_NOTE}),
        make.book(LEG_REVIEW | {"anything_else": SECRET_NOTE}, start=madrid(2026, 12, 10, 9, 0)),
    ]
    adapted = make.book(LEG_REVIEW, start=madrid(2026, 12, 11, 9, 0), email="ada@example.com")
    review_decide(
        booking=adapted,
        reviewer=ana.user,
        decision="adapt",
        adaptations="Avoid the left calf entirely",
        now=NOW,
    )
    mine.append(adapted)
    gone = make.book(start=madrid(2026, 12, 11, 12, 0), email="gone@example.com")
    services.booking_cancel(booking=gone, now=NOW)
    make.hold(start=madrid(2026, 12, 14, 9, 0))  # a hold is nobody's booking yet
    theirs = make.book(start=madrid(2026, 12, 9, 11, 0), therapist="carla")

    response = Browser().get(feed_url(ana))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = parse(response.content)
    uids = {str(event["UID"]) for event in calendar.walk("VEVENT")}
    assert uids == {f"booking-{booking.public_id}@calma" for booking in mine}
    assert f"booking-{theirs.public_id}@calma" not in uids
    summaries = {str(event["SUMMARY"]) for event in calendar.walk("VEVENT")}
    assert "Leg massage · Marta Soler" in summaries
    text = response.content.decode()
    unfolded = text.replace("\r\n ", "")
    for private in [SECRET_NOTE, "Avoid the left calf entirely", *health_texts()]:
        assert private not in unfolded
    assert calendar.walk("VTIMEZONE")

    other = parse(Browser().get(feed_url(carla)).content)
    assert {str(event["UID"]) for event in other.walk("VEVENT")} == {
        f"booking-{theirs.public_id}@calma"
    }


def test_renewing_the_feed_address_revokes_the_old_one(make, clock):
    booking = make.book()
    ana = make.therapist()
    old_url = feed_url(ana)
    assert Browser().get(old_url).status_code == 200
    browser = Browser()
    sign_in(browser, ana.user)

    response = browser.post(reverse("bookings:my_feed"))

    assert response.status_code == 302
    ana.refresh_from_db()
    new_url = feed_url(ana)
    assert new_url != old_url
    assert Browser().get(old_url).status_code == 404
    fresh = Browser().get(new_url)
    assert fresh.status_code == 200
    uids = {str(event["UID"]) for event in parse(fresh.content).walk("VEVENT")}
    assert uids == {f"booking-{booking.public_id}@calma"}
    assert (
        new_url.removeprefix("/en/feeds/").removesuffix(".ics")
        in browser.get(reverse("bookings:my_feed")).content.decode()
    )


def test_an_unknown_feed_token_is_a_404(make, clock):
    assert Browser().get(reverse("bookings:therapist_feed", args=["nope"])).status_code == 404
