"""One visitor cannot hold the studio's calendar: holds per session and per address, and a rate.

Every test runs with the clock pinned (time-machine, ticking off), so the hold expiries and
the rate's window are the same on any day the suite runs. The tests marked ``redis`` count an
address's holds in a real Redis, as production does: there a new hold is appended, trimmed
and given its expiry in one MULTI/EXEC, so holds made at the same moment are all counted.
"""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.test import Client as Browser
from django.test import override_settings
from django.urls import reverse

from bookings import selectors, throttle
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


def _quota_in_full(session_holds, by_ip, live, *, per_session, per_ip):
    """The quota worked out from which holds are live, with no shortcut: the reference."""
    ours = set(session_holds)
    live = live & (ours | by_ip)
    our_live = [public_id for public_id in session_holds if public_id in live]
    excess = max(0, len(our_live) + 1 - per_session)
    if len(live - ours) + len(our_live) - excess >= per_ip:
        return ("refused", [])
    return (None, our_live[:excess])


@pytest.mark.parametrize("per_session,per_ip", [(2, 4), (1, 1), (3, 2)])
def test_the_quota_asks_the_database_only_when_a_limit_could_be_met(
    per_session, per_ip, rf, django_assert_num_queries
):
    """Give the same answer as counting live holds, and skip the count when none could matter."""
    from unittest import mock

    from django.core.cache import cache

    from bookings import throttle

    ids = [f"hold-{n}" for n in range(8)]
    for in_session in range(4):
        for from_address in range(6):
            session_holds = ids[:in_session]
            by_ip = set(ids[in_session : in_session + from_address])
            for live in (set(), set(ids), set(ids[::2])):
                request = rf.post("/", REMOTE_ADDR="192.0.2.1")
                with (
                    override_settings(
                        CALMA_HOLDS_PER_SESSION=per_session,
                        CALMA_HOLDS_PER_IP=per_ip,
                        CALMA_HOLD_RATE=None,
                    ),
                    mock.patch.object(cache, "get", return_value=list(by_ip)),
                    mock.patch.object(
                        throttle, "_live", side_effect=lambda asked, now, live=live: live & asked
                    ) as counted,
                ):
                    quota = throttle.hold_quota(request, session_holds=session_holds)
                expected = _quota_in_full(
                    session_holds, by_ip, live, per_session=per_session, per_ip=per_ip
                )
                assert ("refused" if quota.refusal else None, quota.release) == expected
                could_matter = in_session >= per_session or in_session + from_address >= per_ip
                assert counted.called == could_matter

    # Well under every limit, nothing is read from the database at all.
    with django_assert_num_queries(0):
        assert throttle.hold_quota(rf.post("/"), session_holds=[]).refusal is None


# --- on Redis, as production counts them ---------------------------------------------------

ADDRESS = "192.0.2.77"


def list_key(prefix: str, ip: str = ADDRESS) -> str:
    """The list's key as Django's cache names it: the prefix, the version, then ours."""
    return f"{prefix}:1:calma:holds-by-ip-list:{ip}"


@pytest.mark.redis
def test_holds_made_at_once_from_one_address_are_all_counted(redis_cache):
    """Forty holds recorded by forty threads at once: none is lost (a read-then-write loses)."""
    client, prefix = redis_cache
    ids = [f"hold-{n}" for n in range(40)]
    gate = threading.Barrier(len(ids))

    def record(public_id: str) -> None:
        gate.wait()
        throttle._count_hold(ADDRESS, public_id, seconds=600)

    threads = [threading.Thread(target=record, args=(public_id,)) for public_id in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert throttle._holds_by_ip(ADDRESS) == set(ids)
    assert client.llen(list_key(prefix)) == len(ids)


@pytest.mark.redis
def test_the_list_keeps_the_newest_holds_for_as_long_as_the_newest_lives(redis_cache):
    """The oldest fall off past fifty; every append sets the expiry it was given."""
    client, prefix = redis_cache
    for n in range(60):
        throttle._count_hold(ADDRESS, f"hold-{n}", seconds=600 + n)

    kept = [value.decode() for value in client.lrange(list_key(prefix), 0, -1)]
    assert kept == [f"hold-{n}" for n in range(10, 60)]
    assert 600 < client.ttl(list_key(prefix)) <= 659
    assert throttle._holds_by_ip("192.0.2.78") == set()


@pytest.mark.redis
def test_fresh_sessions_from_one_address_hold_four_times_at_most_on_redis(
    demo, starts, redis_cache
):
    """The limit per address, through the booking page, counted in Redis's list."""
    client, prefix = redis_cache
    for start in starts[:4]:
        assert post_hold(Browser(REMOTE_ADDR=ADDRESS), demo, start).status_code == 302
    assert client.llen(list_key(prefix)) == 4
    before = held_status()

    response = post_hold(Browser(REMOTE_ADDR=ADDRESS), demo, starts[4])

    assert response.status_code == 429
    assert SESSION_LIMIT in response.content.decode()
    assert held_status() == before


@pytest.mark.redis
def test_released_holds_stop_counting_on_redis(demo, starts, clock, redis_cache):
    """Past the hold time the same address may hold again: the list holds ids, not verdicts."""
    for start in starts[:4]:
        assert post_hold(Browser(REMOTE_ADDR=ADDRESS), demo, start).status_code == 302
    assert post_hold(Browser(REMOTE_ADDR=ADDRESS), demo, starts[4]).status_code == 429
    clock.shift(timedelta(minutes=11))  # past the demo studio's ten-minute hold
    assert post_hold(Browser(REMOTE_ADDR=ADDRESS), demo, starts[4]).status_code == 302
