"""The stored weeks of free times (bookings/times_cache.py), through the test client.

Every test runs on a pinned clock (``timezone.now`` is patched, as the view, the selector and
the services all read it): Monday 23 November 2026, 08:50 in Madrid. The demo studio gives
Ana Monday to Friday 09–14 and Saturday 10–14, Ben weekdays 14–20 and Carla Tuesday to
Thursday; the notice is 120 minutes, holds last 10 minutes and the horizon is 60 days.

"Cache off" means ``CALMA_TIMES_CACHE_SECONDS=0``: the page rendered from the database, the
answer the stored page must always equal.
"""

import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, time, timedelta
from decimal import Decimal

import pytest
import redis
from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.db import IntegrityError, transaction
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client as Browser
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from bookings import selectors, services, times_cache
from bookings.errors import BookingRefused
from bookings.models import Booking, BookingStatus
from studio import page_cache
from studio.models import Room, Studio, TimeOff, WorkingHours
from tests.auth import sign_in
from tests.bookings.helpers import MADRID, Clock, Demo, madrid

pytestmark = pytest.mark.django_db

LEG = "leg-massage"
START = madrid(2026, 11, 23, 8, 50).astimezone(UTC)
TODAY = date(2026, 11, 23)
NEXT_WEEK = date(2026, 11, 30)
_START = re.compile(r'name="start" value="([^"]+)"')
_FORM_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_NONCE = re.compile(r'nonce="[^"]*"')
_HEADER_TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')
TAKEN = "that time was just taken"
HTMX = {"HX-Request": "true"}
BROKEN_CACHE = {
    "default": {
        "BACKEND": "studio.cache.RedisCache",
        # Nothing listens on port 1: every cache call fails at once with "connection refused".
        "LOCATION": "redis://127.0.0.1:1/0",
    }
}


@pytest.fixture
def clock(monkeypatch) -> Clock:
    pinned = Clock(START)
    monkeypatch.setattr(timezone, "now", pinned)
    return pinned


# --- helpers ---------------------------------------------------------------------------------


def times_url(slug: str = LEG) -> str:
    return reverse("bookings:booking_times", kwargs={"slug": slug})


def hold_url(slug: str = LEG) -> str:
    return reverse("bookings:booking_hold", kwargs={"slug": slug})


def query(demo: Demo, *, therapist="ana", week: date | None = NEXT_WEEK, minutes=60) -> dict:
    params = {"length": demo.length(minutes).pk, "therapist": therapist}
    if week is not None:
        params["week"] = week.isoformat()
    return params


def get(browser: Browser, params: dict, *, headers: dict | None = None) -> str:
    """GET the times page and return its HTML; no answer may carry the CSRF placeholder."""
    response = browser.get(times_url(), params, headers=headers)
    assert response.status_code == 200
    html = response.content.decode()
    assert times_cache.CSRF_PLACEHOLDER not in html
    return html


def uncached(params: dict) -> str:
    """Return the page as the database says it is now, with the cache off."""
    with override_settings(CALMA_TIMES_CACHE_SECONDS=0):
        return get(Browser(), params)


def starts(html: str) -> list[str]:
    return _START.findall(html)


def normalised(html: str) -> str:
    """Blank out the per-visitor CSRF tokens and the per-response CSP nonces.

    They are the only parts of the page that may differ.
    """
    html = _FORM_TOKEN.sub('name="csrfmiddlewaretoken" value="TOKEN"', html)
    html = _NONCE.sub('nonce="NONCE"', html)
    return _HEADER_TOKEN.sub('"X-CSRFToken": "TOKEN"', html)


def post_hold(browser: Browser, demo: Demo, start: str, *, therapist="ana", **extra):
    data = {"length": demo.length(60).pk, "therapist": therapist, "start": start, **extra}
    return browser.post(hold_url(), data)


def held(response) -> Booking:
    assert response.status_code == 302, response.content.decode()[:500]
    public_id = response.url.rstrip("/").rsplit("/", 1)[-1]
    booking = Booking.objects.get(public_id=public_id)
    assert response.url == reverse(
        "bookings:booking_details", kwargs={"public_id": booking.public_id}
    )
    return booking


