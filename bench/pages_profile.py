"""Time the cheap pages in-process: the bare view, the stored times page, a service, home.

Builds a small studio (the availability benchmark's, 1,000 bookings) on its own throwaway
database (``CALMA_BENCH_DATABASE``, default calma_bench_wt14), with the HTTP benchmark's
settings (bench/http_settings.py: the same middleware, Redis under a prefix of this run's
own), and sends N GETs to each page through one persistent test client per page, which keeps
its cookies as locust's users do. For each page it prints the median and fastest time in ms,
the database queries, the Redis round trips and the Set-Cookie headers per request. The
pages are asked for as locust asks for them, without a language in the address (one redirect,
followed, counted as one request), and with one::

    CALMA_BENCH_DATABASE=calma_bench_wt14 DATABASE_URL=postgres://calma:calma@127.0.0.1/calma \\
    BENCH_REDIS_URL=redis://127.0.0.1:6379/4 .venv/bin/python bench/pages_profile.py [-n 300]
    [--profile PAGE]

``--profile`` names one page (as printed) and prints where its time goes (cProfile).
"""

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

os.environ.setdefault("CALMA_BENCH_DATABASE", "calma_bench_wt14")
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.http_settings"
os.environ.setdefault("BENCH_CACHE_PREFIX", f"calma-pages-{uuid.uuid4().hex[:12]}")

from bench.availability import (  # noqa: E402
    build_studio,
    drop_throwaway_database,
    machine,
    place_bookings,
    setup_django,
)

BOOKINGS = 1_000


class RedisCalls:
    """Count the round trips to Redis: one per command, one per pipeline."""

    def __init__(self):
        import redis

        self.count = 0
        self._patched = []
        for cls, name in ((redis.Redis, "execute_command"), (redis.client.Pipeline, "execute")):
            original = cls.__dict__[name]
            self._patched.append((cls, name, original))
            setattr(cls, name, self._counting(original, cls))

    def _counting(self, original, owner):
        counter = self
        import redis

        def wrapper(client, *args, **kwargs):
            # A pipeline queues its commands through execute_command: count its execute only.
            if not (owner is redis.Redis and isinstance(client, redis.client.Pipeline)):
                counter.count += 1
            return original(client, *args, **kwargs)

        return wrapper

    def restore(self):
        for cls, name, original in self._patched:
            setattr(cls, name, original)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=300, help="GETs per page (default 300)")
    parser.add_argument("--profile", metavar="PAGE", help="cProfile one page, by its name")
    args = parser.parse_args()

    url = setup_django()
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client as Browser
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from django.utils.module_loading import import_string

    from studio.timezones import studio_tz

    # The web processes keep their connections (psycopg's pool); the test client would
    # otherwise open one per request, and a page's first query would time the connect.
    connection.settings_dict["CONN_MAX_AGE"] = None
    connection.close()
    SessionStore = import_string(settings.SESSION_ENGINE + ".SessionStore")
    redis_calls = RedisCalls()
    try:
        now = timezone.now()
        today = timezone.localdate(now, studio_tz())
        parts = build_studio()
        service, lengths = parts[1], parts[2]
        place_bookings(BOOKINGS, studio_parts=parts, today=today)
        monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
        times = f"/book/{service.slug}/?length={lengths[60].pk}&therapist=any&week={monday}"
        pages = [
            ("bare view", "/bench/bare"),
            ("times page (stored)", times),
            ("times page (stored), /en/", "/en" + times),
            ("service page", f"/services/{service.slug}/"),
            ("service page, /en/", f"/en/services/{service.slug}/"),
            ("home", "/"),
            ("home, /en/", "/en/"),
            ("times page, /en/, session", "/en" + times),
        ]
        print(f"Machine: {machine()}")
        print(
            f"{connection.vendor}, cache {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}"
            f", {args.n} GETs per page, one client per page keeping its cookies, "
            f"{BOOKINGS:,} bookings"
        )
        print(f"| {'page':<26} | median ms | fastest | queries | redis | Set-Cookie | redirects |")
        print(f"|{'-' * 28}|-----------|---------|---------|-------|------------|-----------|")
        bare_median = None
        for name, path in pages:
            browser = Browser(SERVER_NAME="127.0.0.1")
            if name.endswith(", session"):
                # A visitor who held a time once: an anonymous session, kept by the cookie.
                session = SessionStore()
                session["calma-bench"] = True
                session.save()
                browser.cookies[settings.SESSION_COOKIE_NAME] = session.session_key

            def get(browser=browser, path=path):
                """Follow redirects as locust does; return the hops' responses."""
                hops = [browser.get(path)]
                while hops[-1].status_code in (301, 302) and len(hops) < 5:
                    hops.append(browser.get(hops[-1]["Location"]))
                if hops[-1].status_code != 200:
                    raise RuntimeError(f"{path} answered {hops[-1].status_code}")
                return hops

            # The first visit takes the CSRF cookie and fills the cache; three more warm up.
            for _ in range(4):
                get()
            timings = []
            for _ in range(args.n):
                started = time.perf_counter()
                get()
                timings.append((time.perf_counter() - started) * 1000)
            redis_calls.count = 0
            with CaptureQueriesContext(connection) as queries:
                hops = get()
            cookies = sum(len(hop.cookies) for hop in hops)
            median = statistics.median(timings)
            if bare_median is None:
                bare_median = median
            print(
                f"| {name:<26} | {median:>9.3f} | {min(timings):>7.3f} | {len(queries):>7} | "
                f"{redis_calls.count:>5} | {cookies:>10} | {len(hops) - 1:>9} |"
            )
            if args.profile == name:
                profile = cProfile.Profile()
                profile.enable()
                for _ in range(args.n):
                    get()
                profile.disable()
                out = io.StringIO()
                stats = pstats.Stats(profile, stream=out)
                stats.sort_stats("cumulative").print_stats(40)
                stats.sort_stats("tottime").print_stats(25)
                profiled = out.getvalue()
        if args.profile:
            print(profiled)
    finally:
        redis_calls.restore()
        # Only this run's keys: the Redis database may be shared (flushdb would empty it).
        prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
        client = cache._cache.get_client(write=True)
        for key in client.scan_iter(match=f"{prefix}:*"):
            client.delete(key)
        connection.close()
        drop_throwaway_database(url)


if __name__ == "__main__":
    main()
