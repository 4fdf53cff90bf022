"""Time the owner's reports over a real history: 1,000 and 50,000 bookings.

Builds the same throwaway studio as ``bench/availability.py`` (10 therapists, 4 rooms, the
past fully booked, one in ten cancelled) and times each report over the last 4 weeks and
the last 365 days: the median and 90th percentile of 10 runs after 2 warm-ups, and the
number of queries, which must not grow with the history.

    DATABASE_URL=postgres://calma:calma@127.0.0.1:5432/postgres .venv/bin/python bench/reports.py
"""

import statistics
import time
from datetime import timedelta

import availability as base

base.BENCH_DATABASE = "calma_bench_reports"
RUNS = 10
WARM_UP = 2


def main() -> None:
    url = base.setup_django()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from owner import reports
    from studio.timezones import studio_tz

    today = timezone.localdate(timezone.now(), studio_tz())
    parts = base.build_studio()
    periods = {
        "4 weeks": reports.Period(today - timedelta(days=27), today),
        "365 days": reports.Period(today - timedelta(days=364), today),
    }
    print(f"Machine: {base.machine()}")
    print(f"Database: {connection.vendor} (throwaway)")
    print(f"Median and 90th percentile of {RUNS} runs after {WARM_UP} warm-ups, in ms.\n")
    header = (
        f"{'bookings':>9} | {'report':<11} | {'period':<8} | {'median':>7} | {'p90':>7} | queries"
    )
    print(header)
    print("-" * len(header))
    try:
        for count in base.SIZES:
            base.place_bookings(count, studio_parts=parts, today=today)
            base.analyse()
            for key, report in reports.REPORTS.items():
                for label, period in periods.items():
                    for _ in range(WARM_UP):
                        report(period)
                    times = []
                    for _ in range(RUNS):
                        started = time.perf_counter()
                        with CaptureQueriesContext(connection) as queries:
                            report(period)
                        times.append((time.perf_counter() - started) * 1000)
                    p90 = statistics.quantiles(times, n=10)[-1]
                    print(
                        f"{count:>9,} | {key:<11} | {label:<8} | "
                        f"{statistics.median(times):>7.1f} | {p90:>7.1f} | {len(queries)}"
                    )
            started = time.perf_counter()
            reports.today_figures()
            print(
                f"{count:>9,} | {'home':<11} | {'today':<8} | "
                f"{(time.perf_counter() - started) * 1000:>7.1f} |         |"
            )
    finally:
        connection.close()
        base.drop_throwaway_database(url)


if __name__ == "__main__":
    main()