def hold(demo: Demo, start, *, therapist: str | None = "ana") -> Booking:
    """Another client's hold, through the service the hold POST uses."""
    return services.hold_create(
        service=demo.service(),
        length=demo.length(60),
        therapist=demo.therapist(therapist) if therapist else None,
        start_at=parse_datetime(start) if isinstance(start, str) else start,
    )


def availability(demo: Demo, *, first_day: date, now, therapist="ana", days=7):
    return selectors.availability(
        service=demo.service(),
        length=demo.length(60),
        therapist=demo.therapist(therapist) if therapist else None,
        first_day=first_day,
        days=days,
        now=now,
    )


def version() -> str:
    return cache.get(times_cache.VERSION_KEY)


# --- 1. a stored page, each visitor's own token ------------------------------------------------


def test_a_second_visitor_gets_the_stored_week_with_no_query_and_their_own_csrf_token(
    demo, clock, django_assert_num_queries
):
    """The same week is served from the cache, each visitor with a CSRF token that works."""
    params = query(demo)
    first = Browser(enforce_csrf_checks=True)
    second = Browser(enforce_csrf_checks=True)
    rendered = get(first, params)
    with django_assert_num_queries(0):
        served = get(second, params)
    assert starts(rendered)
    assert starts(served) == starts(rendered)

    tokens = {}
    for name, browser, html in (("first", first, rendered), ("second", second, served)):
        form_tokens = _FORM_TOKEN.findall(html)
        assert len(form_tokens) == 1
        # The hold form and htmx's header carry the same token, the one of this visitor's cookie.
        assert _HEADER_TOKEN.findall(html) == form_tokens
        secret = browser.cookies[settings.CSRF_COOKIE_NAME].value
        assert _unmask_cipher_token(form_tokens[0]) == secret
        tokens[name] = form_tokens[0]
    assert tokens["first"] != tokens["second"]
    assert first.cookies[settings.CSRF_COOKIE_NAME].value != (
        second.cookies[settings.CSRF_COOKIE_NAME].value
    )

    start = starts(served)[0]
    refused = post_hold(second, demo, start, csrfmiddlewaretoken=tokens["first"])
    assert refused.status_code == 403
    response = post_hold(second, demo, start, csrfmiddlewaretoken=tokens["second"])
    booking = held(response)
    assert booking.status == BookingStatus.HELD
    assert booking.start_at == parse_datetime(start)
    for answer in (refused, response):
        assert times_cache.CSRF_PLACEHOLDER.encode() not in answer.content


def test_a_returning_visitor_gets_the_stored_week_with_no_query_and_no_cookie(
    demo, clock, django_assert_max_num_queries
):
    """Cookies kept, as a browser keeps them: no query, no session, no Set-Cookie again."""
    params = query(demo)
    visitor = Browser()
    first = visitor.get(times_url(), params)
    assert settings.CSRF_COOKIE_NAME in first.cookies
    with django_assert_max_num_queries(0):
        again = visitor.get(times_url(), params)
    assert again.status_code == 200
    assert not again.cookies
    assert "Cookie" in again["Vary"]
    assert settings.SESSION_COOKIE_NAME not in visitor.cookies
    assert _unmask_cipher_token(_FORM_TOKEN.search(again.content.decode()).group(1)) == (
        visitor.cookies[settings.CSRF_COOKIE_NAME].value
    )


# --- 2. every kind of write ------------------------------------------------------------------


def _start(demo: Demo, index: int = 0) -> str:
    """Return one of Ana's free starts next week, by position."""
    return availability(demo, first_day=NEXT_WEEK, now=timezone.now()).slots[index].start


def _prepare_hold(demo: Demo) -> dict:
    return {"booking": hold(demo, _start(demo))}


