"""Time the availability selector for one day and one week of "anyone" slots, and the times page.

The times page is what a client sees at ``/en/book/<slug>/``: a month of days with free
times and one day's times, for "anyone". It is timed twice, with the times cache off: the
picker alone (``picker.free_time_picker`` for the month) and the whole page rendered through
Django's test client (middleware, view, picker, template).

Run with ``make bench``. The benchmark builds its own throwaway database and never touches
the development one: a temporary SQLite file, or, when ``DATABASE_URL`` names a PostgreSQL
server, a database called ``calma_bench`` on it, created afresh and dropped at the end.

The studio: 10 therapists working Monday to Saturday 09:00–20:00, 4 rooms, one service with
30- and 60-minute lengths that every therapist offers in every room. The next eight weeks
are half booked (the same for every N); the rest of the N bookings fill the past, week by
week, so the table shows what a growing history costs.
"""

import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Two benchmarks side by side (say, two worktrees) each name their own.
BENCH_DATABASE = os.environ.get("CALMA_BENCH_DATABASE", "calma_bench")
SIZES = (1_000, 50_000)
RUNS = 100
WARM_UP = 20  # past psycopg's prepare threshold (5 runs of a statement per connection)
THERAPISTS = 10
ROOMS = 4
WORKDAYS = range(6)  # Monday to Saturday
DAY_STARTS, DAY_ENDS = clock(9), clock(20)
# One booking every 75 minutes per room (60 minutes, a 10-minute buffer and a gap).
LATTICE = timedelta(minutes=75)
SLOTS_PER_ROOM_DAY = 9  # 09:00 to 19:00
FUTURE_WEEKS = 8


def _admin_url(url: str) -> str:
    """Return a URL of the server in ``url`` on a database other than the benchmark's."""
    parts = urlsplit(url)
    database = "/postgres" if parts.path.lstrip("/") == BENCH_DATABASE else parts.path
    return urlunsplit(parts._replace(scheme="postgresql", path=database))


