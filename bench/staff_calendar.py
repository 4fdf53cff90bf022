"""Time the staff calendar's day view: 10 therapists, 80 bookings, rendered in-process.

Run with ``make bench`` (after the availability benchmark). Like it, this builds a throwaway
database (a temporary SQLite file, or ``calma_bench`` on the PostgreSQL server that
``DATABASE_URL`` names) and drops it at the end.
"""

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
RUNS = 30
WARM_UP = 3


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
            start = first + slot * timedelta(minutes=75)
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
    staff = User.objects.create_user("bench-frontdesk")  # logged in with force_login
    staff.groups.add(Group.objects.get(name="staff"))
    return staff


def time_page(client, url: str) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(WARM_UP):
        assert client.get(url).status_code == 200
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return statistics.median(timings), len(queries)


def main() -> None:
    url = setup_django()
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    today = timezone.localdate()
    monday = today + timedelta(days=7 - today.weekday())
    try:
        staff = build(monday)
        client = Client()
        client.force_login(staff)
        print(f"Machine: {machine()}")
        print(f"Database: {connection.vendor} (throwaway); day = {monday}")
        print(f"{THERAPISTS} therapists, {THERAPISTS * PER_THERAPIST} bookings that day;")
        print(
            f"median of {RUNS} requests through Django's test client (middleware, view, template)\n"
        )
        print(f"{'page':<28} | {'median ms':>9} | {'queries':>7}")
        print("-" * 52)
        for label, path in (
            ("calendar day, by therapist", f"/staff/calendar/?date={monday}"),
            ("calendar day, by room", f"/staff/calendar/?date={monday}&by=room"),
            (
                "calendar week, one therapist",
                f"/staff/calendar/?view=week&date={monday}&resource=therapist-1",
            ),
        ):
            median, queries = time_page(client, path)
            print(f"{label:<28} | {median:>9.2f} | {queries:>7}")
    finally:
        connection.close()
        drop_throwaway_database(url)


if __name__ == "__main__":
    main()
