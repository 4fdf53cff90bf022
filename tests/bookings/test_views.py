"""The client's booking pages through the Django test client, on the demo studio.

The clock starts at the suite's pinned instant (``tests/conftest.py``) and ticks on, so
every start is taken from the page the client sees, and bookings made directly are placed
relative to ``timezone.now()``.
"""

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.db import connection
from django.test import Client as Browser
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from bookings import selectors, services, times_cache
from bookings.models import Booking, BookingStatus
from tests.bookings.helpers import MADRID, Demo
from tests.factories import BookingFactory, ClientFactory
from tests.intake.conftest import clear_answers, form_data

pytestmark = pytest.mark.django_db

LEG = "leg-massage"
_START = re.compile(r'name="start" value="([^"]+)"')
JUST_TAKEN = "that time was just taken"
CHOOSE_SHOWN = "Please choose one of the times shown."
NOT_AVAILABLE = "That choice is not available for this massage."


def times_url(slug: str = LEG) -> str:
    return reverse("bookings:booking_times", kwargs={"slug": slug})


def hold_url(slug: str = LEG) -> str:
    return reverse("bookings:booking_hold", kwargs={"slug": slug})


def today() -> date:
    return timezone.localdate(timezone.now(), MADRID)


def offered(browser: Browser, *, therapist="ana", day: date | None = None, minutes=60):
    """Return the starts a times page offers for a day (else its first free day)."""
    params = {"therapist": therapist, "length": Demo().length(minutes).pk}
    if day is not None:
        params["day"] = day.isoformat()
    response = browser.get(times_url(), params)
    assert response.status_code == 200
    return _START.findall(response.content.decode())


def start_after(browser: Browser, earliest: datetime, *, therapist="ana") -> str:
    """Return the first 60-minute start offered after ``earliest``, up to four weeks ahead."""
    for days in range(28):
        day = max(today(), timezone.localdate(earliest, MADRID)) + timedelta(days=days)
        for value in offered(browser, therapist=therapist, day=day):
            if parse_datetime(value) > earliest:
                return value
    raise AssertionError("no free start offered in four weeks")


def post_hold(browser: Browser, demo, start: str, *, therapist="ana", minutes=60, changes=None):
    data = {"length": demo.length(minutes).pk, "therapist": therapist, "start": start}
    data.update(changes or {})
    return browser.post(hold_url(), data)


def held(response) -> Booking:
    assert response.status_code == 302, response.content.decode()[:500]
    public_id = response.url.rstrip("/").rsplit("/", 1)[-1]
    return Booking.objects.get(public_id=public_id)


def confirmed_booking(demo, *, days_ahead: int = 3) -> Booking:
    """Book Ana through the services at her first free start a few days from now."""
    result = selectors.availability(
        service=demo.service(),
        length=demo.length(60),
        therapist=demo.therapist("ana"),
        first_day=today() + timedelta(days=days_ahead),
        days=7,
    )
    booking = services.hold_create(
        service=demo.service(),
        length=demo.length(60),
        therapist=demo.therapist("ana"),
        start_at=result.slots[0].start,
    )
    services.hold_attach_client(booking=booking, name="Marta", email="m@example.com", phone="6")
    return services.booking_settle(booking=booking, status=BookingStatus.CONFIRMED)


# --- the whole flow --------------------------------------------------------------------------


