"""Who waits for whom on PostgreSQL: one writer per therapist or room and hour.

A second connection (a thread) takes calendar locks and keeps its transaction open; this
connection then tries a write with ``lock_timeout`` set, so a write that has to wait fails
with "lock not available" instead of hanging, and a write that need not wait goes through.
"""

import threading
import time as time_module
from datetime import time, timedelta

import pytest
from django.db import OperationalError, connection, transaction

from bookings import services
from bookings.models import Booking, BookingStatus
from studio.models import Studio, WorkingHours
from tests.bookings.helpers import NOW, madrid
from tests.factories import (
    BookingFactory,
    RoomFactory,
    ServiceFactory,
    ServiceLengthFactory,
    TherapistFactory,
)


def on_postgres(test):
    """Mark a test that takes real advisory locks: PostgreSQL, in a transactional database.

    The tests of ``calendar_lock_keys`` alone are pure, and run on every database.
    """
    return pytest.mark.postgres(pytest.mark.django_db(transaction=True)(test))


# Tuesday 24 and Wednesday 25 November 2026, in Madrid; the therapists work both days.
TUESDAY = madrid(2026, 11, 24, 10, 0)
WEDNESDAY = madrid(2026, 11, 25, 10, 0)


@pytest.fixture
def studio():
    Studio.load()
    rooms = [RoomFactory(), RoomFactory()]
    service = ServiceFactory(rooms=rooms)
    length = ServiceLengthFactory(service=service, minutes=60)
    staff = [TherapistFactory(services=[service]) for _ in range(2)]
    for therapist in staff:
        for weekday in (1, 2):
            WorkingHours.objects.create(
                therapist=therapist, weekday=weekday, starts=time(9), ends=time(17)
            )
    return service, length, staff, rooms


class Holder:
    """Hold calendar locks (or rows) in another connection until told to let go."""

    def __init__(self, take):
        self._take = take
        self._ready = threading.Event()
        self._release = threading.Event()
        self._error = None
        self._thread = threading.Thread(target=self._run)

    def _run(self):
        try:
            with transaction.atomic():
                self._take()
                self._ready.set()
                self._release.wait(timeout=30)
        except Exception as error:  # reported by __exit__
            self._error = error
            self._ready.set()
        finally:
            connection.close()

    def __enter__(self):
        self._thread.start()
        assert self._ready.wait(timeout=30)
        assert self._error is None, self._error
        return self

    def __exit__(self, *exc):
        self._release.set()
        self._thread.join(timeout=30)
        assert not self._thread.is_alive()
        assert self._error is None, self._error


def _lock(therapists=(), rooms=(), *, start, end):
    return lambda: services._lock_calendar(
        services.Locked(
            therapist_ids=[t.pk for t in therapists],
            room_ids=[r.pk for r in rooms],
            start_at=start,
            end_at=end,
        )
    )


@pytest.fixture
def impatient():
    """Make this connection give up on a lock after half a second instead of waiting."""
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '500ms'")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = 0")


def _hold(service, length, therapist, start):
    return services.hold_create(
        service=service, length=length, therapist=therapist, start_at=start, now=NOW
    )


@on_postgres
def test_a_hold_waits_for_a_writer_on_the_same_therapist_and_hour(studio, impatient):
    """A write to Ana's 10:45–11:00 makes a 10:00–11:10 hold for Ana wait."""
    service, length, (ana, _ben), _rooms = studio
    late = TUESDAY + timedelta(minutes=45)
    other = Holder(_lock([ana], start=late, end=late + timedelta(minutes=15)))
    with other, pytest.raises(OperationalError, match="lock"):
        _hold(service, length, ana, TUESDAY)
    assert not Booking.objects.exists()
    # Once the other writer is done, the same hold goes through.
    assert _hold(service, length, ana, TUESDAY).status == BookingStatus.HELD


