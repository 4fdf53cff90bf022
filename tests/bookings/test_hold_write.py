"""The hold's write path: what it reads before and under the calendar locks."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings import services
from studio.models import Room
from tests.bookings.helpers import NOW, madrid

pytestmark = pytest.mark.django_db

# Tuesday 24 November 2026, 10:00 Madrid: Ana and Carla work then.
TUESDAY_10 = madrid(2026, 11, 24, 10, 0)


@pytest.fixture(autouse=True)
def _clock_at_now(time_machine):
    """Pin the clock at NOW for the whole test, including code that reads it itself."""
    time_machine.move_to(NOW, tick=False)


def test_a_hold_given_the_rooms_ids_takes_them_without_reading_the_rooms(demo):
    """The hold POST reads the rooms' ids with the catalogue, before the transaction: a hold
    given them locks and chooses among those rooms and reads no room again."""
    service, length = demo.service(), demo.length(60)
    olive = Room.objects.get(slug="olive")
    with CaptureQueriesContext(connection) as queries:
        booking = services.hold_create(
            service=service,
            length=length,
            therapist=None,
            start_at=TUESDAY_10,
            now=NOW,
            room_ids=[olive.pk],
        )
    assert booking.room_id == olive.pk
    assert not [q for q in queries.captured_queries if "studio_room" in q["sql"]]
    with CaptureQueriesContext(connection) as without:
        other = services.hold_create(
            service=service,
            length=length,
            therapist=None,
            start_at=TUESDAY_10 + timedelta(hours=2),
            now=NOW,
        )
    assert other.room_id != olive.pk  # the first room in order (Garden), read in the transaction
    assert len(without.captured_queries) == len(queries.captured_queries) + 1