def _prepare_time_off(demo: Demo) -> dict:
    time_off = TimeOff.objects.create(
        therapist=demo.therapist("ana"),
        start_at=madrid(2026, 11, 30, 10, 0),
        end_at=madrid(2026, 11, 30, 12, 0),
    )
    return {"time_off": time_off}


def _prepare_confirmed(demo: Demo) -> dict:
    # Mid-morning, so that a longer buffer reaches back over the starts before it.
    booking = hold(demo, _start(demo, 8))
    services.hold_attach_client(booking=booking, name="Marta", email="m@example.com", phone="6")
    return {"booking": services.booking_settle(booking=booking, status=BookingStatus.CONFIRMED)}


def _hold_by_post(demo, before, state):
    held(post_hold(Browser(), demo, starts(before)[0]))


def _hold_by_service(demo, before, state):
    hold(demo, starts(before)[2])


def _release(demo, before, state):
    services.hold_release(booking=state["booking"])


def _time_off_add(demo, before, state):
    _prepare_time_off(demo)


def _time_off_delete(demo, before, state):
    state["time_off"].delete()


def _hours_end_earlier(demo, before, state):
    hours = WorkingHours.objects.get(therapist=demo.therapist("ana"), weekday=0)
    hours.ends = time(12, 0)
    hours.save()


def _therapist_deactivated(demo, before, state):
    assert "Ana Ruiz" in before
    ana = demo.therapist("ana")
    ana.is_active = False
    ana.save()


def _therapist_leaves_service(demo, before, state):
    demo.therapist("ana").services.remove(demo.service())


def _rooms_cleared(demo, before, state):
    demo.service().rooms.clear()


def _rooms_closed(demo, before, state):
    for room in Room.objects.all():
        room.is_active = False
        room.save()


def _price_changed(demo, before, state):
    length = demo.length(60)
    length.price = Decimal("61.00")
    length.save()


def _buffer_grows(demo, before, state):
    service = demo.service()
    service.buffer_minutes = 45
    service.save()


def _notice_longer(demo, before, state):
    studio = Studio.load()
    studio.min_notice_minutes = 240
    studio.save()


def _horizon_shorter(demo, before, state):
    studio = Studio.load()
    studio.horizon_days = 2
    studio.save()


def _cancelled(demo, before, state):
    services.booking_cancel(booking=state["booking"], reason="Unwell")


@dataclass(frozen=True)
class Write:
    write: Callable[[Demo, str, dict], None]
    therapist: str = "ana"
    week: date = NEXT_WEEK
    prepare: Callable[[Demo], dict] = field(default=lambda demo: {})


WRITES = {
    "hold-by-post": Write(_hold_by_post),
    "hold-by-service": Write(_hold_by_service, therapist="any"),
    "hold-released": Write(_release, prepare=_prepare_hold),
    "time-off-added": Write(_time_off_add),
    "time-off-deleted": Write(_time_off_delete, prepare=_prepare_time_off),
    "working-hours-end-earlier": Write(_hours_end_earlier),
    "therapist-deactivated": Write(_therapist_deactivated, therapist="any"),
    "therapist-leaves-service-m2m": Write(_therapist_leaves_service, therapist="any"),
    "service-rooms-cleared-m2m": Write(_rooms_cleared),
    "rooms-closed": Write(_rooms_closed),
    "length-price-changed": Write(_price_changed),
    "service-buffer-grows": Write(_buffer_grows, prepare=_prepare_confirmed),
    "studio-notice-longer": Write(_notice_longer, week=TODAY),
    "studio-horizon-shorter": Write(_horizon_shorter, week=TODAY),
    "booking-cancelled": Write(_cancelled, prepare=_prepare_confirmed),
}


@pytest.mark.parametrize("case", WRITES.values(), ids=WRITES.keys())
def test_every_kind_of_write_replaces_the_stored_week(demo, clock, case, django_assert_num_queries):
    """After any write behind the free times, the next visitor sees the calendar as it is."""
    state = case.prepare(demo)
    params = query(demo, therapist=case.therapist, week=case.week)
    browser = Browser()
    before = get(browser, params)
    with django_assert_num_queries(0):  # the week is stored
        assert normalised(get(browser, params)) == normalised(before)

    case.write(demo, before, state)

    after = get(browser, params)
    assert normalised(after) == normalised(uncached(params))
    assert normalised(after) != normalised(before)