@on_postgres
@pytest.mark.parametrize(
    "elsewhere",
    [WEDNESDAY, TUESDAY + timedelta(hours=4)],
    ids=["another-day", "later-the-same-day"],
)
def test_a_hold_at_another_time_for_the_same_therapist_goes_ahead(studio, impatient, elsewhere):
    """A write to Ana's Tuesday 10:00–11:00 does not hold up her Wednesday or her 14:00."""
    service, length, (ana, _ben), rooms = studio
    with Holder(_lock([ana], rooms, start=TUESDAY, end=TUESDAY + timedelta(hours=1))):
        booking = _hold(service, length, ana, elsewhere)
        assert booking.therapist_id == ana.pk
        assert Booking.objects.filter(pk=booking.pk, status=BookingStatus.HELD).exists()


@on_postgres
def test_a_hold_waits_for_a_writer_on_a_room_it_could_take(studio, impatient):
    """Ben's hold could take either room: a write to one room at that hour makes it wait."""
    service, length, (_ana, ben), rooms = studio
    other = Holder(_lock(rooms=[rooms[1]], start=TUESDAY, end=TUESDAY + timedelta(hours=1)))
    with other, pytest.raises(OperationalError, match="lock"):
        _hold(service, length, ben, TUESDAY)
    assert not Booking.objects.exists()


@on_postgres
def test_a_time_block_across_midnight_waits_for_the_next_day(studio, impatient):
    """A block from Tuesday 23:30 to Wednesday 00:30 meets a writer at Wednesday 00:00."""
    _service, _length, (ana, _ben), _rooms = studio
    midnight = madrid(2026, 11, 25, 0, 0)
    with Holder(_lock([ana], start=midnight, end=midnight + timedelta(minutes=10))):
        with pytest.raises(OperationalError, match="lock"):
            services.time_block_create(
                therapist=ana,
                start_at=madrid(2026, 11, 24, 23, 30),
                end_at=madrid(2026, 11, 25, 0, 30),
            )
        # Ending at midnight it touches Tuesday's last hour only, and goes ahead.
        block = services.time_block_create(
            therapist=ana, start_at=madrid(2026, 11, 24, 23, 0), end_at=madrid(2026, 11, 25, 0, 0)
        )
        assert block.pk is not None


@on_postgres
def test_the_sweep_passes_over_a_dead_hold_a_booking_is_busy_with(studio, impatient):
    """The expiry sweep never waits: a dead hold locked elsewhere is left for the next sweep."""
    service, length, (ana, ben), rooms = studio
    dead = {
        therapist.pk: BookingFactory(
            service=service,
            length=length,
            therapist=therapist,
            room=room,
            start_at=TUESDAY,
            status=BookingStatus.HELD,
            hold_expires_at=NOW - timedelta(minutes=1),
        )
        for therapist, room in ((ana, rooms[0]), (ben, rooms[1]))
    }
    busy = dead[ana.pk]

    def lock_row():
        list(Booking.objects.select_for_update().filter(pk=busy.pk).values_list("pk"))

    with Holder(lock_row):
        assert services.holds_expire(now=NOW) == 1
    statuses = dict(Booking.objects.values_list("therapist_id", "status"))
    assert statuses == {ana.pk: BookingStatus.HELD, ben.pk: BookingStatus.EXPIRED}
    assert services.holds_expire(now=NOW) == 1
    assert not Booking.objects.filter(status=BookingStatus.HELD).exists()


def _advisory_locks_held() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
        )
        return cursor.fetchone()[0]


@on_postgres
def test_a_three_year_time_off_takes_a_bounded_number_of_locks(studio):
    """Record three years of leave in one go: one lock for the calendar, not one per hour."""
    _service, _length, (ana, _ben), _rooms = studio
    start = madrid(2027, 1, 1, 0, 0)
    end = madrid(2030, 1, 1, 0, 0)
    with transaction.atomic():
        time_off = services.time_block_create(
            therapist=ana, start_at=start, end_at=end, kind="time_off"
        )
        assert _advisory_locks_held() == 1
    assert time_off.pk is not None
    assert time_off.end_at == end