def test_a_client_books_confirms_and_cancels_through_the_pages(client, demo):
    """Walk times → hold → details → health questions → manage (confirmed) → cancel."""
    start = start_after(client, timezone.now() + timedelta(hours=30))
    response = post_hold(client, demo, start)
    booking = held(response)
    assert response.url == reverse(
        "bookings:booking_details", kwargs={"public_id": booking.public_id}
    )
    assert booking.status == BookingStatus.HELD
    assert booking.start_at == parse_datetime(start)

    page = client.get(response.url)
    assert page.status_code == 200
    assert "Your details" in page.content.decode()
    response = client.post(
        response.url, {"name": "Marta Soler", "email": "marta@example.com", "phone": "600111222"}
    )
    assert response.status_code == 302
    health = response.url
    response = client.post(health, form_data(clear_answers(LEG)))
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.client.email == "marta@example.com"

    manage = client.get(response.url)
    assert manage.status_code == 200
    body = manage.content.decode()
    assert "Your booking is confirmed." in body
    assert "Cancel this booking" in body

    cancel_url = reverse("bookings:booking_cancel", kwargs={"token": booking.manage_token})
    # The first press only asks once more, and changes nothing.
    asked = client.post(cancel_url, {"reason": "Unwell"})
    assert asked.status_code == 200
    assert "Cancel your booking?" in asked.content.decode()
    assert 'name="confirm" value="1"' in asked.content.decode()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED

    response = client.post(cancel_url, {"reason": "Unwell", "confirm": "1"})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert booking.cancel_reason == "Unwell"
    after = client.get(booking.get_manage_url()).content.decode()
    assert "This booking has been cancelled." in after
    assert start in offered(client, day=timezone.localdate(booking.start_at, MADRID))


def test_a_client_reschedules_through_the_manage_link(client, demo):
    """Open the manage link, choose another time and find the booking moved."""
    booking = confirmed_booking(demo)
    url = reverse("bookings:booking_reschedule", kwargs={"token": booking.manage_token})
    page = client.get(url)
    assert page.status_code == 200
    starts = _START.findall(page.content.decode())
    new_start = next(value for value in starts if parse_datetime(value) != booking.start_at)
    # The first press shows the change (from, to) and asks once more; nothing moves yet.
    asked = client.post(url, {"start": new_start})
    assert asked.status_code == 200
    assert "Move your booking?" in asked.content.decode()
    assert Booking.objects.get(pk=booking.pk).start_at == booking.start_at
    response = client.post(url, {"start": new_start, "confirm": "1"})
    assert response.status_code == 302
    assert response.url == booking.get_manage_url()
    moved = Booking.objects.get(pk=booking.pk)
    assert moved.start_at == parse_datetime(new_start)
    assert moved.sequence == booking.sequence + 1
    assert moved.therapist == booking.therapist
    assert "Your booking has been moved." in client.get(response.url).content.decode()


def test_a_reschedule_onto_a_taken_time_is_refused_with_fresh_times(client, demo):
    """Refuse a move onto a time taken meanwhile with 409, and leave the booking alone."""
    booking = confirmed_booking(demo)
    url = reverse("bookings:booking_reschedule", kwargs={"token": booking.manage_token})
    starts = _START.findall(client.get(url).content.decode())
    taken = next(value for value in starts if parse_datetime(value) != booking.start_at)
    services.hold_create(
        service=demo.service(),
        length=demo.length(60),
        therapist=demo.therapist("ana"),
        start_at=parse_datetime(taken),
    )
    response = client.post(url, {"start": taken, "confirm": "1"})
    assert response.status_code == 409
    assert JUST_TAKEN in response.content.decode()
    assert taken not in _START.findall(response.content.decode())
    unchanged = Booking.objects.get(pk=booking.pk)
    assert (unchanged.start_at, unchanged.sequence) == (booking.start_at, booking.sequence)


# --- who may see what ------------------------------------------------------------------------


def test_a_forged_manage_token_is_not_found(client, demo):
    """Answer 404 to a manage, cancel or reschedule link with a made-up token."""
    confirmed_booking(demo)
    for name in (
        "bookings:booking_manage",
        "bookings:booking_cancel",
        "bookings:booking_reschedule",
    ):
        url = reverse(name, kwargs={"token": "not-a-real-token"})
        response = client.post(url) if name == "bookings:booking_cancel" else client.get(url)
        assert response.status_code == 404, name


def test_a_hold_has_no_manage_page(client, demo):
    """Answer 404 to the manage link of a booking that is still only a hold."""
    booking = held(post_hold(client, demo, start_after(client, timezone.now())))
    assert booking.status == BookingStatus.HELD
    assert client.get(booking.get_manage_url()).status_code == 404