def throwaway_database_url() -> str:
    """Return the URL of a fresh, empty benchmark database, creating it first."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg

        with psycopg.connect(_admin_url(url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')
        return urlunsplit(urlsplit(url)._replace(path="/" + BENCH_DATABASE))
    if url and not url.startswith("sqlite"):
        sys.exit("The benchmark runs on SQLite or PostgreSQL only.")
    folder = tempfile.mkdtemp(prefix="calma-bench-")
    return f"sqlite:///{folder}/bench.sqlite3"


def setup_django() -> str:
    url = throwaway_database_url()
    os.environ["DATABASE_URL"] = url
    os.environ["DEBUG"] = "false"  # no query log: time what production would run
    os.environ["DATABASE_POOL"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings.base")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    name = str(settings.DATABASES["default"]["NAME"])
    if name.endswith("db.sqlite3") and Path(name).parent == ROOT:
        sys.exit("Refusing to benchmark on the development database.")
    call_command("migrate", verbosity=0)
    return url


def build_studio():
    """Create the rooms, the service, its lengths and the therapists with their hours."""
    from decimal import Decimal

    from django.contrib.auth.models import User

    from bookings.models import Client
    from studio.models import Room, Service, ServiceLength, Studio, Therapist, WorkingHours

    studio = Studio.load()
    rooms = [Room.objects.create(name=f"Room {n}", slug=f"room-{n}") for n in range(ROOMS)]
    service = Service.objects.create(
        name="Leg massage", slug="leg-massage", summary="A calm session.", buffer_minutes=10
    )
    service.rooms.set(rooms)
    lengths = {
        minutes: ServiceLength.objects.create(
            service=service, minutes=minutes, price=Decimal(minutes)
        )
        for minutes in (30, 60)
    }
    therapists = []
    for n in range(THERAPISTS):
        user = User.objects.create(username=f"therapist{n}")
        therapist = Therapist.objects.create(
            user=user, display_name=f"Therapist {n}", slug=f"therapist-{n}"
        )
        therapist.services.add(service)
        therapists.append(therapist)
    WorkingHours.objects.bulk_create(
        WorkingHours(therapist=t, weekday=day, starts=DAY_STARTS, ends=DAY_ENDS)
        for t in therapists
        for day in WORKDAYS
    )
    clients = Client.objects.bulk_create(
        Client(name=f"Client {n}", email=f"client{n}@example.com") for n in range(500)
    )
    return studio, service, lengths, therapists, rooms, clients


def lattice(day: date, day_index: int, *, half: bool):
    """Yield (start, room index, therapist index, slot) for one local working day."""
    from studio.timezones import studio_tz

    first = datetime.combine(day, DAY_STARTS, tzinfo=studio_tz()).astimezone(UTC)
    for slot in range(SLOTS_PER_ROOM_DAY):
        for room in range(ROOMS):
            if half and (slot + room + day_index) % 2:
                continue
            # Four different therapists at any one time, rotating through all ten.
            yield first + slot * LATTICE, room, (4 * slot + room + day_index) % THERAPISTS, slot


def place_bookings(count: int, *, studio_parts, today: date) -> int:
    """Replace every booking with ``count`` non-overlapping ones; return how many are future."""
    from bookings.models import Booking, BookingStatus

    _studio, service, lengths, therapists, rooms, clients = studio_parts
    Booking.objects.all().delete()

    def booking(start, room, therapist, serial, status):
        length = lengths[60] if serial % 3 else lengths[30]
        end = start + timedelta(minutes=length.minutes)
        return Booking(
            client=clients[serial % len(clients)],
            service=service,
            length=length,
            therapist=therapists[therapist],
            room=rooms[room],
            start_at=start,
            end_at=end,
            blocked_until=end + timedelta(minutes=service.buffer_minutes),
            price=length.price,
            status=status,
        )

    rows = []
    # The next weeks, half booked: identical for every N.
    for offset in range(1, FUTURE_WEEKS * 7 + 1):
        day = today + timedelta(days=offset)
        if day.weekday() in WORKDAYS:
            for start, room, therapist, _slot in lattice(day, offset, half=True):
                rows.append(booking(start, room, therapist, len(rows), BookingStatus.CONFIRMED))
    future = len(rows)
    # The past, fully booked, going back day by day until there are ``count`` bookings.
    offset = 0
    while len(rows) < count:
        offset += 1
        day = today - timedelta(days=offset)
        if day.weekday() not in WORKDAYS:
            continue
        for start, room, therapist, _slot in lattice(day, offset, half=False):
            if len(rows) == count:
                break
            status = BookingStatus.CANCELLED if len(rows) % 10 == 0 else BookingStatus.COMPLETED
            rows.append(booking(start, room, therapist, len(rows), status))
    Booking.objects.bulk_create(rows, batch_size=2_000)
    return future


def analyse() -> None:
    """Bring the tables to the steady state autovacuum keeps (or SQLite's optimize).

    On PostgreSQL, VACUUM as well as ANALYZE: fresh from a bulk insert, the bookings table
    would otherwise be vacuumed by autovacuum in the middle of a timed run.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def measure(*, studio, service, length, first_day: date, days: int, now: datetime):
    """Time one availability call: medians in ms of the whole call and of its pure part.

    Return (median, fastest, 90th percentile, median of the pure rule alone, queries,
    slots). The fastest run is the least disturbed by other work on a shared machine.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bookings import selectors

    pure_timings: list[float] = []
    free_slots = selectors.slot_minutes

    def timed_free_slots(**kwargs):
        started = time.perf_counter()
        try:
            return free_slots(**kwargs)
        finally:
            pure_timings.append((time.perf_counter() - started) * 1000)

    def call():
        return selectors.availability(
            service=service,
            length=length,
            therapist=None,
            first_day=first_day,
            days=days,
            now=now,
            studio=studio,
        )

    selectors.slot_minutes = timed_free_slots
    try:
        for _ in range(WARM_UP):
            call()
        pure_timings.clear()
        timings = []
        for _ in range(RUNS):
            started = time.perf_counter()
            call()
            timings.append((time.perf_counter() - started) * 1000)
    finally:
        selectors.slot_minutes = free_slots
    with CaptureQueriesContext(connection) as queries:
        result = call()
    timings.sort()
    p90 = timings[int(len(timings) * 0.9) - 1]
    return (
        statistics.median(timings),
        timings[0],
        p90,
        statistics.median(pure_timings),
        len(queries),
        len(result.slots),
    )


def _timed(call) -> tuple[float, float, float]:
    """Run ``call`` after a warm-up; return the median, fastest and 90th percentile in ms."""
    for _ in range(WARM_UP):
        call()
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return statistics.median(timings), timings[0], timings[int(len(timings) * 0.9) - 1]


def times_page_calls(*, studio, service, length, month: date, now: datetime):
    """Return the two calls that compute the times page: the picker alone, and the page."""
    from django.test import Client as Browser
    from django.urls import reverse
    from django.utils import translation

    from bookings import picker

    def picker_call():
        return picker.free_time_picker(
            service=service, length=length, therapist=None, month=month, now=now, studio=studio
        )

    browser = Browser()
    with translation.override("en"):
        url = reverse("bookings:booking_times", kwargs={"slug": service.slug})
    params = {"length": length.pk, "therapist": "any", "month": f"{month:%Y-%m}"}

    def page_call():
        response = browser.get(url, params)
        if response.status_code != 200:
            raise RuntimeError(f"The times page answered {response.status_code}")
        return response

    return picker_call, page_call


def measure_times_page(*, studio, service, length, month: date, now: datetime):
    """Time the computed times page: rows of (label, median, fastest, p90, queries, slots)."""
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # Without Redis the cache is off already; say so, so that a REDIS_URL cannot turn it on.
    settings.CALMA_TIMES_CACHE_SECONDS = 0
    picker_call, page_call = times_page_calls(
        studio=studio, service=service, length=length, month=month, now=now
    )
    rows = []
    for label, call in (("picker", picker_call), ("page", page_call)):
        median, fastest, p90 = _timed(call)
        with CaptureQueriesContext(connection) as queries:
            call()
        shown = picker_call()
        free = sum(cell.free for week in shown.weeks for cell in week.days if cell.bookable)
        rows.append((label, median, fastest, p90, len(queries), free))
    return rows


def machine() -> str:
    memory = ""
    try:
        with open("/proc/meminfo") as meminfo:
            kib = int(meminfo.readline().split()[1])
        memory = f", {kib / 1024 / 1024:.1f} GiB memory"
    except (OSError, ValueError, IndexError):
        pass
    return f"{os.cpu_count()} CPUs (nproc){memory}, {platform.platform()}, Python " + (
        platform.python_version()
    )


def main() -> None:
    url = setup_django()
    from django.db import connection
    from django.utils import timezone

    from studio.timezones import studio_tz

    now = timezone.now().replace(second=0, microsecond=0)
    today = timezone.localdate(now, studio_tz())
    # The next full Monday-to-Sunday week, and its Monday for the one-day view.
    monday = today + timedelta(days=7 - today.weekday())
    parts = build_studio()
    studio, service, lengths = parts[0], parts[1], parts[2]

    print(f"Machine: {machine()}")
    print(f"Database: {connection.vendor} {connection.settings_dict['NAME']} (throwaway)")
    print(f"Service: {service.name}, 60 minutes, anyone of {THERAPISTS}, {ROOMS} rooms")
    # The times page: next month, whole, with its first free day's times.
    month = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    print(f"Now: {now:%Y-%m-%d %H:%M} UTC; day = {monday}; week = {monday} + 6 days")
    print(f"Times page: {month:%B %Y} and its first free day, anyone, times cache off")
    print(f"Median, fastest and 90th percentile of {RUNS} runs, after {WARM_UP} warm-up runs;")
    print("'pure ms' is the median of the pure rule inside (slot_minutes, no database).")
    print("'picker' is the month's picker alone, 'page' the whole page through the test client;")
    print("their 'slots' are the month's free starts shown.\n")
    header = f"{'bookings':>9} | {'view':<6} | {'median ms':>9} | {'min ms':>6} | {'p90 ms':>7} | "
    header += f"{'pure ms':>7} | {'queries':>7} | {'slots':>5}"
    print(header)
    print("-" * len(header))
    try:
        for count in SIZES:
            future = place_bookings(count, studio_parts=parts, today=today)
            analyse()
            for label, days in (("day", 1), ("week", 7)):
                median, fastest, p90, pure, queries, slots = measure(
                    studio=studio,
                    service=service,
                    length=lengths[60],
                    first_day=monday,
                    days=days,
                    now=now,
                )
                print(
                    f"{count:>9,} | {label:<6} | {median:>9.2f} | {fastest:>6.2f} | {p90:>7.2f} | "
                    f"{pure:>7.2f} | {queries:>7} | {slots:>5}"
                )
            for label, median, fastest, p90, queries, slots in measure_times_page(
                studio=studio, service=service, length=lengths[60], month=month, now=now
            ):
                print(
                    f"{count:>9,} | {label:<6} | {median:>9.2f} | {fastest:>6.2f} | {p90:>7.2f} | "
                    f"{'':>7} | {queries:>7} | {slots:>5}"
                )
            print(f"{'':>9}   ({future:,} of them in the next {FUTURE_WEEKS} weeks)")
    finally:
        connection.close()
        drop_throwaway_database(url)


def drop_throwaway_database(url: str) -> None:
    """Remove the benchmark's database: the SQLite folder, or calma_bench on PostgreSQL."""
    if url.startswith("sqlite:///"):
        shutil.rmtree(Path(url.removeprefix("sqlite:///")).parent, ignore_errors=True)
        return
    import psycopg

    with psycopg.connect(_admin_url(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)')


if __name__ == "__main__":
    main()