def test_the_select_loses_a_deactivated_therapist_on_the_stored_week(demo, clock):
    """Deactivating a therapist removes them from the "anyone" page already stored."""
    params = query(demo, therapist="any")
    browser = Browser()
    assert "Ana Ruiz" in get(browser, params)
    _therapist_deactivated(demo, get(browser, params), {})
    assert "Ana Ruiz" not in get(browser, params)


# --- 3. time passing -------------------------------------------------------------------------


def test_a_held_start_comes_back_when_the_hold_expires_with_no_write(
    demo, clock, django_assert_num_queries
):
    """A start hidden by someone else's hold is offered again once the hold has expired."""
    params = query(demo)
    browser = Browser()
    start = starts(get(browser, params))[3]
    booking = hold(demo, start)
    hidden = get(browser, params)
    assert start not in starts(hidden)
    stored_version = version()

    clock.now = booking.hold_expires_at - timedelta(seconds=1)
    with django_assert_num_queries(0):  # still stored, still true
        assert start not in starts(get(browser, params))

    clock.now = booking.hold_expires_at
    shown = get(browser, params)
    assert start in starts(shown)
    assert version() == stored_version  # no write: the hold's expiry alone ended the entry
    assert starts(shown) == starts(uncached(params))


def test_a_start_inside_the_minimum_notice_is_not_served_from_the_stored_week(
    demo, clock, django_assert_num_queries
):
    """The first start disappears from the stored week as soon as the notice covers it."""
    params = query(demo, week=TODAY)
    browser = Browser()
    first = starts(get(browser, params))[0]
    notice = timedelta(minutes=Studio.load().min_notice_minutes)
    deadline = parse_datetime(first) - notice
    assert deadline > clock.now
    stored_version = version()

    clock.now = deadline - timedelta(seconds=1)
    with django_assert_num_queries(0):
        assert starts(get(browser, params))[0] == first

    clock.now = deadline + timedelta(seconds=1)
    page = get(browser, params)
    assert first not in starts(page)
    assert version() == stored_version
    assert starts(page) == starts(uncached(params))


def test_a_start_entering_the_horizon_appears_on_the_last_day_within_minutes(demo, clock):
    """The last day of the horizon is not served past the minute a new start could enter."""
    studio = Studio.load()
    clock.now = START + timedelta(seconds=37)
    last_day = timezone.localdate(clock.now + timedelta(days=studio.horizon_days), MADRID)
    params = query(demo, week=last_day)
    browser = Browser()
    before = get(browser, params)
    assert "There are no free times on" in before
    assert not starts(before)
    stored_version = version()

    clock.now += timedelta(minutes=10)
    after = starts(get(browser, params))
    assert version() == stored_version
    assert after == starts(uncached(params))
    assert after and all(start.startswith(last_day.isoformat()) for start in after)


def test_local_midnight_moves_the_stored_default_page_to_the_new_day(demo, clock):
    """A page asked with no day marks the new day as today as soon as local midnight passes."""
    clock.now = madrid(2026, 11, 23, 23, 58).astimezone(UTC)
    params = query(demo, week=None)
    browser = Browser()
    monday = get(browser, params)
    assert 'aria-label="Monday 23 November (today)">23</span>' in monday
    stored_version = version()

    clock.now = madrid(2026, 11, 24, 0, 0, 30).astimezone(UTC)
    tuesday = get(browser, params)
    assert 'aria-label="Monday 23 November (today)"' not in tuesday
    assert "Tuesday 24 November (today), " in tuesday
    assert version() == stored_version
    assert normalised(tuesday) == normalised(uncached(params))


