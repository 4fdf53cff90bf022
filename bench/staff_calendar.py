"""Time the staff calendar's day view: 10 therapists, 80 bookings, rendered in-process.

Run with ``make bench`` (after the availability benchmark). Like it, this builds a throwaway
database (a temporary SQLite file, or ``calma_bench`` on the PostgreSQL server that
``DATABASE_URL`` names) and drops it at the end.

Each page is timed twice: with 1,000 and with 50,000 older bookings behind the day. The
cost must not grow with history: the same query count, and a time ratio (50,000 to 1,000,
of the medians and of the fastest requests) close to 1. On a shared machine the fastest
request is the least disturbed by other work.

``--profile FILE`` also writes a cProfile of the day view (by therapist, 50,000 older
bookings): its 25 costliest functions by cumulative time, and by own time.
"""

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.availability import drop_throwaway_database, machine, setup_django  # noqa: E402

THERAPISTS = 10
PER_THERAPIST = 8
HISTORY = (1_000, 50_000)
RUNS = 30
WARM_UP = 3
PROFILE_RUNS = 20
SLOT = timedelta(minutes=75)


def build(monday):
    """Create ten therapists, each with a room, and eight 45-minute bookings each on Monday."""
    from decimal import Decimal

    from django.contrib.auth.models import Group, User

    from bookings.models import Booking, BookingStatus, Client
    from studio.models import Room, Service, ServiceLength, Therapist, WorkingHours
    from studio.timezones import studio_tz

    service = Service.objects.create(
        name="Leg massage", slug="leg-massage", summary="A calm session.", buffer_minutes=10
    )
    length = ServiceLength.objects.create(service=service, minutes=45, price=Decimal(45))
    clients = Client.objects.bulk_create(
        Client(name=f"Client {n}", email=f"client{n}@example.com") for n in range(80)
    )
    bookings = []
    for n in range(THERAPISTS):
        room = Room.objects.create(name=f"Room {n}", slug=f"room-{n}")
        service.rooms.add(room)
        user = User.objects.create(username=f"therapist{n}")
        therapist = Therapist.objects.create(
            user=user, display_name=f"Therapist {n}", slug=f"therapist-{n}"
        )
        therapist.services.add(service)
        WorkingHours.objects.create(therapist=therapist, weekday=0, starts=clock(9), ends=clock(20))
        first = datetime.combine(monday, clock(9), tzinfo=studio_tz()).astimezone(UTC)
        for slot in range(PER_THERAPIST):
            start = first + slot * SLOT
            end = start + timedelta(minutes=45)
            bookings.append(
                Booking(
                    client=clients[n * PER_THERAPIST + slot],
                    service=service,
                    length=length,
                    therapist=therapist,
                    room=room,
                    start_at=start,
                    end_at=end,
                    blocked_until=end + timedelta(minutes=10),
                    price=length.price,
                    status=BookingStatus.CONFIRMED,
                )
            )
    Booking.objects.bulk_create(bookings)
    staff = User.objects.create_user("bench-frontdesk")  # logged in by ``sign_in``
    staff.groups.add(Group.objects.get(name="staff"))
    return staff


def sign_in(client, user) -> None:
    """Log the front desk in past its second factor, as django-otp records a right code."""
    import django_otp
    from django.http import HttpRequest
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="Bench app", confirmed=True)
    session = client.session
    request = HttpRequest()
    request.session = session
    request.user = user
    django_otp.login(request, device)
    session.save()


