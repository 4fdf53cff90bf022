"""The availability selector: what it reads from the database and how many queries it takes."""

import datetime
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.http import Http404

from bookings import selectors
from bookings.models import Booking, BookingStatus
from studio import selectors as studio_selectors
from studio.models import Service, ServiceLength, Studio, Therapist, TimeOff
from tests.bookings.helpers import NOW, madrid
from tests.factories import BookingFactory, ServiceLengthFactory

pytestmark = pytest.mark.django_db

TUESDAY = date(2026, 11, 24)


def starts(demo, *, therapist="ana", day=TUESDAY, days=1, now=NOW, **kwargs):
    result = selectors.availability(
        service=demo.service(),
        length=demo.length(60),
        therapist=demo.therapist(therapist) if therapist else None,
        first_day=day,
        days=days,
        now=now,
        **kwargs,
    )
    return [slot.start for slot in result.slots]


def book(demo, start_at, *, therapist="ana", room="olive", status=BookingStatus.CONFIRMED):
    return BookingFactory(
        service=demo.service(),
        length=demo.length(60),
        therapist=demo.therapist(therapist),
        room=demo.service().rooms.get(slug=room),
        start_at=start_at,
        status=status,
        hold_expires_at=NOW + timedelta(minutes=10) if status == BookingStatus.HELD else None,
    )


def test_ana_on_a_tuesday_is_offered_from_nine_to_one_oclock(demo):
    """Offer Ana's 60-minute starts from 09:00 to 13:00 Madrid on a free Tuesday."""
    found = starts(demo)
    assert found[0] == madrid(2026, 11, 24, 9, 0)
    assert found[-1] == madrid(2026, 11, 24, 13, 0)
    assert len(found) == 17


def test_time_off_removes_the_therapists_starts(demo):
    """Offer nothing that overlaps a therapist's recorded time off."""
    TimeOff.objects.create(
        therapist=demo.therapist("ana"),
        start_at=madrid(2026, 11, 24, 9, 0),
        end_at=madrid(2026, 11, 24, 12, 0),
    )
    assert starts(demo)[0] == madrid(2026, 11, 24, 12, 0)


def test_a_live_hold_blocks_and_an_expired_unswept_one_does_not(demo):
    """Treat a hold past its expiry as free even before the sweep has marked it."""
    book(demo, madrid(2026, 11, 24, 9, 0), status=BookingStatus.HELD)
    assert madrid(2026, 11, 24, 9, 0) not in starts(demo)
    assert madrid(2026, 11, 24, 9, 0) in starts(demo, now=NOW + timedelta(minutes=10))


def test_dead_holds_are_counted_when_asked_and_still_block_nothing(demo):
    """Count the unswept dead holds read (for a write about to insert), offering the same
    starts as without counting them; live holds and other days' dead holds are not counted."""
    book(demo, madrid(2026, 11, 24, 9, 0), status=BookingStatus.HELD)
    book(demo, madrid(2026, 11, 24, 12, 0), therapist="carla", status=BookingStatus.HELD)
    book(demo, madrid(2026, 11, 26, 9, 0), status=BookingStatus.HELD)
    later = NOW + timedelta(minutes=10)  # past the first three holds' expiry
    live = book(demo, madrid(2026, 11, 24, 15, 0), status=BookingStatus.HELD)
    Booking.objects.filter(pk=live.pk).update(hold_expires_at=later + timedelta(minutes=5))

    def read(**kwargs):
        return selectors.availability(
            service=demo.service(),
            length=demo.length(60),
            therapist=None,
            first_day=TUESDAY,
            days=1,
            now=later,
            **kwargs,
        )

    counted, plain = read(dead_holds=True), read()
    assert counted.dead_holds == 2
    assert plain.dead_holds == 0
    assert counted.slots == plain.slots
    assert madrid(2026, 11, 24, 9, 0) in [slot.start for slot in counted.slots]
    assert counted.valid_until == plain.valid_until == later + timedelta(minutes=5)