def test_valid_until_is_the_expiry_of_a_hold_in_the_window(demo, clock):
    """A hold read in the window bounds the answer by its expiry."""
    first = availability(demo, first_day=NEXT_WEEK, now=clock.now)
    booking = hold(demo, first.slots[3].start)
    result = availability(demo, first_day=NEXT_WEEK, now=clock.now)
    assert booking.hold_expires_at == clock.now + timedelta(minutes=Studio.load().hold_minutes)
    assert result.valid_until == booking.hold_expires_at
    # Past its expiry the hold no longer counts, and no longer bounds the answer.
    later = availability(demo, first_day=NEXT_WEEK, now=booking.hold_expires_at)
    assert later.valid_until > booking.hold_expires_at


def test_valid_until_is_the_first_start_less_the_notice_without_holds(demo, clock):
    """With no hold, the answer lasts until the first start falls inside the notice."""
    notice = timedelta(minutes=Studio.load().min_notice_minutes)
    for therapist, week in (("ana", TODAY), (None, TODAY), ("ana", NEXT_WEEK)):
        result = availability(demo, first_day=week, now=clock.now, therapist=therapist)
        assert result.slots
        assert result.valid_until == result.slots[0].start - notice


def test_valid_until_is_at_most_the_next_whole_minute_in_the_last_week_of_the_horizon(demo, clock):
    """When the horizon cuts the window, the answer holds until the next whole minute at most."""
    now = START + timedelta(seconds=37, microseconds=250)
    horizon = timedelta(days=Studio.load().horizon_days)
    last_day = timezone.localdate(now + horizon, MADRID)
    result = availability(demo, first_day=last_day - timedelta(days=6), now=now)
    assert result.slots
    next_minute = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    assert now < result.valid_until <= next_minute
    # The week before is not cut: its answer lasts until its first start needs notice.
    earlier = availability(demo, first_day=last_day - timedelta(days=13), now=now)
    assert earlier.valid_until > next_minute


def test_the_first_start_alone_outlasts_the_horizon_in_the_last_week(demo, clock):
    """Starts the horizon brings in come after the first one, which lasts until its notice."""
    now = START + timedelta(seconds=37)
    notice = timedelta(minutes=Studio.load().min_notice_minutes)
    last_day = timezone.localdate(now + timedelta(days=Studio.load().horizon_days), MADRID)
    result = availability(demo, first_day=last_day - timedelta(days=6), now=now)
    assert result.slots
    assert result.valid_until <= now + timedelta(minutes=1)
    assert result.first_valid_until == result.slots[0].start - notice


def test_a_month_with_no_free_time_is_stored_beyond_the_minute_with_its_next_free_day(
    demo, clock, django_assert_num_queries
):
    """A booked-out month points to the next free day, and stays stored past the minute."""
    TimeOff.objects.create(
        therapist=demo.therapist("ana"),
        start_at=madrid(2026, 11, 23, 0, 0),
        end_at=madrid(2026, 12, 7, 0, 0),
    )
    params = query(demo)
    browser = Browser()
    page = get(browser, params)
    assert not starts(page)
    assert "There are no free times on Monday 30 November." in page
    assert "Next day with free times: Monday 7 December" in page

    clock.now += timedelta(minutes=5)
    with django_assert_num_queries(0):
        assert normalised(get(browser, params)) == normalised(page)
    assert normalised(page) == normalised(uncached(params))


# --- 4. who and what is never served from the cache ------------------------------------------


def test_staff_see_their_own_navigation_and_visitors_never_do(demo, clock):
    """A logged-in user never gets the visitors' stored page, nor stores theirs for them."""
    params = query(demo)
    frontdesk = Browser()
    sign_in(frontdesk, User.objects.get(username="frontdesk"))

    staff_first = get(frontdesk, params)
    assert "Log out" in staff_first
    visitor_page = get(Browser(), params)
    assert "Log out" not in visitor_page
    assert "Staff login" in visitor_page
    staff_again = get(frontdesk, params)
    assert "Log out" in staff_again
    assert "Log out" not in get(Browser(), params)
    assert starts(staff_again) == starts(visitor_page)


