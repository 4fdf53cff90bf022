"""No double booking, ever: real threads racing for one slot, and the database's own guard.

The thread races follow django-oscar's stock-record locking test: a transactional test
database, one connection per thread closed in ``finally``, and exactly one winner.
"""

from collections.abc import Callable
from datetime import time, timedelta

import pytest
from django.db import IntegrityError, transaction

from bookings import services
from bookings.errors import BookingRefused
from bookings.models import ACTIVE_STATUSES, Booking, BookingStatus
from studio.models import Studio, WorkingHours
from tests.bookings.helpers import NOW, madrid, race
from tests.factories import (
    BookingFactory,
    RoomFactory,
    ServiceFactory,
    ServiceLengthFactory,
    TherapistFactory,
)

THREADS = 20
# Tuesday 24 November 2026, 10:00 in Madrid; every therapist below works Tuesdays 09:00–17:00.
START = madrid(2026, 11, 24, 10, 0)

# The same race on each database: PostgreSQL locks rows and has exclusion constraints;
# SQLite serialises writers with BEGIN IMMEDIATE.
ON_EACH_DATABASE = pytest.mark.parametrize(
    "database",
    [
        pytest.param("postgresql", marks=pytest.mark.postgres),
        pytest.param("sqlite", marks=pytest.mark.sqlite),
    ],
)


def _studio(*, rooms: int, therapists: int, minutes=(60,)):
    """Create a studio with one service, its lengths, rooms and Tuesday therapists."""
    Studio.load()  # created up front, so the threads never race to create it
    service = ServiceFactory(rooms=[RoomFactory() for _ in range(rooms)])
    lengths = {m: ServiceLengthFactory(service=service, minutes=m) for m in minutes}
    staff = [TherapistFactory(services=[service]) for _ in range(therapists)]
    for therapist in staff:
        WorkingHours.objects.create(therapist=therapist, weekday=1, starts=time(9), ends=time(17))
    return service, lengths, staff


def _assert_one_winner(wins, refusals, errors) -> None:
    assert errors == []
    assert len(wins) == 1
    assert len(refusals) == THREADS - 1
    assert {refusal.code for refusal in refusals} == {BookingRefused.SLOT_TAKEN}
    active = Booking.objects.filter(status__in=ACTIVE_STATUSES)
    assert list(active.values_list("pk", flat=True)) == [wins[0].pk]


@ON_EACH_DATABASE
@pytest.mark.django_db(transaction=True)
def test_twenty_holds_for_the_same_slot_have_exactly_one_winner(database):
    """Let one of twenty simultaneous holds for one therapist's slot win; refuse the rest."""
    service, lengths, (therapist,) = _studio(rooms=2, therapists=1)

    def attempt() -> Booking:
        return services.hold_create(
            service=service, length=lengths[60], therapist=therapist, start_at=START, now=NOW
        )

    _assert_one_winner(*race([attempt] * THREADS))


@ON_EACH_DATABASE
@pytest.mark.django_db(transaction=True)
def test_overlapping_holds_of_different_lengths_have_exactly_one_winner(database):
    """Let one of 60 min at 10:00, 45 at 10:15 and 30 at 10:30 win for the same therapist."""
    service, lengths, (therapist,) = _studio(rooms=2, therapists=1, minutes=(30, 45, 60))
    choices = [
        (lengths[60], START),
        (lengths[45], START + timedelta(minutes=15)),
        (lengths[30], START + timedelta(minutes=30)),
    ]

    def attempt(index: int) -> Callable[[], Booking]:
        length, start_at = choices[index % len(choices)]
        return lambda: services.hold_create(
            service=service, length=length, therapist=therapist, start_at=start_at, now=NOW
        )

    _assert_one_winner(*race([attempt(index) for index in range(THREADS)]))


@ON_EACH_DATABASE
@pytest.mark.django_db(transaction=True)
def test_two_therapists_racing_for_the_only_room_have_exactly_one_winner(database):
    """Let one hold win when two free therapists both need the service's only room."""
    service, lengths, staff = _studio(rooms=1, therapists=2)

    def attempt(index: int) -> Callable[[], Booking]:
        therapist = staff[index % 2]
        return lambda: services.hold_create(
            service=service, length=lengths[60], therapist=therapist, start_at=START, now=NOW
        )

    _assert_one_winner(*race([attempt(index) for index in range(THREADS)]))


@ON_EACH_DATABASE
@pytest.mark.django_db(transaction=True)
def test_anyone_racing_for_two_therapists_and_two_rooms_has_exactly_two_winners(database):
    """Fill the slot for both free therapists, on different rooms, and refuse the rest."""
    service, lengths, staff = _studio(rooms=2, therapists=2)

    def attempt() -> Booking:
        return services.hold_create(
            service=service, length=lengths[60], therapist=None, start_at=START, now=NOW
        )

    wins, refusals, errors = race([attempt] * THREADS)
    assert errors == []
    assert len(wins) == 2
    assert {refusal.code for refusal in refusals} == {BookingRefused.SLOT_TAKEN}
    assert len(refusals) == THREADS - 2
    assert {win.therapist_id for win in wins} == {therapist.pk for therapist in staff}
    assert len({win.room_id for win in wins}) == 2


