"""Time the booking POST (the hold) in-process, as the HTTP benchmark's locust users post it.

Builds the availability benchmark's studio (10 therapists, 4 rooms, one service) on its own
throwaway database (``CALMA_BENCH_DATABASE``), at 1,000 and then 50,000 bookings. Each POST
comes from a fresh browser, as locust's users do: it GETs the times page once for the CSRF
cookie, then posts a free start with the token (``X-CSRFToken``), "anyone", 60 minutes. Every
start is a session and its buffer away from the others, so every POST should win; a refusal
stops the run. Only the POST is timed (median and 90th percentile, after a warm-up), and one
POST's queries are counted::

    CALMA_BENCH_DATABASE=calma_bench_a DATABASE_URL=postgres://... \\
    BENCH_REDIS_URL=redis://127.0.0.1:6379/3 .venv/bin/python bench/hold_profile.py \\
        [--queries] [--profile bench/profiles/hold_post.txt]

The settings are the HTTP benchmark's (``bench.http_settings``: DEBUG off, Redis as the
cache, under a key prefix of this run's own, removed at the end; the per-visitor hold limits
lifted, since every POST comes from 127.0.0.1). ``--queries`` prints one POST's SQL;
``--profile FILE`` writes a cProfile of 100 POSTs at 50,000 bookings (the top 60 by
cumulative time), with the command and the timings above it.
"""

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.http_settings")
os.environ.setdefault("BENCH_CACHE_PREFIX", f"calma-bench-hold-{os.getpid()}")

from bench.availability import (  # noqa: E402
    SIZES,
    analyse,
    build_studio,
    drop_throwaway_database,
    machine,
    place_bookings,
    setup_django,
)

RUNS = 30
WARM_UP = 5
PROFILED = 100
LENGTH_MINUTES = 60


def free_starts(*, parts, now) -> list:
    """Return "anyone" starts of the horizon that can all be held, a session apart."""
    from django.utils import timezone

    from bookings import selectors
    from studio.timezones import studio_tz

    studio, service, lengths = parts[0], parts[1], parts[2]
    result = selectors.availability(
        service=service,
        length=lengths[LENGTH_MINUTES],
        therapist=None,
        first_day=timezone.localdate(now, studio_tz()),
        days=studio.horizon_days + 1,
        now=now,
        studio=studio,
    )
    gap = timedelta(minutes=LENGTH_MINUTES + service.buffer_minutes)
    earliest = now + timedelta(minutes=studio.min_notice_minutes + 30)
    latest = now + timedelta(days=studio.horizon_days) - timedelta(hours=1)
    starts, last = [], None
    for slot in result.slots:
        if not earliest <= slot.start <= latest or (last and slot.start < last + gap):
            continue
        starts.append(slot.start)
        last = slot.start
    return starts


class Poster:
    """Post holds one after the other, each from a browser of its own."""

    def __init__(self, *, parts, starts):
        from django.urls import reverse

        from studio.timezones import studio_tz

        self.service, self.length = parts[1], parts[2][LENGTH_MINUTES]
        self.starts = list(reversed(starts))
        self.tz = studio_tz()
        self.times_url = reverse("bookings:booking_times", kwargs={"slug": self.service.slug})
        self.hold_url = reverse("bookings:booking_hold", kwargs={"slug": self.service.slug})

    def prepare(self):
        """Return a browser that has seen the times page, and the form to post."""
        from django.test import Client as Browser

        if not self.starts:
            raise RuntimeError("No free start left to hold")
        start = self.starts.pop().astimezone(self.tz)
        monday = start.date() - timedelta(days=start.weekday())
        browser = Browser(enforce_csrf_checks=True, HTTP_HOST="127.0.0.1")
        query = {"length": self.length.pk, "therapist": "any", "week": monday.isoformat()}
        page = browser.get(self.times_url, query)
        if page.status_code != 200:
            raise RuntimeError(f"The times page answered {page.status_code}")
        form = {**query, "start": start.isoformat()}
        return browser, form

    def post(self, browser, form):
        response = browser.post(
            self.hold_url, form, HTTP_X_CSRFTOKEN=browser.cookies["csrftoken"].value
        )
        if response.status_code != 302 or "/book/hold/" not in response.get("Location", ""):
            raise RuntimeError(
                f"The hold of {form['start']} answered {response.status_code}: "
                + response.content.decode()[:300]
            )
        return response

    def timed(self) -> float:
        browser, form = self.prepare()
        started = time.perf_counter()
        self.post(browser, form)
        return (time.perf_counter() - started) * 1000