def test_someone_elses_hold_is_not_found(client, demo):
    """Answer 404 to a hold made in another browser session, for reading and for writing."""
    other = Browser()
    booking = held(post_hold(other, demo, start_after(other, timezone.now())))
    url = reverse("bookings:booking_details", kwargs={"public_id": booking.public_id})
    assert other.get(url).status_code == 200
    assert client.get(url).status_code == 404
    response = client.post(url, {"name": "Eve", "email": "eve@example.com", "phone": "1"})
    assert response.status_code == 404
    booking.refresh_from_db()
    assert booking.client is None


# --- refusals --------------------------------------------------------------------------------


def test_a_double_submit_gets_just_taken_and_fresh_times(client, demo):
    """Hold once; the same post again answers 409 "just taken" without the taken time."""
    start = start_after(client, timezone.now())
    first = post_hold(client, demo, start)
    assert first.status_code == 302
    second = post_hold(client, demo, start)
    assert second.status_code == 409
    body = second.content.decode()
    assert JUST_TAKEN in body
    fresh = _START.findall(body)
    assert fresh and start not in fresh
    assert Booking.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"start": "next tuesday at ten"}, CHOOSE_SHOWN),
        ({"start": ""}, CHOOSE_SHOWN),
        ({"length": "not-a-number"}, CHOOSE_SHOWN),
        ({"length": "999999"}, NOT_AVAILABLE),
        ({"therapist": "zoe"}, NOT_AVAILABLE),
        ({"therapist": ""}, CHOOSE_SHOWN),
    ],
)
def test_a_tampered_hold_post_gets_400_with_a_message_and_creates_nothing(
    client, demo, change, message
):
    """Answer 400 with a message to a malformed start, a forged length or unknown therapist."""
    start = start_after(client, timezone.now())
    response = post_hold(client, demo, start, changes=change)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Booking.objects.exists()


def test_the_length_of_another_service_is_refused(client, demo):
    """Answer 400 to a leg massage posted with the foot massage's length."""
    start = start_after(client, timezone.now())
    foot_length = demo.length(30, "foot-massage")
    response = post_hold(client, demo, start, changes={"length": str(foot_length.pk)})
    assert response.status_code == 400
    assert NOT_AVAILABLE in response.content.decode()
    assert not Booking.objects.exists()


def test_a_therapist_of_another_service_is_refused(client, demo):
    """Answer 400 to a foot massage posted with Ben, who does not offer it."""
    start = start_after(client, timezone.now())
    response = client.post(
        reverse("bookings:booking_hold", kwargs={"slug": "foot-massage"}),
        {"length": demo.length(30, "foot-massage").pk, "therapist": "ben", "start": start},
    )
    assert response.status_code == 400
    assert NOT_AVAILABLE in response.content.decode()
    assert not Booking.objects.exists()


def test_a_start_off_the_grid_is_refused_with_the_reason(client, demo):
    """Answer 400 with the reason to a well-formed start that is not on the 15-minute grid."""
    start = parse_datetime(start_after(client, timezone.now())) + timedelta(minutes=5)
    response = post_hold(client, demo, start.isoformat())
    assert response.status_code == 400
    assert "not one we offer" in response.content.decode()
    assert not Booking.objects.exists()


def test_an_unknown_service_is_not_found(client, demo):
    """Answer 404 to the times page and the hold post of a service that does not exist."""
    assert client.get(times_url("hot-stones")).status_code == 404
    response = client.post(hold_url("hot-stones"), {"length": 1, "therapist": "any"})
    assert response.status_code == 404


def test_a_tampered_times_page_falls_back_to_the_defaults(client, demo):
    """Show the first length and "anyone" for a forged length, therapist, day or month."""
    response = client.get(
        times_url(), {"length": "999", "therapist": "zoe", "day": "soon", "month": "2026-13"}
    )
    assert response.status_code == 200
    assert response.context["length"] == demo.length(30)
    assert response.context["therapist"] is None
    assert response.context["picker"].month == today().replace(day=1)


# --- the cancellation window -----------------------------------------------------------------