@on_postgres
def test_a_long_time_off_waits_for_a_hold_inside_it(studio, impatient):
    """A hold for Ana on a Tuesday makes a year of leave covering it wait, and vice versa."""
    service, length, (ana, _ben), _rooms = studio
    hold = _lock([ana], start=TUESDAY, end=TUESDAY + timedelta(hours=1))
    with Holder(hold), pytest.raises(OperationalError, match="lock"):
        services.time_block_create(
            therapist=ana, start_at=madrid(2026, 11, 1, 0, 0), end_at=madrid(2027, 11, 1, 0, 0)
        )
    leave = _lock([ana], start=madrid(2026, 11, 1, 0, 0), end=madrid(2027, 11, 1, 0, 0))
    with Holder(leave), pytest.raises(OperationalError, match="lock"):
        _hold(service, length, ana, WEDNESDAY)
    assert not Booking.objects.exists()


@on_postgres
def test_a_long_time_off_leaves_other_therapists_free_to_book(studio, impatient):
    """A year of leave for Ana does not hold up a hold for Ben at the same time."""
    service, length, (ana, ben), _rooms = studio
    leave = _lock([ana], start=madrid(2026, 11, 1, 0, 0), end=madrid(2027, 11, 1, 0, 0))
    with Holder(leave):
        assert _hold(service, length, ben, TUESDAY).therapist_id == ben.pk


def test_short_writes_at_different_hours_share_no_exclusive_lock():
    """Two writes at different hours meet only on the whole-calendar key, both shared."""
    morning = services.Locked([7], [3], start_at=TUESDAY, end_at=TUESDAY + timedelta(hours=1))
    later = TUESDAY + timedelta(hours=3)
    afternoon = services.Locked([7], [3], start_at=later, end_at=later + timedelta(hours=1))
    a, b = dict(services.calendar_lock_keys(morning)), dict(services.calendar_lock_keys(afternoon))
    shared_keys = a.keys() & b.keys()
    assert len(shared_keys) == 2  # the therapist's and the room's whole calendar
    assert all(a[key] and b[key] for key in shared_keys)


def test_any_two_overlapping_spans_meet_on_an_exclusive_lock():
    """Whatever their lengths, two overlapping spans on one therapist share a key one of them
    holds exclusively, so the second waits for the first."""
    base = TUESDAY
    spans = [
        (base, base + timedelta(minutes=15)),
        (base + timedelta(minutes=50), base + timedelta(hours=2)),
        (base - timedelta(days=1), base + timedelta(hours=1)),
        (base - timedelta(days=400), base + timedelta(days=400)),
        (base + timedelta(hours=47), base + timedelta(days=3)),
    ]
    for first in spans:
        for second in spans:
            if not (first[0] < second[1] and second[0] < first[1]):
                continue
            a = dict(services.calendar_lock_keys(services.Locked([1], [], *first)))
            b = dict(services.calendar_lock_keys(services.Locked([1], [], *second)))
            assert any(not (a[key] and b[key]) for key in a.keys() & b.keys()), (first, second)


# Ids out of order, as bookable_resources returns them (in the models' order, by name).
UNORDERED = services.Locked([9, 3], [7, 2], start_at=TUESDAY, end_at=TUESDAY + timedelta(hours=2))


def test_the_locks_come_in_ascending_key_order_whatever_the_order_of_the_ids():
    """Lock every therapist's and room's keys in one ascending order, each key once: two
    writers then never each hold a lock the other waits for."""
    pairs = services.calendar_lock_keys(UNORDERED)
    keys = [key for key, _shared in pairs]
    assert keys == sorted(set(keys))
    # The whole calendar (shared) and the two hours (exclusive) of each of the four.
    assert len(keys) == 4 * 3
    assert [shared for _key, shared in pairs].count(True) == 4
    assert keys[0] == services._advisory_key(1, 3, 0)


