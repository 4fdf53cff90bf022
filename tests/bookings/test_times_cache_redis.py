"""The stored weeks of free times in a real Redis, as production keeps them.

Every key goes under a prefix of this run's own, and only those keys are deleted afterwards:
the database REDIS_URL names may be shared with other runs and with Celery.
"""

import pytest
import redis
from django.core.cache import cache, caches
from django.test import Client as Browser
from django.utils import timezone

from bookings import times_cache
from studio.models import TimeOff
from tests.bookings.helpers import Clock, madrid
from tests.bookings.test_times_cache import (
    START,
    get,
    normalised,
    query,
    starts,
    uncached,
)

pytestmark = [pytest.mark.redis, pytest.mark.django_db]


@pytest.fixture
def clock(monkeypatch) -> Clock:
    """The same pinned Monday morning as tests/bookings/test_times_cache.py."""
    pinned = Clock(START)
    monkeypatch.setattr(timezone, "now", pinned)
    return pinned


def redis_keys(client, prefix: str) -> list[str]:
    return [key.decode() for key in client.scan_iter(match=f"{prefix}:*")]


def test_the_week_is_stored_in_redis_and_a_write_replaces_it(
    demo, clock, redis_cache, django_assert_num_queries
):
    """Redis serves the stored week with no query; a write raises the version there."""
    client, prefix = redis_cache
    params = query(demo)
    browser = Browser()
    before = get(browser, params)
    assert starts(before)
    with django_assert_num_queries(0):
        assert normalised(get(Browser(), params)) == normalised(before)
    stored = redis_keys(client, prefix)
    assert any(times_cache.KEY_PREFIX in key for key in stored)
    assert any(key.endswith(times_cache.VERSION_KEY) for key in stored)
    old_version = cache.get(times_cache.VERSION_KEY)

    TimeOff.objects.create(
        therapist=demo.therapist("ana"),
        start_at=madrid(2026, 11, 30, 9, 0),
        end_at=madrid(2026, 11, 30, 12, 0),
    )

    assert cache.get(times_cache.VERSION_KEY) != old_version
    after = get(browser, params)
    assert normalised(after) == normalised(uncached(params))
    assert starts(after) != starts(before)


def test_a_stored_week_costs_one_round_trip_to_redis(demo, clock, redis_cache, monkeypatch):
    """The version and the week come in one read: the version is not asked for apart."""
    params = query(demo)
    get(Browser(), params)
    calls = []
    original = redis.Redis.execute_command

    def counted(client, *args, **kwargs):
        calls.append(args[0])
        return original(client, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "execute_command", counted)
    visitor = Browser()
    get(visitor, params)
    calls.clear()
    assert starts(get(visitor, params))
    assert calls == ["MGET"]


def test_the_redis_client_is_built_once_per_pool(redis_cache):
    """studio.cache keeps its client: Django's builds one per call, a tenth of a stored page."""
    backend = caches["default"]
    assert backend._cache.get_client() is backend._cache.get_client()
    cache.set("calma-probe", 1)
    assert cache.get_many(["calma-probe"]) == {"calma-probe": 1}


@pytest.mark.usefixtures("redis_cache")
def test_the_redis_client_reads_replies_in_c():
    """pyproject asks for redis[hiredis]: redis-py parses every reply with hiredis.

    Without it each reply is parsed in Python: the list of an address's 50 hold ids, read
    by every hold, took about three times as long (docs/PERFORMANCE.md, session 15).
    """
    from redis._parsers import _HiredisParser

    pool = caches["default"]._cache.get_client().connection_pool
    connection = pool.get_connection()
    try:
        assert isinstance(connection._parser, _HiredisParser)
        cache.set("calma-probe", [1, 2])
        assert cache.get("calma-probe") == [1, 2]
    finally:
        pool.release(connection)
