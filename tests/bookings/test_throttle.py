"""One visitor cannot hold the studio's calendar: holds per session and per address, and a rate.

Every test runs with the clock pinned (time-machine, ticking off), so the hold expiries and
the rate's window are the same on any day the suite runs.
"""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client as Browser
from django.test import override_settings
from django.urls import reverse

from bookings import selectors
from bookings.models import Booking, BookingStatus
from tests.bookings.helpers import MADRID, NOW

pytestmark = pytest.mark.django_db

LEG = "leg-massage"
SESSION_LIMIT = "Other times are already being held from your connection."
RATE_LIMIT = "You have asked for a lot of times in a short while."


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def starts(demo, clock) -> list[str]:
    """Return a dozen "anyone" starts far enough apart that no two holds meet."""
    result = selectors.availability(
        service=demo.service(),
        length=demo.length(60),
        therapist=None,
        first_day=NOW.astimezone(MADRID).date() + timedelta(days=1),
        days=14,
        now=NOW,
    )
    chosen, last = [], None
    for slot in result.slots:
        if last is None or slot.start >= last + timedelta(hours=3):
            chosen.append(slot.start.astimezone(MADRID).isoformat())
            last = slot.start
    assert len(chosen) >= 12
    return chosen


def post_hold(browser, demo, start: str):
    return browser.post(
        reverse("bookings:booking_hold", kwargs={"slug": LEG}),
        {"length": demo.length(60).pk, "therapist": "any", "start": start},
    )


def held_status() -> dict[str, str]:
    return {str(p): s for p, s in Booking.objects.values_list("public_id", "status")}


def test_a_third_hold_in_one_session_releases_the_oldest(client, demo, starts):
    """A client who goes back and picks again keeps two times at most, the newest ones."""
    holds = []
    for start in starts[:3]:
        response = post_hold(client, demo, start)
        assert response.status_code == 302
        holds.append(response.url.rstrip("/").rsplit("/", 1)[-1])
    statuses = held_status()
    assert statuses[holds[0]] == BookingStatus.EXPIRED
    assert statuses[holds[1]] == BookingStatus.HELD
    assert statuses[holds[2]] == BookingStatus.HELD
    # The released time is free again for anybody.
    assert post_hold(Browser(REMOTE_ADDR="192.0.2.50"), demo, starts[0]).status_code == 302


def test_fresh_sessions_from_one_address_hold_four_times_at_most(demo, starts):
    """A script opening a new session for every hold is refused past four, and writes nothing."""
    for start in starts[:4]:
        assert post_hold(Browser(), demo, start).status_code == 302
    before = held_status()

    response = post_hold(Browser(), demo, starts[4])

    assert response.status_code == 429
    assert SESSION_LIMIT in response.content.decode()
    assert held_status() == before
    # Another address is not held up by this one.
    assert post_hold(Browser(REMOTE_ADDR="192.0.2.9"), demo, starts[4]).status_code == 302


def test_holds_that_expired_or_became_bookings_stop_counting(demo, starts, clock):
    """Once the held times are released, the same address may hold again."""
    for start in starts[:4]:
        assert post_hold(Browser(), demo, start).status_code == 302
    assert post_hold(Browser(), demo, starts[4]).status_code == 429
    clock.shift(timedelta(minutes=11))  # past the demo studio's ten-minute hold
    assert post_hold(Browser(), demo, starts[4]).status_code == 302


@override_settings(CALMA_HOLDS_PER_IP=1000, CALMA_HOLD_RATE="20/10m")
def test_an_address_asking_too_often_is_refused_until_the_window_passes(demo, starts, clock):
    """Twenty hold requests per ten minutes per address, counted whatever their outcome."""
    for _ in range(20):
        response = Browser().post(
            reverse("bookings:booking_hold", kwargs={"slug": LEG}), {"start": "x"}
        )
        assert response.status_code == 400
    count = Booking.objects.count()

    response = post_hold(Browser(), demo, starts[0])

    assert response.status_code == 429
    assert RATE_LIMIT in response.content.decode()
    assert Booking.objects.count() == count
    clock.shift(timedelta(minutes=10, seconds=1))
    assert post_hold(Browser(), demo, starts[0]).status_code == 302


def test_the_load_benchmark_lifts_the_limits():
    """bench/http_load.py posts every hold from 127.0.0.1: its settings lift all three."""
    from bench import http_settings

    assert http_settings.CALMA_HOLD_RATE is None
    assert http_settings.CALMA_HOLDS_PER_IP >= 10**6
    assert http_settings.CALMA_HOLDS_PER_SESSION >= 10**6