def _advisory_locks_of(pid: int) -> tuple[int, int]:
    """Return how many advisory locks a backend holds, and how many it waits for."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FILTER (WHERE granted), count(*) FILTER (WHERE NOT granted)"
            " FROM pg_locks WHERE locktype = 'advisory' AND pid = %s",
            [pid],
        )
        return cursor.fetchone()


@on_postgres
def test_a_writer_waiting_for_its_first_lock_holds_none_of_the_others():
    """A writer whose lowest key is taken waits for it before taking any other, whatever the
    order its therapists and rooms came in: no writer holds a key while it waits for a lower
    one, so no two can wait for each other (PostgreSQL would end one with a deadlock)."""
    lowest = services._advisory_key(1, 3, 0)  # therapist 3's whole calendar

    def take_lowest():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lowest])

    writer_pid: list[int] = []
    started = threading.Event()
    failure: list[BaseException] = []

    def write():
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '20s'")
                    cursor.execute("SELECT pg_backend_pid()")
                    writer_pid.append(cursor.fetchone()[0])
                started.set()
                services._lock_calendar(UNORDERED)
        except BaseException as error:  # reported below
            failure.append(error)
            started.set()
        finally:
            connection.close()

    writer = threading.Thread(target=write)
    with Holder(take_lowest):
        writer.start()
        assert started.wait(timeout=30)
        assert failure == []
        deadline = time_module.monotonic() + 20
        held, waiting = _advisory_locks_of(writer_pid[0])
        while not waiting and not failure and time_module.monotonic() < deadline:
            held, waiting = _advisory_locks_of(writer_pid[0])
        assert (held, waiting) == (0, 1)
    writer.join(timeout=30)
    assert not writer.is_alive()
    assert failure == []


def _hour(moment) -> int:
    """Return the lock bucket of the hour a moment falls in: hours since 1970 (UTC), plus one."""
    return int(moment.timestamp()) // 3600 + 1


def test_the_keys_follow_the_documented_layout():
    """Key = kind (1 therapist, 2 room) << 56 | id << 24 | hour bucket (0: whole calendar),
    so other code, and a person reading pg_locks, can tell what a lock guards."""
    span = services.Locked([7], [5], start_at=TUESDAY, end_at=TUESDAY + timedelta(minutes=70))
    first = _hour(TUESDAY)
    assert services.calendar_lock_keys(span) == [
        ((1 << 56) | (7 << 24), True),
        ((1 << 56) | (7 << 24) | first, False),
        ((1 << 56) | (7 << 24) | (first + 1), False),
        ((2 << 56) | (5 << 24), True),
        ((2 << 56) | (5 << 24) | first, False),
        ((2 << 56) | (5 << 24) | (first + 1), False),
    ]


def test_the_keys_stay_apart_for_any_id_below_2_to_the_32_until_the_year_3800():
    """Never give two resources or two hours one key, and fit every key in a bigint."""
    last_hour = _hour(madrid(3799, 12, 31, 23, 0))
    assert last_hour < 2**24
    keys = {
        services._advisory_key(kind, pk, bucket)
        for kind in (1, 2)
        for pk in (1, 2**31, 2**32 - 1)
        for bucket in (0, 1, last_hour)
    }
    assert len(keys) == 2 * 3 * 3
    assert max(keys) < 2**63


def test_a_span_a_microsecond_into_an_hour_locks_that_hour():
    """Lock the next hour for a span that ends just after it starts, and not for one that
    ends exactly on it."""
    hour = TUESDAY + timedelta(hours=1)
    just_after = services.Locked([7], [], start_at=TUESDAY, end_at=hour + timedelta(microseconds=1))
    exactly = services.Locked([7], [], start_at=TUESDAY, end_at=hour)
    bucket = services._advisory_key(1, 7, _hour(hour))
    assert bucket in dict(services.calendar_lock_keys(just_after))
    assert bucket not in dict(services.calendar_lock_keys(exactly))


def test_up_to_48_hours_lock_by_the_hour_and_longer_spans_the_whole_calendar():
    """Take 48 hour locks for a 48-hour span; past it, each resource's whole calendar alone,
    exclusively, for every therapist and room."""
    two_days = services.Locked([7], [], start_at=TUESDAY, end_at=TUESDAY + timedelta(hours=48))
    pairs = services.calendar_lock_keys(two_days)
    assert len(pairs) == 1 + 48
    assert pairs[0] == (services._advisory_key(1, 7, 0), True)
    longer = services.Locked(
        [7, 8], [5], start_at=TUESDAY, end_at=TUESDAY + timedelta(hours=48, microseconds=1)
    )
    assert services.calendar_lock_keys(longer) == [
        (services._advisory_key(1, 7, 0), False),
        (services._advisory_key(1, 8, 0), False),
        (services._advisory_key(2, 5, 0), False),
    ]