def test_inside_the_window_the_manage_page_says_to_call_and_cancel_changes_nothing(client, demo):
    """Tell a client five hours from their session to call, and refuse a cancel post."""
    start = (timezone.now() + timedelta(hours=5)).replace(second=0, microsecond=0)
    booking = BookingFactory(
        client=ClientFactory(),
        service=demo.service(),
        length=demo.length(60),
        therapist=demo.therapist("ana"),
        room=demo.service().rooms.get(slug="olive"),
        start_at=start,
    )
    page = client.get(booking.get_manage_url()).content.decode()
    assert "can no longer be changed online" in page
    assert "Please contact the studio on +34 930 000 000" in page
    assert "Cancel this booking" not in page

    response = client.post(
        reverse("bookings:booking_cancel", kwargs={"token": booking.manage_token}),
        {"reason": "late"},
    )
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.cancelled_at is None
    assert "too close to your session" in client.get(response.url).content.decode()

    reschedule = reverse("bookings:booking_reschedule", kwargs={"token": booking.manage_token})
    assert client.get(reschedule).status_code == 302


# --- query budgets ---------------------------------------------------------------------------

# Found by measuring; a page whose count grows with the data fails the equality checks below.
# The times page: the service, its lengths and therapists and the studio in one query
# (bookings.selectors.kept_catalogue), and the month's calendar in one (free_starts).
TIMES_PAGE_QUERIES = 2


# On PostgreSQL the catalogue is kept after a page read it (bookings.selectors.kept_catalogue),
# and checked by the month's read: one query.
def _times_page_kept_queries() -> int:
    return 1 if connection.vendor == "postgresql" else TIMES_PAGE_QUERIES


# The hold: the catalogue with the rooms' ids (kept_catalogue), the locks, the re-check of the
# start in one query (start_choices), the insert, the session, and the transaction's own.
HOLD_POST_QUERIES = 9