def test_a_pending_message_is_shown_even_when_the_week_is_stored(
    demo, clock, django_assert_num_queries
):
    """A refusal's message shows on a times page others get stored, once, and only to them."""
    holder = Browser()
    start = starts(get(holder, query(demo)))[0]
    booking = held(post_hold(holder, demo, start))
    clock.now = booking.hold_expires_at + timedelta(seconds=1)
    # The time the holder let run out is taken by somebody else.
    held(post_hold(Browser(), demo, start))

    params = {"length": booking.length_id}
    visitor = Browser()
    assert TAKEN not in get(visitor, params)
    with django_assert_num_queries(0):
        assert TAKEN not in get(visitor, params)

    response = holder.post(
        reverse("bookings:booking_renew", kwargs={"public_id": booking.public_id})
    )
    assert response.status_code == 302
    with_message = get(holder, params)
    assert TAKEN in with_message
    assert starts(with_message) == starts(uncached(params))
    assert TAKEN not in get(holder, params)  # shown once
    assert TAKEN not in get(Browser(), params)  # and never stored for others


def test_an_htmx_request_gets_the_partial_and_a_page_request_the_whole_page(
    demo, clock, django_assert_num_queries
):
    """The partial and the whole page are stored apart: neither is ever served for the other."""
    for week in (NEXT_WEEK, TODAY):
        params = query(demo, week=week)
        browser = Browser()
        if week == NEXT_WEEK:  # the partial is stored first
            partial = get(browser, params, headers=HTMX)
            page = get(browser, params)
        else:  # the whole page is stored first
            page = get(browser, params)
            partial = get(browser, params, headers=HTMX)
        assert "<html" not in partial
        assert 'id="slots"' not in partial
        assert "<html" in page
        assert starts(partial) == starts(page)
        with django_assert_num_queries(0):  # both are stored now, each under its own key
            assert normalised(get(Browser(), params, headers=HTMX)) == normalised(partial)
            assert normalised(get(Browser(), params)) == normalised(page)


# --- 5. the cache away -----------------------------------------------------------------------


def test_a_cache_that_is_away_never_stops_a_booking(demo, clock, caplog):
    """With the cache server down, the times page still answers and a hold is still made."""
    params = query(demo)
    with override_settings(CACHES=BROKEN_CACHE):
        assert isinstance(caches["default"], RedisCache)
        with pytest.raises(redis.ConnectionError):
            cache.get(times_cache.VERSION_KEY)
        browser = Browser()
        offered = starts(get(browser, params))
        assert offered
        assert starts(get(browser, params)) == offered
        booking = held(post_hold(browser, demo, offered[0]))
        assert booking.status == BookingStatus.HELD
        assert offered[0] not in starts(get(browser, params))
    assert isinstance(caches["default"], LocMemCache)
    assert "The cache is unavailable; the times page is rendered" in caplog.text
    assert "Could not raise the calendar version" in caplog.text


# --- 6. any sequence of changes --------------------------------------------------------------


ACTIONS = ("hold", "release", "time_off", "delete_time_off", "tick")


