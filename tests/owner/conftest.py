"""A generated history on the demo studio, for the owner's home and reports.

The clock is pinned for the whole test (``clock``): "today" is a Wednesday, and the
history fills the four weeks before it with every status, both cancellation kinds, three
screening levels, two prices per length and clients who come back or do not.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine

from bookings.models import Booking, BookingStatus, ScreeningLevel
from studio.models import Room, Service, Therapist
from tests.bookings.staff.conftest import MADRID, browser_for
from tests.factories import BookingFactory, ClientFactory

TODAY = date(2026, 3, 11)  # a Wednesday
NOW = datetime.combine(TODAY, time(12, 30), tzinfo=MADRID)
FIRST = TODAY - timedelta(days=28)

STATUSES = [
    BookingStatus.COMPLETED,
    BookingStatus.COMPLETED,
    BookingStatus.CONFIRMED,
    BookingStatus.CANCELLED,  # early or late, by the day
    BookingStatus.NO_SHOW,
    BookingStatus.EXPIRED,
    BookingStatus.DECLINED,
    BookingStatus.STOPPED,
    BookingStatus.ARRIVED,
]
LEVELS = [ScreeningLevel.CLEAR, ScreeningLevel.CLEAR, ScreeningLevel.REVIEW, ScreeningLevel.STOP]


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=MADRID)


@pytest.fixture
def history(demo_studio, clock) -> list[Booking]:
    """About 150 bookings over the four weeks before today, and a few this week."""
    services = list(Service.objects.order_by("pk"))
    ana, ben = Therapist.objects.get(slug="ana"), Therapist.objects.get(slug="ben")
    olive, garden = Room.objects.get(slug="olive"), Room.objects.get(slug="garden")
    clients = [ClientFactory(name=f"Client {n}") for n in range(12)]
    made = []
    index = 0
    day = FIRST
    while day <= TODAY + timedelta(days=2):
        if day.weekday() < 5:
            for therapist, room, hours in ((ana, olive, (9, 11)), (ben, garden, (14, 16, 18))):
                for hour in hours:
                    service = next(
                        s
                        for s in services[index % len(services) :] + services
                        if therapist.services.filter(pk=s.pk).exists()
                        and s.rooms.filter(pk=room.pk).exists()
                    )
                    length = service.lengths.order_by("minutes").first()
                    status = STATUSES[index % len(STATUSES)]
                    start = _at(day, hour)
                    if start > NOW and status not in (BookingStatus.CANCELLED,):
                        status = BookingStatus.CONFIRMED
                    fields = {}
                    if status == BookingStatus.CANCELLED:
                        # Every other one late: an hour before the start, else a week before.
                        ahead = timedelta(hours=1) if index % 2 else timedelta(days=7)
                        fields["cancelled_at"] = start - ahead
                    made.append(
                        BookingFactory(
                            client=clients[index % len(clients)],
                            service=service,
                            length=length,
                            therapist=therapist,
                            room=room,
                            start_at=start,
                            status=status,
                            price=length.price + Decimal(index % 2),
                            screening_level=LEVELS[index % len(LEVELS)],
                            **fields,
                        )
                    )
                    index += 1
        day += timedelta(days=1)
    return made


@pytest.fixture
def owner(demo_studio, clock):
    return browser_for("owner")


@pytest.fixture
def frontdesk(demo_studio, clock):
    return browser_for("frontdesk")