def _fill_nights(demo, count: int) -> None:
    """Add ``count`` short bookings in this week's nights (20:30–09:00), clear of every slot.

    Two lanes (Ana in the Olive room, Carla in the Garden room), ten minutes apart, so
    neither a therapist nor a room is ever double-booked and the constraints accept them.
    """
    service, length = demo.service(), demo.length(30)
    lanes = [
        (demo.therapist("ana"), service.rooms.get(slug="olive")),
        (demo.therapist("carla"), service.rooms.get(slug="garden")),
    ]
    per_night = 75  # 20:30 to 09:00, every ten minutes
    already = Booking.objects.count()
    bookings = []
    for index in range(already, already + count):
        therapist, room = lanes[index % 2]
        night, slot = divmod(index // 2, per_night)
        evening = datetime.combine(today() + timedelta(days=night - 1), time(20, 30), tzinfo=MADRID)
        start = evening.astimezone(UTC) + timedelta(minutes=10 * slot)
        bookings.append(
            Booking(
                service=service,
                length=length,
                therapist=therapist,
                room=room,
                start_at=start,
                end_at=start + timedelta(minutes=5),
                blocked_until=start + timedelta(minutes=10),
                price=length.price,
                status=BookingStatus.CONFIRMED,
            )
        )
    Booking.objects.bulk_create(bookings)
    # bulk_create sends no signal: like any bulk write, it must say the calendar changed.
    times_cache.calendar_changed()


HOUR_AND_A_HALF = timedelta(minutes=90)


def _count_queries(make_request) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        response = make_request()

    return len(queries), response


@pytest.mark.postgres
def test_the_times_pages_reads_are_planned_once_per_connection(client, demo, settings):
    """Prepare the calendar and catalogue statements on the server, with the same page.

    Django's own cursors bind on the client and never prepare; these two reads bind on the
    server, so psycopg prepares them after ``prepare_threshold`` runs and PostgreSQL reuses
    the plan. The threshold comes from DATABASES OPTIONS. The kept catalogue is dropped
    before each page, so that each reads it (``selectors.kept_catalogue``).
    """
    settings.CALMA_TIMES_CACHE_SECONDS = 0
    threshold = connection.connection.prepare_threshold
    assert threshold is not None
    pages = []
    for _run in range(threshold + 1):
        selectors.forget_catalogues()
        pages.append(client.get(times_url(), {"therapist": "any"}))
    assert {page.status_code for page in pages} == {200}
    # Prepared or not, the same times (the first run was not prepared, the last was).
    assert _START.findall(pages[-1].content.decode()) == _START.findall(pages[0].content.decode())
    assert _START.findall(pages[0].content.decode())
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE from_sql IS FALSE")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any("WITH therapists AS" in statement for statement in prepared)
    assert any("UNION ALL" in statement and "WITH" not in statement for statement in prepared)


def test_the_times_page_takes_as_many_queries_with_1000_bookings_as_with_10(
    client, demo, django_assert_max_num_queries, settings
):
    """Keep the times page's query count flat from 10 to 1,000 bookings in the week.

    Worked out every time (no stored weeks): the first page reads the catalogue too.
    """
    settings.CALMA_TIMES_CACHE_SECONDS = 0
    _fill_nights(demo, 10)
    with django_assert_max_num_queries(TIMES_PAGE_QUERIES):
        first, response = _count_queries(lambda: client.get(times_url(), {"therapist": "any"}))
    assert first == TIMES_PAGE_QUERIES
    assert response.status_code == 200
    with django_assert_max_num_queries(TIMES_PAGE_QUERIES):
        few, response = _count_queries(lambda: client.get(times_url(), {"therapist": "any"}))
    assert few == _times_page_kept_queries()
    slots_with_few = _START.findall(response.content.decode())

    _fill_nights(demo, 990)
    assert Booking.objects.count() == 1000
    with django_assert_max_num_queries(TIMES_PAGE_QUERIES):
        many, response = _count_queries(lambda: client.get(times_url(), {"therapist": "any"}))
    assert response.status_code == 200
    assert many == few
    assert _START.findall(response.content.decode()) == slots_with_few


def test_the_hold_post_takes_as_many_queries_with_1000_bookings_as_with_10(
    client, demo, django_assert_max_num_queries
):
    """Keep the hold post's query count flat from 10 to 1,000 bookings in the week."""
    _fill_nights(demo, 10)
    length = demo.length(60)
    starts = offered(client, therapist="any")
    first = starts[0]
    # Far enough from the first that its 60 minutes and buffer cannot be in the way.
    second = next(v for v in starts if parse_datetime(v) >= parse_datetime(first) + HOUR_AND_A_HALF)

    def post(visitor, start: str):
        # Each post reads the catalogue (none kept: see test_kept_catalogue.py for that).
        selectors.forget_catalogues()
        return visitor.post(hold_url(), {"length": length.pk, "therapist": "any", "start": start})

    with django_assert_max_num_queries(HOLD_POST_QUERIES):
        few, response = _count_queries(lambda: post(client, first))
    assert response.status_code == 302, response.content.decode()

    _fill_nights(demo, 990)
    assert Booking.objects.count() == 1001
    # Another visitor, so both posts are a visitor's first hold: a visitor's live holds are
    # looked up once they have some (bookings/throttle.py), which is no growth with the data.
    other = Browser(REMOTE_ADDR="192.0.2.7")
    with django_assert_max_num_queries(HOLD_POST_QUERIES):
        many, response = _count_queries(lambda: post(other, second))
    assert response.status_code == 302
    assert many == few
    assert Booking.objects.filter(status=BookingStatus.HELD).count() == 2


@pytest.mark.parametrize("code", ["ca", "es", "en"])
def test_a_hold_records_the_language_the_client_books_in(client, demo_studio, code):
    """Every later email and link of the booking is in the language of the pages it was made on."""
    from django.utils import translation

    with translation.override(code):
        times = reverse("bookings:booking_times", args=["leg-massage"])
        hold = reverse("bookings:booking_hold", args=["leg-massage"])
    html = client.get(times).content.decode()
    length = re.search(r'name="length" value="(\d+)"', html).group(1)
    start = re.search(r'name="start" value="([^"]+)"', html).group(1)

    response = client.post(hold, {"length": length, "therapist": "any", "start": start})

    assert response.status_code == 302
    assert response.url.startswith(f"/{code}/book/hold/")
    assert Booking.objects.get().language == code