def measure(poster: Poster) -> tuple[float, float, float, list[str]]:
    """Return the median, fastest and 90th percentile in ms, and one POST's SQL."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(WARM_UP):
        poster.timed()
    timings = sorted(poster.timed() for _ in range(RUNS))
    browser, form = poster.prepare()
    with CaptureQueriesContext(connection) as queries:
        poster.post(browser, form)
    sql = [query["sql"] for query in queries.captured_queries]
    return statistics.median(timings), timings[0], timings[int(len(timings) * 0.9) - 1], sql


def profile(poster: Poster) -> str:
    """Return a cProfile of PROFILED POSTs (the GETs before them are not profiled)."""
    prof = cProfile.Profile()
    for _ in range(PROFILED):
        browser, form = poster.prepare()
        prof.enable()
        poster.post(browser, form)
        prof.disable()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    print("== The top 60 by cumulative time ==", file=out)
    stats.sort_stats("cumulative").print_stats(60)
    print("== Calma's own functions, the top 30 by cumulative time ==", file=out)
    stats.sort_stats("cumulative").print_stats(r"/(bookings|studio|accounts)/", 30)
    print("== The top 30 by time spent inside the function itself ==", file=out)
    stats.sort_stats("tottime").print_stats(30)
    return out.getvalue()


def clear_cache() -> None:
    """Remove this run's keys from the cache (Redis, under the run's own prefix)."""
    from django.core.cache import cache

    client = getattr(cache, "_cache", None)
    if client is None or not hasattr(client, "get_client"):
        cache.clear()
        return
    redis = client.get_client(write=True)
    prefix = os.environ["BENCH_CACHE_PREFIX"]
    for key in redis.scan_iter(f"{prefix}:*"):
        redis.delete(key)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", metavar="FILE", help="write a cProfile of the POST here")
    parser.add_argument("--queries", action="store_true", help="print one POST's SQL")
    args = parser.parse_args()
    url = setup_django()
    from django.db import connection
    from django.utils import timezone

    from studio.timezones import studio_tz

    lines = [
        f"Machine: {machine()}",
        f"Database: {connection.vendor}, throwaway; cache: {os.environ['BENCH_CACHE_PREFIX']}",
        f"POST {LENGTH_MINUTES}-minute holds for anyone, each from a fresh browser "
        f"(GET the times page, then POST with the CSRF token); median, fastest and p90 of "
        f"{RUNS} POSTs after {WARM_UP} warm-ups.",
        "",
        f"{'bookings':>9} | {'median ms':>9} | {'min ms':>6} | {'p90 ms':>7} | {'queries':>7}",
        "-" * 50,
    ]
    for line in lines:
        print(line, flush=True)
    report = ""
    try:
        now = timezone.now()
        today = timezone.localdate(now, studio_tz())
        parts = build_studio()
        for count in SIZES:
            place_bookings(count, studio_parts=parts, today=today)
            analyse()
            clear_cache()
            poster = Poster(parts=parts, starts=free_starts(parts=parts, now=timezone.now()))
            median, fastest, p90, sql = measure(poster)
            line = f"{count:>9,} | {median:>9.2f} | {fastest:>6.2f} | {p90:>7.2f} | {len(sql):>7}"
            print(line, flush=True)
            lines.append(line)
            if args.queries:
                for number, query in enumerate(sql, 1):
                    print(f"  {number:>2}. {query}")
            if args.profile and count == SIZES[-1]:
                report = profile(poster)
    finally:
        try:
            clear_cache()
        finally:
            connection.close()
            drop_throwaway_database(url)
    if args.profile:
        command = " ".join(
            [
                f"{name}={os.environ[name]}"
                for name in ("CALMA_BENCH_DATABASE", "BENCH_REDIS_URL")
                if name in os.environ
            ]
            + [".venv/bin/python", "bench/hold_profile.py", *sys.argv[1:]]
        )
        header = [
            f"$ DATABASE_URL=postgres://... {command}",
            *lines,
            "",
            f"cProfile of {PROFILED} POSTs at {SIZES[-1]:,} bookings (the GETs not profiled):",
            "",
        ]
        Path(args.profile).write_text("\n".join(header) + "\n" + report)
        print(f"Profile written to {args.profile}")


if __name__ == "__main__":
    main()
