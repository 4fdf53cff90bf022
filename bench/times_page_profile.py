"""Profile the computed times page (cache off) with cProfile: the top 25 by cumulative time.

Builds the availability benchmark's studio with 50,000 bookings on its own throwaway database
(``CALMA_BENCH_DATABASE``), renders next month's times page for "anyone" through Django's
test client, and prints where the time goes::

    CALMA_BENCH_DATABASE=calma_bench_a DATABASE_URL=postgres://... \\
    DJANGO_SETTINGS_MODULE=studio.settings.base .venv/bin/python bench/times_page_profile.py
"""

import cProfile
import io
import pstats
import sys
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.availability import (  # noqa: E402
    WARM_UP,
    analyse,
    build_studio,
    drop_throwaway_database,
    machine,
    place_bookings,
    setup_django,
    times_page_calls,
)

BOOKINGS = 50_000
CALLS = 100


def main() -> None:
    url = setup_django()
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from studio.timezones import studio_tz

    settings.CALMA_TIMES_CACHE_SECONDS = 0
    try:
        now = timezone.now().replace(second=0, microsecond=0)
        today = timezone.localdate(now, studio_tz())
        month = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
        parts = build_studio()
        studio, service, lengths = parts[0], parts[1], parts[2]
        place_bookings(BOOKINGS, studio_parts=parts, today=today)
        analyse()
        _picker, page = times_page_calls(
            studio=studio, service=service, length=lengths[60], month=month, now=now
        )
        for _ in range(WARM_UP):
            page()
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(CALLS):
            page()
        profile.disable()
        out = io.StringIO()
        print(f"Machine: {machine()}", file=out)
        print(
            f"The times page for {month:%B %Y}, anyone, {BOOKINGS:,} bookings, cache off: "
            f"{CALLS} GETs through the test client, {connection.vendor}",
            file=out,
        )
        stats = pstats.Stats(profile, stream=out)
        print("\n== The top 25 by cumulative time ==", file=out)
        stats.sort_stats("cumulative").print_stats(25)
        # The middleware's wrappers fill the list above; these two show where the time goes.
        print("\n== Calma's own functions, the top 25 by cumulative time ==", file=out)
        stats.sort_stats("cumulative").print_stats(r"/(bookings|studio|accounts)/", 25)
        print("\n== The top 25 by time spent inside the function itself ==", file=out)
        stats.sort_stats("tottime").print_stats(25)
        print(out.getvalue())
    finally:
        connection.close()
        drop_throwaway_database(url)


if __name__ == "__main__":
    main()