@pytest.mark.parametrize(
    "status", [BookingStatus.CANCELLED, BookingStatus.EXPIRED, BookingStatus.DECLINED]
)
def test_inactive_bookings_do_not_block(demo, status):
    """Ignore cancelled, expired and declined bookings."""
    book(demo, madrid(2026, 11, 24, 9, 0), status=status)
    assert madrid(2026, 11, 24, 9, 0) in starts(demo)


def test_a_booking_can_be_left_out_when_rescheduling_it(demo):
    """Offer a booking's own time back to it when asked to leave it out."""
    booking = book(demo, madrid(2026, 11, 24, 9, 0))
    assert madrid(2026, 11, 24, 9, 0) not in starts(demo)
    assert madrid(2026, 11, 24, 9, 0) in starts(demo, exclude_booking_id=booking.pk)


def test_a_room_booked_by_another_service_blocks_a_shared_room(demo):
    """Block the sports massage (garden room only) while a leg massage uses the garden room."""
    book(demo, madrid(2026, 11, 24, 15, 30), therapist="carla", room="garden")
    result = selectors.availability(
        service=demo.service("sports-massage"),
        length=demo.length(60, "sports-massage"),
        therapist=None,
        first_day=TUESDAY,
        days=1,
        now=NOW,
    )
    found = [slot.start for slot in result.slots]
    assert found[0] == madrid(2026, 11, 24, 14, 0)
    assert madrid(2026, 11, 24, 14, 15) in found  # 60 minutes + 15 buffer end at 15:30
    assert madrid(2026, 11, 24, 14, 30) not in found
    assert madrid(2026, 11, 24, 16, 30) not in found
    assert madrid(2026, 11, 24, 16, 45) in found  # after 60 minutes and a 10-minute buffer


def test_booked_minutes_are_counted_per_local_day_and_therapist(demo):
    """Count each therapist's session minutes on each local day, for "anyone"."""
    book(demo, madrid(2026, 11, 24, 9, 0))
    book(demo, madrid(2026, 11, 24, 11, 0))
    book(demo, madrid(2026, 11, 25, 15, 0), therapist="carla", room="garden")
    result = selectors.availability(
        service=demo.service(),
        length=demo.length(60),
        therapist=None,
        first_day=TUESDAY,
        days=2,
        now=NOW,
    )
    ana, carla = demo.therapist("ana").pk, demo.therapist("carla").pk
    assert result.booked_minutes[(TUESDAY, ana)] == 120
    assert result.booked_minutes[(date(2026, 11, 25), carla)] == 60
    assert (TUESDAY, carla) not in result.booked_minutes


