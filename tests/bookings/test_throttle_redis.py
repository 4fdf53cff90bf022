"""An address's holds counted in a real Redis, as production counts them (bookings/throttle.py).

Redis keeps the list itself: a new hold is appended, trimmed and given its expiry in one
MULTI/EXEC, so holds made at the same moment from one address are all counted. The clock is
pinned (time-machine, ticking off) for every test, as in tests/bookings/test_throttle.py.
"""

import threading
from datetime import timedelta

import pytest
from django.test import Client as Browser

from bookings import throttle

# ``clock`` and ``starts`` are the fixtures of the tests without Redis, as they are.
from tests.bookings.test_throttle import (
    SESSION_LIMIT,
    clock,  # noqa: F401
    held_status,
    post_hold,
    starts,  # noqa: F401
)

pytestmark = [pytest.mark.redis, pytest.mark.django_db]

ADDRESS = "192.0.2.77"


def list_key(prefix: str, ip: str = ADDRESS) -> str:
    """The list's key as Django's cache names it: the prefix, the version, then ours."""
    return f"{prefix}:1:calma:holds-by-ip-list:{ip}"


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


def test_the_list_keeps_the_newest_holds_for_as_long_as_the_newest_lives(redis_cache):
    """The oldest fall off past fifty; every append sets the expiry it was given."""
    client, prefix = redis_cache
    for n in range(60):
        throttle._count_hold(ADDRESS, f"hold-{n}", seconds=600 + n)

    kept = [value.decode() for value in client.lrange(list_key(prefix), 0, -1)]
    assert kept == [f"hold-{n}" for n in range(10, 60)]
    assert 600 < client.ttl(list_key(prefix)) <= 659
    assert throttle._holds_by_ip("192.0.2.78") == set()


def test_fresh_sessions_from_one_address_hold_four_times_at_most_on_redis(
    demo,
    starts,
    redis_cache,  # noqa: F811
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


def test_released_holds_stop_counting_on_redis(demo, starts, clock, redis_cache):  # noqa: F811
    """Past the hold time the same address may hold again: the list holds ids, not verdicts."""
    for start in starts[:4]:
        assert post_hold(Browser(REMOTE_ADDR=ADDRESS), demo, start).status_code == 302
    assert post_hold(Browser(REMOTE_ADDR=ADDRESS), demo, starts[4]).status_code == 429
    clock.shift(timedelta(minutes=11))  # past the demo studio's ten-minute hold
    assert post_hold(Browser(REMOTE_ADDR=ADDRESS), demo, starts[4]).status_code == 302