# --- the exclusion constraints themselves ----------------------------------------------------


@pytest.fixture
def placed(db):
    """Return a confirmed booking 10:00–11:00 (+10 min buffer) and a second room, therapist."""
    service = ServiceFactory(rooms=[RoomFactory(), RoomFactory()])
    length = ServiceLengthFactory(service=service, minutes=60)
    booking = BookingFactory(
        service=service,
        length=length,
        therapist=TherapistFactory(services=[service]),
        room=service.rooms.order_by("pk")[0],
        start_at=START,
    )
    other_room = service.rooms.order_by("pk")[1]
    other_therapist = TherapistFactory(services=[service])
    return booking, other_room, other_therapist


def _insert_like(booking: Booking, **changes) -> Booking:
    """Insert a booking straight into the table, bypassing the services."""
    fields = {
        "service": booking.service,
        "length": booking.length,
        "therapist": booking.therapist,
        "room": booking.room,
        "start_at": booking.start_at,
        "end_at": booking.end_at,
        "blocked_until": booking.blocked_until,
        "price": booking.price,
        "status": BookingStatus.CONFIRMED,
    }
    fields.update(changes)
    return Booking.objects.create(**fields)


@pytest.mark.postgres
def test_the_database_refuses_an_overlapping_booking_for_the_same_therapist(placed):
    """Refuse, in the database, the same therapist at an overlapping time in another room."""
    booking, other_room, _other_therapist = placed
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        _insert_like(
            booking,
            room=other_room,
            start_at=booking.start_at + timedelta(minutes=30),
            end_at=booking.end_at + timedelta(minutes=30),
            blocked_until=booking.blocked_until + timedelta(minutes=30),
        )
    assert refused.value.__cause__.diag.constraint_name == "booking_no_therapist_overlap"
    assert Booking.objects.count() == 1


@pytest.mark.postgres
def test_the_database_refuses_an_overlapping_booking_for_the_same_room(placed):
    """Refuse, in the database, another therapist in the same room at an overlapping time."""
    booking, _other_room, other_therapist = placed
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        _insert_like(booking, therapist=other_therapist)
    assert refused.value.__cause__.diag.constraint_name == "booking_no_room_overlap"


@pytest.mark.postgres
def test_the_buffer_counts_in_the_database_too(placed):
    """Refuse a start inside the previous booking's buffer."""
    booking, _other_room, _other_therapist = placed
    start = booking.end_at + timedelta(minutes=5)  # inside the 10-minute buffer
    with pytest.raises(IntegrityError), transaction.atomic():
        _insert_like(
            booking,
            start_at=start,
            end_at=start + timedelta(minutes=60),
            blocked_until=start + timedelta(minutes=70),
        )


@pytest.mark.postgres
def test_a_cancelled_booking_does_not_block_in_the_database(placed):
    """Accept a booking over a cancelled one: only active statuses are guarded."""
    booking, _other_room, _other_therapist = placed
    Booking.objects.filter(pk=booking.pk).update(status=BookingStatus.CANCELLED)
    replacement = _insert_like(booking)
    assert replacement.pk != booking.pk
    assert Booking.objects.filter(status__in=ACTIVE_STATUSES).get() == replacement


@pytest.mark.postgres
def test_back_to_back_bookings_are_allowed_in_the_database(placed):
    """Accept a booking that starts exactly where the previous one's buffer ends."""
    booking, _other_room, _other_therapist = placed
    start = booking.blocked_until
    following = _insert_like(
        booking,
        start_at=start,
        end_at=start + timedelta(minutes=60),
        blocked_until=start + timedelta(minutes=70),
    )
    assert Booking.objects.filter(status__in=ACTIVE_STATUSES).count() == 2
    assert following.start_at == booking.blocked_until


@pytest.mark.postgres
def test_a_constraint_violation_reaches_the_client_as_slot_taken(placed, monkeypatch):
    """Turn the database's refusal into the friendly "just taken" when the re-check misses."""
    booking, _other_room, _other_therapist = placed
    Studio.load()
    WorkingHours.objects.create(
        therapist=booking.therapist, weekday=1, starts=time(9), ends=time(17)
    )

    # Pretend the re-check under the lock saw a stale calendar and let the start through.
    def stale_choose(**_kwargs):
        return booking.therapist_id, booking.room_id

    monkeypatch.setattr(services, "_choose", stale_choose)
    with pytest.raises(BookingRefused) as refused:
        services.hold_create(
            service=booking.service,
            length=booking.length,
            therapist=booking.therapist,
            start_at=START,
            now=NOW,
        )
    assert refused.value.code == BookingRefused.SLOT_TAKEN
    assert isinstance(refused.value.__cause__, IntegrityError)
    assert Booking.objects.count() == 1