@pytest.mark.parametrize("count", [0, 200])
def test_the_selector_takes_five_queries_whatever_the_bookings(
    demo, django_assert_num_queries, count
):
    """Read therapists, hours, rooms, time off and bookings: five queries, never more."""
    studio = Studio.load()
    service, length = demo.service(), demo.length(60)
    ana, carla = demo.therapist("ana"), demo.therapist("carla")
    olive, garden = service.rooms.get(slug="olive"), service.rooms.get(slug="garden")
    start = madrid(2026, 11, 23, 0, 0)
    # Two lanes, 75 minutes apart: no therapist or room is ever double-booked.
    Booking.objects.bulk_create(
        BookingFactory.build(
            service=service,
            length=length,
            therapist=(ana, carla)[k % 2],
            room=(olive, garden)[k % 2],
            client=None,
            start_at=start + timedelta(minutes=75 * (k // 2)),
        )
        for k in range(count)
    )
    assert Booking.objects.count() == count
    with django_assert_num_queries(5):
        selectors.availability(
            service=service,
            length=length,
            therapist=None,
            first_day=date(2026, 11, 23),
            days=7,
            now=NOW,
            studio=studio,
        )


def test_asking_about_one_start_answers_as_the_whole_day_does(demo):
    """``only_start`` offers a start, with the same therapists and rooms, iff the day does."""
    book(demo, madrid(2026, 11, 24, 10, 0))
    book(demo, madrid(2026, 11, 24, 11, 30), therapist="carla", room="garden")
    service, length = demo.service(), demo.length(60)

    def slots(**kwargs):
        return selectors.availability(
            service=service,
            length=length,
            therapist=None,
            first_day=TUESDAY,
            days=1,
            now=NOW,
            **kwargs,
        ).slots

    whole_day = {slot.start: slot for slot in slots()}
    assert madrid(2026, 11, 24, 10, 0) in whole_day  # someone else is free then
    checked = 0
    start = madrid(2026, 11, 24, 7, 0)
    while start < madrid(2026, 11, 24, 21, 0):
        alone = slots(only_start=start)
        assert alone == ([whole_day[start]] if start in whole_day else [])
        checked += 1
        start += timedelta(minutes=15)
    assert checked == 56
    assert len(whole_day) > 20


def _late_and_early_hours(demo):
    """Give Ana Tuesday hours from midnight and up to midnight, and a 30-minute buffer."""
    from datetime import time

    from studio.models import WorkingHours

    ana = demo.therapist("ana")
    WorkingHours.objects.filter(therapist=ana, weekday__in=(0, 1, 2)).delete()
    WorkingHours.objects.create(therapist=ana, weekday=0, starts=time(20), ends=time(23, 59))
    WorkingHours.objects.create(therapist=ana, weekday=1, starts=time(0), ends=time(3))
    WorkingHours.objects.create(therapist=ana, weekday=1, starts=time(20), ends=time(23, 59))
    service = demo.service()
    service.buffer_minutes = 30
    service.save()


def test_a_booking_from_the_evening_before_blocks_the_first_starts_after_midnight(demo):
    """A Monday 23:00 session with its buffer reaches 00:30 on Tuesday: no start before."""
    _late_and_early_hours(demo)
    book(demo, madrid(2026, 11, 23, 23, 0))  # 60 minutes and a 30-minute buffer: to 00:30
    found = starts(demo)
    assert found[0] == madrid(2026, 11, 24, 0, 30)


def test_a_booking_just_after_midnight_blocks_a_late_start_whose_buffer_reaches_it(demo):
    """A Wednesday 00:00 booking refuses Tuesday 22:45 (to 00:15 with its buffer) only."""
    _late_and_early_hours(demo)
    before = starts(demo)
    assert madrid(2026, 11, 24, 22, 45) in before
    book(demo, madrid(2026, 11, 25, 0, 0))
    after = starts(demo)
    assert set(before) - set(after) == {madrid(2026, 11, 24, 22, 45)}


@pytest.mark.parametrize("status", BookingStatus.values)
def test_the_status_label_reads_as_the_choice_label(status):
    """``status_label`` gives the same words as Django's ``get_status_display()``."""
    booking = Booking(status=status)
    assert booking.status_label == booking.get_status_display()
    assert booking.status_label != status  # words, not the stored code


def _both_reads(demo, *, therapist=None, exclude_booking_id=None, now=NOW, days=7):
    """Return the free starts read in one query and in the five of ``availability``."""
    service, length = demo.service(), demo.length(60)
    chosen = demo.therapist(therapist) if therapist else None
    asked = {
        "service": service,
        "length": length,
        "therapist": chosen,
        "first_day": date(2026, 11, 23),
        "days": days,
        "now": now,
        "exclude_booking_id": exclude_booking_id,
    }
    resources = selectors.bookable_resources(service=service, therapist=chosen)
    return selectors.free_starts(**asked), selectors.free_starts(**asked, resources=resources)


def test_the_pickers_single_query_reads_what_the_five_queries_read(demo, django_assert_num_queries):
    """Give the same starts and the same validity as the five-query read, whatever is booked.

    Live and run-out holds, time off with seconds in it, a cancelled booking, a booking left
    out (a reschedule), and one therapist or anyone.
    """
    book(demo, madrid(2026, 11, 24, 9, 0))
    book(demo, madrid(2026, 11, 24, 11, 0), therapist="carla", room="garden")
    held = book(demo, madrid(2026, 11, 25, 10, 0), status=BookingStatus.HELD)
    gone = book(demo, madrid(2026, 11, 25, 12, 0), therapist="carla", status=BookingStatus.HELD)
    Booking.objects.filter(pk=gone.pk).update(hold_expires_at=NOW - timedelta(minutes=1))
    book(demo, madrid(2026, 11, 26, 10, 0), status=BookingStatus.CANCELLED)
    moved = book(demo, madrid(2026, 11, 27, 10, 0), therapist="carla", room="garden")
    TimeOff.objects.create(
        therapist=demo.therapist("ana"),
        start_at=madrid(2026, 11, 26, 12, 0) + timedelta(seconds=30, microseconds=5),
        end_at=madrid(2026, 11, 26, 14, 0) + timedelta(seconds=1),
    )
    service, length, studio = demo.service(), demo.length(60), Studio.load()
    for therapist in (None, "ana", "carla"):
        chosen = demo.therapist(therapist) if therapist else None
        for excluded in (None, moved.pk, held.pk):
            with django_assert_num_queries(1):
                one = selectors.free_starts(
                    service=service,
                    length=length,
                    therapist=chosen,
                    first_day=date(2026, 11, 23),
                    days=7,
                    now=NOW,
                    studio=studio,
                    exclude_booking_id=excluded,
                )
            single, five = _both_reads(demo, therapist=therapist, exclude_booking_id=excluded)
            assert single == five == one
            assert single.starts
    # The live hold keeps its time from Ana; the run-out one gives Carla hers back.
    minute = int(held.start_at.timestamp()) // 60
    assert minute not in _both_reads(demo, therapist="ana")[0].starts
    assert minute in _both_reads(demo, therapist="ana", exclude_booking_id=held.pk)[0].starts
    assert int(gone.start_at.timestamp()) // 60 in _both_reads(demo, therapist="carla")[0].starts


@pytest.mark.postgres
def test_epoch_minutes_read_in_double_precision_are_exact():
    """Read whole minutes (and times of day) in PostgreSQL exactly as Python counts them.

    The reads use ``date_part`` (double precision) for speed: a minute boundary, one
    microsecond either side of it and the last microsecond of a minute must all land in the
    right minute, from 1970 to the end of the century.
    """
    from django.db import connection

    fragments = selectors._sql_fragments(connection.vendor)
    minute = fragments["minute"].format("%s::timestamptz")
    minute_up = fragments["minute_up"].format("%s::timestamptz")
    time_micros = fragments["time_micros"].format("%s::time")
    utc = datetime.UTC
    bases = [
        datetime.datetime(1970, 1, 1, 0, 1, tzinfo=utc),
        madrid(2026, 3, 29, 3, 0),  # the spring-forward morning
        madrid(2026, 10, 25, 2, 59),  # the repeated hour
        madrid(2026, 11, 24, 9, 0),
        datetime.datetime(2038, 1, 19, 3, 14, tzinfo=utc),
        datetime.datetime(2099, 12, 31, 23, 59, tzinfo=utc),
    ]
    tiny = timedelta(microseconds=1)
    instants = [
        base + shift
        for base in bases
        for shift in (timedelta(0), tiny, -tiny, timedelta(seconds=59, microseconds=999_999))
    ]
    with connection.cursor() as cursor:
        for instant in instants:
            cursor.execute(f"SELECT {minute}, {minute_up}", [instant, instant])
            down, up = cursor.fetchone()
            micros = (instant - datetime.datetime(1970, 1, 1, tzinfo=utc)) // tiny
            assert down == micros // 60_000_000, instant
            assert up == -(-micros // 60_000_000), instant
        for at in (
            datetime.time(0, 0, 0, 1),
            datetime.time(9, 30),
            datetime.time(23, 59, 59, 999_999),
        ):
            cursor.execute(f"SELECT {time_micros}", [at])
            expected = ((at.hour * 60 + at.minute) * 60 + at.second) * 1_000_000 + at.microsecond
            assert cursor.fetchone()[0] == expected, at


def test_the_pickers_single_query_reads_nothing_for_a_service_nobody_offers(demo):
    demo.service().rooms.clear()
    single, five = _both_reads(demo)
    assert single == five
    assert single.starts == []


def _fields(instance) -> dict:
    return {
        field.attname: getattr(instance, field.attname) for field in type(instance)._meta.fields
    }


def test_the_times_page_catalogue_reads_what_the_orm_reads_in_one_query(
    demo, django_assert_num_queries
):
    """Read the service, its lengths on offer, its active therapists and the studio at once.

    Field for field and in the models' orders what ``service_bookable`` and ``Studio.load``
    give: withdrawn lengths and inactive therapists are left out, prices keep their cents.
    """
    service = demo.service()
    length = service.lengths.order_by("minutes").first()
    ServiceLengthFactory(service=service, minutes=90, price=Decimal("71.50"), is_active=False)
    ServiceLength.objects.filter(pk=length.pk).update(price=Decimal("39.90"))
    Therapist.objects.filter(slug="carla").update(is_active=False)
    Studio.objects.filter(pk=1).update(horizon_days=45, tagline_ca="Calma <i>")
    Studio.forget()

    with django_assert_num_queries(1):
        kept = selectors.kept_catalogue(slug=service.slug)
    read, studio = kept.service, kept.studio
    expected = studio_selectors.service_bookable(slug=service.slug)
    with django_assert_num_queries(0):
        lengths, therapists = list(read.lengths.all()), list(read.therapists.all())
    assert _fields(read) == _fields(expected)
    assert [_fields(item) for item in lengths] == [_fields(item) for item in expected.lengths.all()]
    assert [_fields(item) for item in therapists] == [
        _fields(item) for item in expected.therapists.all()
    ]
    assert _fields(studio) == _fields(Studio.objects.get(pk=1))
    assert lengths[0].price == Decimal("39.90") and "carla" not in [t.slug for t in therapists]
    assert studio.horizon_days == 45 and studio.tagline_ca == "Calma <i>"
    assert not read._state.adding and read._state.db == "default"


def test_the_studio_read_with_the_catalogue_is_the_requests_studio(demo, django_assert_num_queries):
    """The hold reads the catalogue once and then asks ``Studio.load``: no second read."""
    Studio.objects.filter(pk=1).update(hold_minutes=17)
    Studio.forget()
    studio = selectors.kept_catalogue(slug=demo.service().slug).studio
    with django_assert_num_queries(0):
        assert Studio.load() is studio
    assert studio.hold_minutes == 17
    # A saved policy is read afresh, as ever (``Studio.forget`` runs on save).
    Studio.objects.get(pk=1).save()
    assert Studio.load() is not studio


def test_the_times_page_catalogue_has_no_withdrawn_or_unknown_service(demo):
    Service.objects.filter(pk=demo.service().pk).update(is_active=False)
    for slug in (demo.service().slug, "no-such-massage"):
        with pytest.raises(Http404):
            selectors.kept_catalogue(slug=slug)


def test_a_writes_one_start_read_answers_as_the_days_read_does(demo, django_assert_num_queries):
    """``start_choices`` offers a start with the same therapists and rooms as the day's read,
    gives the same booked minutes of that day per therapist, and counts only the dead holds
    that meet the start's session, in one query.

    Bookings before and after, a live and a run-out hold, a cancelled booking, time off with
    seconds in it, a booking left out (a reschedule), and one therapist or anyone.
    """
    book(demo, madrid(2026, 11, 24, 9, 0))
    book(demo, madrid(2026, 11, 24, 11, 0), therapist="carla", room="garden")
    book(demo, madrid(2026, 11, 24, 14, 0), therapist="carla", room="garden")
    held = book(demo, madrid(2026, 11, 24, 16, 0), status=BookingStatus.HELD)
    dead = book(demo, madrid(2026, 11, 24, 12, 15), therapist="carla", status=BookingStatus.HELD)
    Booking.objects.filter(pk=dead.pk).update(hold_expires_at=NOW - timedelta(minutes=1))
    book(demo, madrid(2026, 11, 24, 10, 30), therapist="carla", status=BookingStatus.CANCELLED)
    book(demo, madrid(2026, 11, 25, 10, 0))  # the next day: no booked minutes of Tuesday
    TimeOff.objects.create(
        therapist=demo.therapist("ana"),
        start_at=madrid(2026, 11, 24, 12, 0) + timedelta(seconds=30, microseconds=5),
        end_at=madrid(2026, 11, 24, 13, 0) + timedelta(seconds=1),
    )
    service, length, studio = demo.service(), demo.length(60), Studio.load()
    session = service.blocks(length)
    compared = offered = 0
    for therapist in (None, "ana", "carla"):
        chosen = demo.therapist(therapist) if therapist else None
        resources = selectors.bookable_resources(service=service, therapist=chosen)
        for excluded in (None, held.pk):
            start = madrid(2026, 11, 24, 8, 0)
            while start < madrid(2026, 11, 24, 20, 0):
                asked = {
                    "now": NOW,
                    "studio": studio,
                    "exclude_booking_id": excluded,
                    "resources": resources,
                }
                day = selectors.availability(
                    service=service,
                    length=length,
                    therapist=chosen,
                    first_day=TUESDAY,
                    days=1,
                    only_start=start,
                    **asked,
                )
                with django_assert_num_queries(1):
                    one = selectors.start_choices(
                        service=service, length=length, start_at=start, dead_holds=True, **asked
                    )
                assert one.slot == next(iter(day.slots), None)
                tuesday = {pk: n for (d, pk), n in day.booked_minutes.items() if d == TUESDAY}
                assert {pk: one.booked_minutes.get(pk, 0) for pk in resources[0]} == {
                    pk: tuesday.get(pk, 0) for pk in resources[0]
                }
                meets = dead.start_at < start + session and dead.blocked_until > start
                room_or_therapist = (
                    dead.therapist_id in resources[0] or dead.room_id in resources[1]
                )
                assert one.dead_holds == int(meets and room_or_therapist)
                offered += one.slot is not None
                compared += 1
                start += timedelta(minutes=15)
    assert compared == 3 * 2 * 48
    assert 0 < offered < compared
    assert selectors.start_choices(
        service=service,
        length=length,
        start_at=madrid(2026, 11, 24, 12, 0),
        resources=selectors.bookable_resources(service=service, therapist=None),
        now=NOW,
    ).booked_minutes == {demo.therapist("ana").pk: 120, demo.therapist("carla").pk: 120}


def test_the_hold_catalogue_reads_the_rooms_bookable_resources_reads_in_one_query(
    demo, django_assert_num_queries
):
    """The hold's catalogue also gives the service's active rooms' ids, in their order."""
    service = demo.service()
    service.rooms.filter(slug="garden").update(is_active=False)
    with django_assert_num_queries(1):
        kept = selectors.kept_catalogue(slug=service.slug, rooms=True)
    read, studio, room_ids = kept.service, kept.studio, kept.room_ids
    _therapist_ids, expected = selectors.bookable_resources(service=service, therapist=None)
    assert room_ids == expected
    assert room_ids and service.rooms.get(slug="garden").pk not in room_ids
    assert read.pk == service.pk and studio.pk == 1
    assert selectors.kept_catalogue(slug=service.slug).service.pk == service.pk