@hypothesis_settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    therapist=st.sampled_from(["any", "ana", "carla"]),
    week=st.sampled_from([TODAY, NEXT_WEEK]),
    actions=st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=8),
    data=st.data(),
)
def test_the_stored_week_always_equals_the_calendar(demo, clock, therapist, week, actions, data):
    """Whatever holds, releases, time off and clock moves happen, the stored week stays true."""
    cache.clear()
    clock.now = START
    params = query(demo, therapist=therapist, week=week)
    browser = Browser()
    with transaction.atomic():
        shown = starts(get(browser, params))
        assert shown == starts(uncached(params))
        for action in actions:
            if action == "hold" and shown:
                start = data.draw(st.sampled_from(shown))
                hold(demo, start, therapist=None if therapist == "any" else therapist)
            elif action == "release":
                live = list(Booking.objects.filter(status=BookingStatus.HELD).order_by("pk"))
                if live:
                    services.hold_release(booking=data.draw(st.sampled_from(live)))
            elif action == "time_off":
                day = week + timedelta(days=data.draw(st.integers(0, 6)))
                hour = data.draw(st.integers(8, 19))
                # On PostgreSQL a time off overlapping another of the same therapist is
                # refused by its exclusion constraint, as in the app: a refused write changes
                # nothing, and the stored week must still be the calendar.
                with contextlib.suppress(IntegrityError), transaction.atomic():
                    TimeOff.objects.create(
                        therapist=demo.therapist(
                            data.draw(st.sampled_from(["ana", "ben", "carla"]))
                        ),
                        start_at=madrid(day.year, day.month, day.day, hour, 0),
                        end_at=madrid(day.year, day.month, day.day, hour, 0)
                        + timedelta(minutes=data.draw(st.sampled_from([30, 60, 120]))),
                    )
            elif action == "delete_time_off":
                rows = list(TimeOff.objects.order_by("pk"))
                if rows:
                    data.draw(st.sampled_from(rows)).delete()
            elif action == "tick":
                clock.now += timedelta(minutes=data.draw(st.integers(0, 30)))
            shown = starts(get(browser, params))
            assert shown == starts(uncached(params)), action
        transaction.set_rollback(True)


# --- the version's trips to the cache ---------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_write_outside_a_transaction_raises_the_version_once(monkeypatch):
    """Raise the version once for a committed write, twice for one inside a transaction:
    at once, and when it commits (another connection may have stored the old calendar)."""
    bumps = []
    monkeypatch.setattr(page_cache, "bump", lambda key: bumps.append(1))

    times_cache.calendar_changed()
    assert len(bumps) == 1

    bumps.clear()
    with transaction.atomic():
        times_cache.calendar_changed()
        assert len(bumps) == 1
    assert len(bumps) == 2

    bumps.clear()
    with contextlib.suppress(RuntimeError), transaction.atomic():
        times_cache.calendar_changed()
        raise RuntimeError("rolled back")
    assert len(bumps) == 1


@pytest.mark.django_db(transaction=True)
def test_a_hold_raises_the_version_once_after_its_locks_are_released(
    demo_studio, clock, monkeypatch
):
    """A hold's transaction is its own: nothing reads between its insert and its commit, so
    the version is raised once, when it commits, and not while the calendar locks are held."""
    demo = Demo()
    bumps = []
    monkeypatch.setattr(
        page_cache, "bump", lambda key: bumps.append(transaction.get_connection().in_atomic_block)
    )

    held = hold(demo, madrid(2026, 11, 30, 10))

    assert held.status == BookingStatus.HELD
    assert bumps == [False]
    # The next write that is not a hold's own insert raises it at once again, in its
    # transaction and on commit: the flag lasted only for the insert.
    bumps.clear()
    with transaction.atomic():
        Booking.objects.filter(pk=held.pk).get().save(update_fields=["updated_at"])
        assert bumps == [True]
    assert bumps == [True, False]


@pytest.mark.django_db(transaction=True)
def test_a_hold_inside_an_open_transaction_raises_the_version_at_once_too(
    demo_studio, clock, monkeypatch
):
    """Made inside a transaction already open, the hold may be followed by a reader there:
    the version is raised at once, for that reader, and again on commit."""
    demo = Demo()
    bumps = []
    monkeypatch.setattr(page_cache, "bump", lambda key: bumps.append(1))

    with transaction.atomic():
        hold(demo, madrid(2026, 11, 30, 10))
        assert len(bumps) == 1
    assert len(bumps) == 2


@pytest.mark.django_db(transaction=True)
def test_a_refused_hold_raises_no_version(demo_studio, clock, monkeypatch):
    demo = Demo()
    hold(demo, madrid(2026, 11, 30, 10))
    bumps = []
    monkeypatch.setattr(page_cache, "bump", lambda key: bumps.append(1))

    with pytest.raises(BookingRefused):
        hold(demo, madrid(2026, 11, 30, 10))

    assert bumps == []
    # The refusal left no flag behind: a write in a transaction raises it at once.
    with transaction.atomic():
        times_cache.calendar_changed()
        assert bumps == [1]