def add_history(monday, *, have: int, want: int) -> None:
    """Add older bookings (the days before Monday, going back) until there are ``want``.

    Each of those days looks like Monday: every therapist has eight sessions in their room.
    """
    from bookings.models import Booking, BookingStatus
    from studio.timezones import studio_tz

    after = datetime.combine(monday, clock(0), tzinfo=studio_tz())
    template = list(Booking.objects.filter(start_at__gte=after).order_by("therapist", "start_at"))
    statuses = (BookingStatus.COMPLETED,) * 8 + (BookingStatus.CANCELLED, BookingStatus.NO_SHOW)
    rows = []
    serial = have
    while serial < want:
        days_back = serial // len(template) + 1
        booking = template[serial % len(template)]
        local = booking.start_at.astimezone(studio_tz())
        start = datetime.combine(
            monday - timedelta(days=days_back), local.time(), tzinfo=studio_tz()
        ).astimezone(UTC)
        rows.append(
            Booking(
                client_id=booking.client_id,
                service_id=booking.service_id,
                length_id=booking.length_id,
                therapist_id=booking.therapist_id,
                room_id=booking.room_id,
                start_at=start,
                end_at=start + (booking.end_at - booking.start_at),
                blocked_until=start + (booking.blocked_until - booking.start_at),
                price=booking.price,
                status=statuses[serial % len(statuses)],
            )
        )
        serial += 1
    Booking.objects.bulk_create(rows, batch_size=2_000)
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def time_page(client, url: str) -> tuple[float, float, int]:
    """Return the median and fastest time in ms of a page, and its query count."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(WARM_UP):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.get("Location"))
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return statistics.median(timings), min(timings), len(queries)


def profile(client, url: str, path: Path) -> None:
    """Write the 25 costliest functions of ``url`` by cumulative time, over a few requests."""
    client.get(url)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(PROFILE_RUNS):
        client.get(url)
    profiler.disable()
    out = io.StringIO()
    out.write(f"cProfile of {PROFILE_RUNS} requests of {url} (bench/staff_calendar.py)\n")
    stats = pstats.Stats(profiler, stream=out)
    stats.strip_dirs().sort_stats("cumulative").print_stats(25)
    out.write("By own time:\n")
    stats.sort_stats("tottime").print_stats(25)
    path.write_text(out.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", type=Path, help="write a cProfile of the day view here")
    args = parser.parse_args()
    # The bookings it makes set off eager tasks that log a line each at INFO: the tables are
    # what is read here.
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    url = setup_django()
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone, translation

    today = timezone.localdate()
    monday = today + timedelta(days=7 - today.weekday())
    with translation.override("en"):
        calendar = reverse("bookings:staff_calendar")
    pages = (
        ("calendar day, by therapist", f"{calendar}?date={monday}"),
        ("calendar day, by room", f"{calendar}?date={monday}&by=room"),
        (
            "calendar week, one therapist",
            f"{calendar}?view=week&date={monday}&resource=therapist-1",
        ),
    )
    try:
        staff = build(monday)
        client = Client()
        sign_in(client, staff)
        print(f"Machine: {machine()}")
        print(f"Database: {connection.vendor} (throwaway); day = {monday}")
        print(f"{THERAPISTS} therapists, {THERAPISTS * PER_THERAPIST} bookings that day;")
        print(
            f"median (and fastest) of {RUNS} requests through Django's test client "
            "(middleware, view, template)\n"
        )
        results: dict[str, list[tuple[float, float, int]]] = {label: [] for label, _ in pages}
        have = 0
        for size in HISTORY:
            add_history(monday, have=have, want=size)
            have = size
            for label, path in pages:
                results[label].append(time_page(client, path))
        header = " | ".join(f"{f'{size:,} older':>18} | {'queries':>7}" for size in HISTORY)
        print(f"{'page':<28} | {header} | {'ratio':>13}")
        print("-" * (len(header) + 48))
        for label, _path in pages:
            cells = " | ".join(
                f"{median:>8.2f} ({fastest:>6.2f}) | {queries:>7}"
                for median, fastest, queries in results[label]
            )
            (few, few_fastest, _queries), (many, many_fastest, _queries) = results[label]
            ratio = f"{many / few:.2f} ({many_fastest / few_fastest:.2f})"
            print(f"{label:<28} | {cells} | {ratio:>13}")
        if args.profile:
            profile(client, pages[0][1], args.profile)
            print(f"\nProfile of the day view written to {args.profile}")
    finally:
        connection.close()
        drop_throwaway_database(url)


if __name__ == "__main__":
    main()
