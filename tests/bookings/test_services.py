"""Holds, booking, cancel and reschedule against the database, with the clock pinned."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings import selectors, services
from bookings.errors import BookingRefused
from bookings.models import ACTIVE_STATUSES, Booking, BookingStatus, Client
from studio.models import Room, Studio, WorkingHours
from tests.bookings.helpers import MADRID, NOW, madrid, utc
from tests.factories import (
    BookingFactory,
    ClientFactory,
    RoomFactory,
    ServiceFactory,
    ServiceLengthFactory,
    TherapistFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock_at_now(time_machine):
    """Pin the clock at NOW for the whole test, including code that reads it itself."""
    time_machine.move_to(NOW, tick=False)


# Tuesday 24 November 2026: Ana works 09:00–14:00, Carla 10:00–13:30, Ben 14:00–20:00.
TUESDAY_10 = madrid(2026, 11, 24, 10, 0)
# Wednesday 25 November 2026, 10:00 Madrid: 49 hours after NOW.
WEDNESDAY_10 = madrid(2026, 11, 25, 10, 0)


# What a client reads when a start is refused.
PASSED = "That time has already passed. Please choose another."
TOO_SOON = "That time is too soon to book online. Please choose a later time or call us."
TOO_FAR = "That date is further ahead than we take bookings for."
OFF_GRID = "That start time is not one we offer."
NOT_VALID = "That start time is not valid."
TAKEN = "Sorry, that time was just taken. Here are the times still free."
HOLD_GONE = (
    "We could only keep that time for a few minutes, and it has been released. "
    "Please choose a time again."
)
SUBMITTED = "This booking has already been submitted."
# Queries to hold a time (see test_a_hold_takes_a_fixed_number_of_queries).
HOLD_QUERIES = 11


def hold(demo, *, therapist="ana", start_at=TUESDAY_10, minutes=60, now=NOW, slug="leg-massage"):
    """Hold a demo slot; ``therapist=None`` asks for anyone."""
    return services.hold_create(
        service=demo.service(slug),
        length=demo.length(minutes, slug),
        therapist=demo.therapist(therapist) if therapist else None,
        start_at=start_at,
        now=now,
    )


def confirmed(demo, *, therapist="ana", start_at=TUESDAY_10, minutes=60, now=NOW):
    """Hold, name and confirm a demo booking through the services."""
    booking = hold(demo, therapist=therapist, start_at=start_at, minutes=minutes, now=now)
    services.hold_attach_client(
        booking=booking, name="Marta", email="marta@example.com", phone="600", now=now
    )
    return services.booking_settle(booking=booking, status=BookingStatus.CONFIRMED, now=now)


def free_starts(demo, *, therapist="ana", day=date(2026, 11, 24), minutes=60, now=NOW):
    result = selectors.availability(
        service=demo.service(),
        length=demo.length(minutes),
        therapist=demo.therapist(therapist) if therapist else None,
        first_day=day,
        days=1,
        now=now,
    )
    return {slot.start for slot in result.slots}


# --- hold_create -----------------------------------------------------------------------------


def test_hold_create_holds_a_free_slot_for_ten_minutes(demo):
    """Create a held booking with times in UTC, the buffer, the price and a ten-minute expiry."""
    booking = hold(demo)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.HELD
    assert booking.therapist.slug == "ana"
    assert booking.room.slug in {"olive", "garden"}
    assert booking.start_at == utc(2026, 11, 24, 9, 0)
    assert booking.end_at == utc(2026, 11, 24, 10, 0)
    assert booking.blocked_until == utc(2026, 11, 24, 10, 10)
    assert booking.hold_expires_at == NOW + timedelta(minutes=10)
    assert booking.price == demo.length(60).price
    assert TUESDAY_10 not in free_starts(demo)


@pytest.mark.parametrize(
    ("case", "start_at", "message"),
    [
        ("in the past", madrid(2026, 11, 23, 8, 0), PASSED),
        ("inside the minimum notice", madrid(2026, 11, 23, 10, 45), TOO_SOON),
        ("past the horizon", madrid(2027, 1, 25, 10, 0), TOO_FAR),
        ("off the grid", madrid(2026, 11, 24, 10, 5), OFF_GRID),
        ("seconds past the grid", madrid(2026, 11, 24, 10, 0, 30), OFF_GRID),
        ("a microsecond past the grid", madrid(2026, 11, 24, 10, 0, 0, 1), OFF_GRID),
        ("naive", madrid(2026, 11, 24, 10, 0).replace(tzinfo=None), NOT_VALID),
    ],
)
def test_hold_create_refuses_a_start_outside_the_rules_and_creates_nothing(
    demo, case, start_at, message
):
    """Refuse a start in the past, too soon, too far ahead or off the 15-minute grid, in
    the words the translations know (a changed text loses its translation)."""
    with pytest.raises(BookingRefused) as refused:
        hold(demo, start_at=start_at)
    assert refused.value.message == message, case
    assert refused.value.code == BookingRefused.INVALID
    assert not Booking.objects.exists()


def test_the_minimum_notice_boundary_itself_can_be_booked(demo):
    """Accept a start exactly two hours ahead, the studio's default minimum notice."""
    booking = hold(demo, start_at=NOW + timedelta(minutes=120))
    assert booking.start_at == madrid(2026, 11, 23, 11, 0)


# --- the "now" and horizon boundaries --------------------------------------------------------

# The studio's horizon is 60 days: from NOW (Monday 23 November 2026, 09:00 in Madrid) the last
# start is Friday 22 January 2027 at 09:00, when Ana works.
HORIZON_END = NOW + timedelta(days=60)


def phone_hold(demo, *, start_at, hold_hours=48, now=NOW):
    """Hold Ana for a new client on the phone, as the front desk does (the studio's hold)."""
    studio = Studio.load()
    studio.phone_hold_hours = hold_hours
    studio.save()
    return services.phone_booking_create(
        client=None,
        name="Marta",
        email="marta@example.com",
        phone="600",
        service=demo.service(),
        length=demo.length(60),
        therapist=demo.therapist("ana"),
        start_at=start_at,
        now=now,
    )


def test_the_last_start_inside_the_horizon_is_offered_and_can_be_held(demo):
    """Offer and hold the start exactly 60 days ahead; refuse the next start on the grid."""
    assert madrid(2027, 1, 22, 9, 0) == HORIZON_END
    assert free_starts(demo, day=date(2027, 1, 22)) == {HORIZON_END}
    with pytest.raises(BookingRefused) as refused:
        hold(demo, start_at=HORIZON_END + timedelta(minutes=15))
    assert refused.value.message == TOO_FAR
    assert not Booking.objects.exists()
    assert hold(demo, start_at=HORIZON_END).start_at == HORIZON_END


def test_the_front_desk_cannot_hold_a_session_that_starts_this_very_moment(demo):
    """Refuse a phone booking for 09:00 made at 09:00 as passed; 09:15 needs no notice."""
    with pytest.raises(BookingRefused) as refused:
        phone_hold(demo, start_at=NOW)
    assert refused.value.message == PASSED
    assert not Booking.objects.exists()
    booking = phone_hold(demo, start_at=NOW + timedelta(minutes=15))
    assert booking.status == BookingStatus.HELD
    assert booking.source == Booking.Source.PHONE


def test_a_phone_hold_ends_when_its_session_starts_at_the_latest(demo):
    """Hold Tuesday 10:00 by phone for 48 hours: the hold ends at 10:00 on Tuesday, so the
    booking can no longer be confirmed once its time has come."""
    booking = phone_hold(demo, start_at=TUESDAY_10)
    assert booking.hold_expires_at == TUESDAY_10
    services.hold_check(booking=booking, now=TUESDAY_10 - timedelta(seconds=1))
    with pytest.raises(BookingRefused) as refused:
        services.booking_settle(booking=booking, status=BookingStatus.CONFIRMED, now=TUESDAY_10)
    assert refused.value.code == BookingRefused.HOLD_EXPIRED
    booking.refresh_from_db()
    assert booking.status == BookingStatus.HELD
    assert booking.confirmed_at is None


def test_a_phone_hold_shorter_than_the_wait_keeps_its_own_length(demo):
    """Hold Wednesday 10:00 by phone for two hours: the hold ends two hours from now."""
    booking = phone_hold(demo, start_at=WEDNESDAY_10, hold_hours=2)
    assert booking.hold_expires_at == NOW + timedelta(hours=2)


def test_a_phone_booking_holds_the_therapist_asked_for_with_the_clients_details(demo):
    """Hold Carla (Ana is free too) and record the new client's name, email and phone."""
    booking = services.phone_booking_create(
        client=None,
        name=" Rosa Puig ",
        email="Rosa@Example.com",
        phone=" 611 222 333 ",
        service=demo.service(),
        length=demo.length(60),
        therapist=demo.therapist("carla"),
        start_at=TUESDAY_10,
        now=NOW,
    )
    booking.refresh_from_db()
    assert booking.therapist.slug == "carla"
    assert (booking.client.name, booking.client.email, booking.client.phone) == (
        "Rosa Puig",
        "rosa@example.com",
        "611 222 333",
    )


def test_a_phone_booking_goes_by_the_time_it_is_given(demo):
    """Refuse a phone booking for a start that has passed at the ``now`` it is given, though
    the clock still reads an earlier time, and leave no client behind."""
    with pytest.raises(BookingRefused) as refused:
        phone_hold(demo, start_at=TUESDAY_10, now=TUESDAY_10 + timedelta(hours=1))
    assert refused.value.message == PASSED
    assert not Booking.objects.exists()
    assert not Client.objects.exists()


def test_hold_create_refuses_a_length_of_another_service(demo):
    """Refuse a leg massage with the foot massage's 30-minute length, creating nothing."""
    with pytest.raises(BookingRefused) as refused:
        services.hold_create(
            service=demo.service("leg-massage"),
            length=demo.length(30, "foot-massage"),
            therapist=demo.therapist("ana"),
            start_at=TUESDAY_10,
            now=NOW,
        )
    assert refused.value.message == "That length is not offered for this massage."
    assert not Booking.objects.exists()


def test_hold_create_refuses_a_therapist_who_does_not_offer_the_service(demo):
    """Refuse a foot massage with Ben, who offers sports and leg massage but not feet."""
    with pytest.raises(BookingRefused) as refused:
        hold(demo, slug="foot-massage", therapist="ben", minutes=30, start_at=TUESDAY_10)
    assert refused.value.message == "That therapist does not offer this massage."
    assert not Booking.objects.exists()


def test_hold_create_refuses_a_time_the_therapist_does_not_work(demo):
    """Refuse Ben at 10:00 (he works afternoons) as a time that is not free."""
    with pytest.raises(BookingRefused) as refused:
        hold(demo, therapist="ben")
    assert refused.value.code == BookingRefused.SLOT_TAKEN
    assert not Booking.objects.exists()


def test_hold_create_refuses_a_massage_that_is_not_open_for_booking(demo):
    """Refuse a service the studio has closed, before looking at the calendar."""
    service = demo.service()
    service.is_active = False
    service.save()
    with pytest.raises(BookingRefused) as refused:
        hold(demo)
    assert refused.value.message == "That massage is not open for booking."
    assert not Booking.objects.exists()


def test_a_hold_takes_the_room_asked_for(demo):
    """Put the hold in the Olive room when asked, though the Garden room comes first."""
    olive = Room.objects.get(slug="olive")
    booking = services.hold_create(
        service=demo.service(),
        length=demo.length(60),
        therapist=demo.therapist("ana"),
        start_at=TUESDAY_10,
        now=NOW,
        room=olive,
    )
    assert booking.room == olive
    assert hold(demo, therapist="carla").room.slug == "garden"


@pytest.mark.parametrize("room", ["closed", "of another massage"])
def test_a_hold_refuses_a_room_that_does_not_suit_the_massage(demo, room):
    """Refuse a closed room, or one the massage is not given in, by name."""
    if room == "closed":
        chosen = Room.objects.get(slug="olive")
        chosen.is_active = False
        chosen.save()
    else:
        chosen = RoomFactory()
    with pytest.raises(BookingRefused) as refused:
        services.hold_create(
            service=demo.service(),
            length=demo.length(60),
            therapist=demo.therapist("ana"),
            start_at=TUESDAY_10,
            now=NOW,
            room=chosen,
        )
    assert refused.value.message == "That room does not suit this massage."
    assert not Booking.objects.exists()


def test_a_hold_records_the_client_it_is_made_for(demo):
    """Keep the client a hold is made for (a returning client who is signed in)."""
    client = ClientFactory()
    booking = services.hold_create(
        service=demo.service(),
        length=demo.length(60),
        therapist=demo.therapist("ana"),
        start_at=TUESDAY_10,
        now=NOW,
        client=client,
    )
    booking.refresh_from_db()
    assert booking.client == client


def test_a_hold_takes_a_fixed_number_of_queries(demo, django_assert_max_num_queries):
    """Hold a time in a fixed number of queries: the studio is read once and passed on."""
    service, length, ana = demo.service(), demo.length(60), demo.therapist("ana")
    with django_assert_max_num_queries(HOLD_QUERIES):
        services.hold_create(
            service=service, length=length, therapist=ana, start_at=TUESDAY_10, now=NOW
        )


def test_a_hold_expires_the_dead_holds_in_its_way_and_no_others(demo):
    """Mark expired the dead hold in the room it takes; leave every other dead hold for the
    sweep: another therapist elsewhere at the same time, and Ana earlier and later that day."""
    leg, length = demo.service(), demo.length(60)
    ana, carla, ben = demo.therapist("ana"), demo.therapist("carla"), demo.therapist("ben")
    olive = Room.objects.get(slug="olive")

    def dead_hold(therapist, room, start_at):
        return BookingFactory(
            service=leg,
            length=length,
            therapist=therapist,
            room=room,
            start_at=start_at,
            status=BookingStatus.HELD,
            hold_expires_at=NOW - timedelta(minutes=1),
        )

    in_the_way = dead_hold(carla, Room.objects.get(slug="garden"), TUESDAY_10)
    # Another therapist: one therapist's two live holds at one time would break the
    # exclusion constraint on PostgreSQL, dead or not (the constraint counts every hold).
    elsewhere = dead_hold(ben, RoomFactory(), TUESDAY_10)
    earlier = dead_hold(ana, olive, TUESDAY_10 - timedelta(minutes=70))
    later = dead_hold(ana, olive, TUESDAY_10 + timedelta(minutes=70))

    booking = hold(demo)
    assert booking.room.slug == "garden"
    statuses = dict(Booking.objects.values_list("pk", "status"))
    assert statuses[in_the_way.pk] == BookingStatus.EXPIRED
    for untouched in (elsewhere, earlier, later):
        assert statuses[untouched.pk] == BookingStatus.HELD


def test_a_hold_with_no_dead_hold_on_its_day_does_not_look_for_one(demo):
    """Save the expiry's locking read when the calendar read under the locks met no dead
    hold: the expiry could only find one there."""
    with CaptureQueriesContext(connection) as queries:
        booking = hold(demo)
    assert booking.status == BookingStatus.HELD
    assert not [q for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]


def test_a_hold_given_the_services_therapists_reads_them_once(demo):
    """Take the active therapists the caller read with the service: "anyone" and a named
    therapist get the same hold as without them, in one query fewer (two for a name)."""
    service = demo.service()
    read = list(service.therapists.filter(is_active=True))

    def count(**kwargs):
        with CaptureQueriesContext(connection) as queries:
            booking = services.hold_create(
                service=service, length=demo.length(60), start_at=TUESDAY_10, now=NOW, **kwargs
            )
        pair = (booking.therapist_id, booking.room_id)
        Booking.objects.filter(pk=booking.pk).delete()
        return len(queries), pair

    for therapist, fewer in ((None, 1), (demo.therapist("ana"), 2)):
        plain, chosen = count(therapist=therapist)
        given, chosen_given = count(therapist=therapist, therapists=read)
        assert chosen_given == chosen
        assert given == plain - fewer
    with pytest.raises(BookingRefused) as refused:
        services.hold_create(
            service=service,
            length=demo.length(60),
            therapist=demo.therapist("ana"),
            start_at=TUESDAY_10,
            now=NOW,
            therapists=[t for t in read if t.slug != "ana"],
        )
    assert refused.value.message == "That therapist does not offer this massage."


def test_a_held_slot_is_refused_to_a_second_hold(demo):
    """Refuse a second hold on the same therapist and time while the first is alive."""
    first = hold(demo)
    with pytest.raises(BookingRefused) as refused:
        hold(demo, now=NOW + timedelta(minutes=9))
    assert refused.value.code == BookingRefused.SLOT_TAKEN
    assert refused.value.message == TAKEN
    assert list(Booking.objects.all()) == [first]


def test_anyone_goes_to_the_lowest_id_when_nobody_is_booked(demo):
    """Give "anyone" to the first-created therapist when both free ones have nothing booked."""
    booking = hold(demo, therapist=None)
    ana, carla = demo.therapist("ana"), demo.therapist("carla")
    assert ana.pk < carla.pk
    assert booking.therapist == ana


def test_anyone_goes_to_the_therapist_least_booked_that_day(demo):
    """Count only the minutes booked on the day asked: Carla's busy Wednesday does not count."""
    confirmed(demo, therapist="ana", start_at=madrid(2026, 11, 24, 12, 0), minutes=30)
    for hour in (10, 11, 12):
        confirmed(demo, therapist="carla", start_at=madrid(2026, 11, 25, hour, 0), minutes=45)
    booking = hold(demo, therapist=None)
    assert booking.therapist.slug == "carla"


# --- expiry ----------------------------------------------------------------------------------


def test_an_expired_hold_no_longer_blocks_its_slot(demo):
    """Let a second client hold the slot once the first hold has expired, marking it expired."""
    first = hold(demo)
    later = first.hold_expires_at
    assert TUESDAY_10 in free_starts(demo, now=later)  # even before any sweep
    second = hold(demo, now=later)
    first.refresh_from_db()
    assert first.status == BookingStatus.EXPIRED
    assert first.updated_at == later
    assert second.status == BookingStatus.HELD
    assert second.start_at == first.start_at and second.therapist == first.therapist


def test_holds_expire_marks_only_dead_holds_and_is_idempotent(demo):
    """Expire the holds past their time once; a second sweep finds nothing to do."""
    old = hold(demo)
    young = hold(demo, start_at=madrid(2026, 11, 24, 12, 0), now=NOW + timedelta(minutes=5))
    sweep_at = NOW + timedelta(minutes=12)
    assert services.holds_expire(now=sweep_at) == 1
    assert services.holds_expire(now=sweep_at) == 0
    old.refresh_from_db()
    young.refresh_from_db()
    assert old.status == BookingStatus.EXPIRED
    assert young.status == BookingStatus.HELD


def test_hold_check_accepts_a_live_hold_and_refuses_an_expired_one(demo):
    """Refuse a hold at its expiry time with the "hold expired" code."""
    booking = hold(demo)
    services.hold_check(booking=booking, now=booking.hold_expires_at - timedelta(seconds=1))
    with pytest.raises(BookingRefused) as refused:
        services.hold_check(booking=booking, now=booking.hold_expires_at)
    assert refused.value.code == BookingRefused.HOLD_EXPIRED
    assert refused.value.message == HOLD_GONE


def test_hold_check_refuses_a_swept_hold_as_expired_not_as_already_submitted(demo):
    """Report a hold the sweep already marked expired as expired, so views send them back."""
    booking = hold(demo)
    services.holds_expire(now=booking.hold_expires_at)
    booking.refresh_from_db()
    with pytest.raises(BookingRefused) as refused:
        services.hold_check(booking=booking, now=booking.hold_expires_at)
    assert refused.value.code == BookingRefused.HOLD_EXPIRED


def test_hold_check_refuses_a_hold_already_settled(demo):
    """Refuse to go on with a booking that is no longer a hold."""
    booking = confirmed(demo)
    with pytest.raises(BookingRefused) as refused:
        services.hold_check(booking=booking, now=NOW)
    assert refused.value.code == BookingRefused.INVALID
    assert refused.value.message == SUBMITTED


# --- settle ----------------------------------------------------------------------------------


def test_booking_settle_confirms_a_named_live_hold(demo):
    """Confirm the hold: status confirmed, confirmation time stamped, no expiry left."""
    booking = confirmed(demo)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.confirmed_at == NOW
    assert booking.hold_expires_at is None
    assert booking.client.email == "marta@example.com"


def test_booking_settle_can_leave_a_booking_awaiting_review(demo):
    """Settle to "awaiting review" without a confirmation time."""
    booking = hold(demo)
    services.hold_attach_client(
        booking=booking, name="Marta", email="m@example.com", phone="6", now=NOW
    )
    settled = services.booking_settle(
        booking=booking, status=BookingStatus.AWAITING_REVIEW, now=NOW
    )
    assert settled.status == BookingStatus.AWAITING_REVIEW
    assert settled.confirmed_at is None


def test_booking_settle_refuses_a_hold_without_a_client(demo):
    """Refuse to confirm a hold nobody has put their name to."""
    booking = hold(demo)
    with pytest.raises(BookingRefused):
        services.booking_settle(booking=booking, status=BookingStatus.CONFIRMED, now=NOW)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.HELD


def test_booking_settle_refuses_an_expired_hold(demo):
    """Refuse to confirm a hold past its expiry."""
    booking = hold(demo)
    services.hold_attach_client(
        booking=booking, name="Marta", email="m@example.com", phone="6", now=NOW
    )
    with pytest.raises(BookingRefused) as refused:
        services.booking_settle(
            booking=booking, status=BookingStatus.CONFIRMED, now=booking.hold_expires_at
        )
    assert refused.value.code == BookingRefused.HOLD_EXPIRED
    booking.refresh_from_db()
    assert booking.status == BookingStatus.HELD


def test_client_upsert_reuses_the_client_with_the_same_email(demo):
    """Find a returning client by email whatever its case, updating their details."""
    first = services.client_upsert(name="Marta", email="Marta@Example.com", phone="600")
    again = services.client_upsert(name="Marta P.", email="marta@example.com ", phone="")
    assert again.pk == first.pk
    again.refresh_from_db()
    assert (again.name, again.phone) == ("Marta P.", "600")


# --- cancel ----------------------------------------------------------------------------------


def test_a_client_may_cancel_outside_the_24_hour_window(demo):
    """Cancel a booking more than a day ahead, freeing its slot and raising its revision."""
    booking = confirmed(demo, start_at=WEDNESDAY_10)
    assert services.client_can_change(booking=booking, now=NOW)
    cancelled = services.booking_cancel(booking=booking, reason="Feeling unwell", now=NOW)
    assert cancelled.status == BookingStatus.CANCELLED
    assert cancelled.cancelled_at == NOW
    assert cancelled.cancel_reason == "Feeling unwell"
    assert cancelled.sequence == booking.sequence + 1
    assert WEDNESDAY_10 in free_starts(demo, day=date(2026, 11, 25))


def test_exactly_24_hours_ahead_is_still_inside_the_policy(demo):
    """Allow a change at exactly 24 hours before the start, and not a second later."""
    booking = confirmed(demo, start_at=WEDNESDAY_10)
    assert services.client_can_change(booking=booking, now=WEDNESDAY_10 - timedelta(hours=24))
    late = WEDNESDAY_10 - timedelta(hours=24) + timedelta(seconds=1)
    assert not services.client_can_change(booking=booking, now=late)


def test_a_client_may_not_cancel_inside_the_24_hour_window(demo):
    """Refuse a client's cancellation 23 hours ahead, leaving the booking confirmed."""
    booking = confirmed(demo, start_at=WEDNESDAY_10)
    late = WEDNESDAY_10 - timedelta(hours=23)
    assert not services.client_can_change(booking=booking, now=late)
    with pytest.raises(BookingRefused) as refused:
        services.booking_cancel(booking=booking, now=late)
    assert refused.value.code == BookingRefused.POLICY
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.sequence == 0


def test_the_studio_may_cancel_inside_the_window(demo):
    """Let the front desk cancel at any time, unlike a client."""
    booking = confirmed(demo, start_at=WEDNESDAY_10)
    cancelled = services.booking_cancel(
        booking=booking, by_client=False, now=WEDNESDAY_10 - timedelta(hours=1)
    )
    assert cancelled.status == BookingStatus.CANCELLED


def test_a_cancelled_booking_cannot_be_changed_again(demo):
    """Refuse to cancel twice or to reschedule a cancelled booking."""
    booking = services.booking_cancel(booking=confirmed(demo, start_at=WEDNESDAY_10), now=NOW)
    assert not services.client_can_change(booking=booking, now=NOW)
    with pytest.raises(BookingRefused):
        services.booking_cancel(booking=booking, now=NOW)
    with pytest.raises(BookingRefused):
        services.booking_reschedule(booking=booking, start_at=TUESDAY_10, now=NOW)


# --- reschedule ------------------------------------------------------------------------------


def test_reschedule_moves_to_a_free_start_and_frees_the_old_one(demo):
    """Move the booking, raise its revision and give the old time back to others."""
    booking = confirmed(demo, start_at=WEDNESDAY_10)
    new_start = madrid(2026, 11, 25, 12, 0)
    moved = services.booking_reschedule(
        booking=booking, start_at=new_start, therapist=demo.therapist("ana"), now=NOW
    )
    moved.refresh_from_db()
    assert moved.start_at == new_start
    assert moved.end_at == new_start + timedelta(minutes=60)
    assert moved.blocked_until == new_start + timedelta(minutes=70)
    assert moved.sequence == 1
    assert moved.status == BookingStatus.CONFIRMED
    starts = free_starts(demo, day=date(2026, 11, 25))
    assert WEDNESDAY_10 in starts
    assert new_start not in starts


def test_reschedule_may_overlap_its_own_old_time(demo):
    """Move a booking by 15 minutes, overlapping only itself."""
    booking = confirmed(demo, start_at=WEDNESDAY_10)
    later = WEDNESDAY_10 + timedelta(minutes=15)
    moved = services.booking_reschedule(
        booking=booking, start_at=later, therapist=demo.therapist("ana"), now=NOW
    )
    assert moved.start_at == later


def test_reschedule_to_a_taken_start_is_refused_and_changes_nothing(demo):
    """Refuse a move onto another client's booking; keep time, therapist and revision."""
    booking = confirmed(demo, start_at=WEDNESDAY_10)
    other_start = madrid(2026, 11, 26, 10, 0)
    confirmed(demo, start_at=other_start)
    with pytest.raises(BookingRefused) as refused:
        services.booking_reschedule(
            booking=booking, start_at=other_start, therapist=demo.therapist("ana"), now=NOW
        )
    assert refused.value.code == BookingRefused.SLOT_TAKEN
    booking.refresh_from_db()
    assert booking.start_at == WEDNESDAY_10
    assert booking.sequence == 0


def test_a_client_cannot_reschedule_into_the_minimum_notice(demo):
    """Refuse a client's move to a start 30 minutes away, as booking it online would be."""
    booking = confirmed(demo, start_at=WEDNESDAY_10)
    with pytest.raises(BookingRefused) as refused:
        services.booking_reschedule(
            booking=booking,
            start_at=NOW + timedelta(minutes=30),
            therapist=demo.therapist("ana"),
            now=NOW,
        )
    assert refused.value.message == TOO_SOON
    booking.refresh_from_db()
    assert booking.start_at == WEDNESDAY_10


def test_reschedule_inside_the_window_is_refused(demo):
    """Refuse a client's move when the booked session is less than 24 hours away."""
    booking = confirmed(demo, start_at=WEDNESDAY_10)
    with pytest.raises(BookingRefused) as refused:
        services.booking_reschedule(
            booking=booking,
            start_at=madrid(2026, 11, 26, 10, 0),
            now=WEDNESDAY_10 - timedelta(hours=2),
        )
    assert refused.value.code == BookingRefused.POLICY
    booking.refresh_from_db()
    assert booking.start_at == WEDNESDAY_10


# --- DST -------------------------------------------------------------------------------------


@pytest.fixture
def sunday_studio(db):
    """Return a service and a therapist who works Sundays 09:00–14:00, for the DST days."""
    room = RoomFactory()
    service = ServiceFactory(rooms=[room])
    length = ServiceLengthFactory(service=service, minutes=60)
    therapist = TherapistFactory(services=[service])
    WorkingHours.objects.create(therapist=therapist, weekday=6, starts=time(9), ends=time(14))
    return service, length, therapist


@pytest.mark.parametrize(
    ("local", "stored"),
    [
        (madrid(2026, 10, 25, 10, 0), utc(2026, 10, 25, 9, 0)),  # CET again, UTC+1
        (madrid(2026, 3, 29, 10, 0), utc(2026, 3, 29, 8, 0)),  # CEST from 02:00, UTC+2
    ],
)
def test_a_booking_on_a_dst_day_is_stored_in_utc(sunday_studio, local, stored):
    """Store 10:00 Madrid on the DST Sundays as 09:00 UTC (autumn) and 08:00 UTC (spring)."""
    service, length, therapist = sunday_studio
    booking = services.hold_create(
        service=service,
        length=length,
        therapist=therapist,
        start_at=local,
        now=local - timedelta(days=5),
    )
    booking.refresh_from_db()
    assert booking.start_at == stored
    assert booking.start_at.astimezone(MADRID).hour == 10


def test_the_first_start_on_the_autumn_dst_day_is_nine_local(sunday_studio):
    """Offer 09:00 Madrid (08:00 UTC) as the first time on 25 October 2026."""
    service, length, therapist = sunday_studio
    result = selectors.availability(
        service=service,
        length=length,
        therapist=therapist,
        first_day=date(2026, 10, 25),
        days=1,
        now=utc(2026, 10, 20, 8, 0),
    )
    assert result.slots[0].start == utc(2026, 10, 25, 8, 0)
    assert result.slots[-1].start == utc(2026, 10, 25, 12, 0)


def test_a_booking_from_the_factory_blocks_its_therapist(sunday_studio):
    """Keep a factory-made booking's therapist busy for the session and its buffer."""
    service, length, therapist = sunday_studio
    BookingFactory(
        service=service,
        length=length,
        therapist=therapist,
        room=service.rooms.get(),
        client=ClientFactory(),
        start_at=utc(2026, 10, 25, 8, 0),
    )
    result = selectors.availability(
        service=service,
        length=length,
        therapist=therapist,
        first_day=date(2026, 10, 25),
        days=1,
        now=utc(2026, 10, 20, 8, 0),
    )
    assert result.slots[0].start == utc(2026, 10, 25, 9, 15)  # after 60 min + 10 buffer


# --- reactivating a stopped attempt ----------------------------------------------------------


def test_reactivating_a_stopped_attempt_never_double_books_its_old_room(demo):
    """Take another free room when the stopped attempt's room was taken in the meantime."""
    stopped = hold(demo, therapist="ana")
    services.hold_release(booking=stopped, status=BookingStatus.STOPPED)
    other = hold(demo, therapist="carla", now=NOW + timedelta(minutes=1))
    assert other.room_id == stopped.room_id  # the room the attempt had is taken now

    again = services.booking_reactivate(
        booking=stopped, status=BookingStatus.AWAITING_REVIEW, now=NOW + timedelta(minutes=2)
    )
    again.refresh_from_db()
    assert again.status == BookingStatus.AWAITING_REVIEW
    assert again.therapist.slug == "ana"
    assert again.room_id != other.room_id
    active_in_room = Booking.objects.filter(
        room_id=again.room_id, status__in=ACTIVE_STATUSES, start_at=TUESDAY_10
    )
    assert active_in_room.count() == 1


def test_a_phone_booking_waits_for_the_answers_as_long_as_the_studio_says(demo):
    booking = phone_hold(demo, start_at=TUESDAY_10 + timedelta(days=7), hold_hours=6)

    assert Studio.load().phone_hold_hours == 6
    assert booking.status == BookingStatus.HELD
    assert booking.hold_expires_at == NOW + timedelta(hours=6)


def test_a_phone_hold_never_outlives_the_sessions_start(demo):
    """The studio's 48 hours are cut at the start: a past session cannot be confirmed later."""
    assert Studio.load().phone_hold_hours == 48
    start_at = NOW + timedelta(hours=3)  # Monday 12:00 in Madrid, inside Ana's hours

    booking = phone_hold(demo, start_at=start_at)

    assert booking.hold_expires_at == start_at
    with pytest.raises(BookingRefused) as refused:
        services.booking_settle(booking=booking, status=BookingStatus.CONFIRMED, now=start_at)
    assert refused.value.code == BookingRefused.HOLD_EXPIRED


# --- a studio in a half-hour zone ------------------------------------------------------------


@pytest.fixture
def kolkata_studio(db, settings):
    """Return a service and a therapist of a studio in Kolkata (UTC+05:30), on an hourly grid.

    The therapist works Tuesdays 09:00–13:00 local time, which is 03:30–07:30 UTC.
    """
    settings.STUDIO_TIME_ZONE = "Asia/Kolkata"
    studio = Studio.load()
    studio.slot_step_minutes = 60
    studio.save()
    room = RoomFactory()
    service = ServiceFactory(rooms=[room])
    length = ServiceLengthFactory(service=service, minutes=60)
    therapist = TherapistFactory(services=[service])
    WorkingHours.objects.create(therapist=therapist, weekday=1, starts=time(9), ends=time(13))
    return service, length, therapist


def test_a_half_hour_zone_offers_and_takes_the_hours_of_its_own_clock(kolkata_studio):
    """Offer 09:00 to 12:00 Kolkata time and hold 10:00; refuse 10:30, which is on the hour
    in UTC but not on the studio's clock."""
    service, length, therapist = kolkata_studio
    kolkata = ZoneInfo("Asia/Kolkata")
    result = selectors.availability(
        service=service,
        length=length,
        therapist=therapist,
        first_day=date(2026, 11, 24),
        days=1,
        now=NOW,
    )
    assert [slot.start.astimezone(kolkata).strftime("%H:%M") for slot in result.slots] == [
        "09:00",
        "10:00",
        "11:00",
        "12:00",
    ]
    ten = datetime(2026, 11, 24, 10, 0, tzinfo=kolkata)
    with pytest.raises(BookingRefused) as refused:
        services.hold_create(
            service=service,
            length=length,
            therapist=therapist,
            start_at=ten + timedelta(minutes=30),
            now=NOW,
        )
    assert refused.value.message == OFF_GRID
    booking = services.hold_create(
        service=service, length=length, therapist=therapist, start_at=ten, now=NOW
    )
    assert booking.start_at == utc(2026, 11, 24, 4, 30)


def test_a_start_early_on_the_studios_day_is_found_on_that_day(kolkata_studio):
    """Hold Tuesday 05:00 in Kolkata, which is still Monday in UTC: the re-check under the
    lock reads the studio's Tuesday, not UTC's Monday."""
    service, length, therapist = kolkata_studio
    WorkingHours.objects.create(therapist=therapist, weekday=1, starts=time(5), ends=time(7))
    five = datetime(2026, 11, 24, 5, 0, tzinfo=ZoneInfo("Asia/Kolkata"))
    assert five.astimezone(ZoneInfo("UTC")).date() == date(2026, 11, 23)
    booking = services.hold_create(
        service=service, length=length, therapist=therapist, start_at=five, now=NOW
    )
    assert booking.start_at == utc(2026, 11, 23, 23, 30)


def test_a_grid_that_does_not_divide_the_hour_counts_from_midnight(sunday_studio):
    """On a 90-minute grid, offer and take 10:30 and refuse 10:00 (minute 600 of the day)."""
    service, length, therapist = sunday_studio
    studio = Studio.load()
    studio.slot_step_minutes = 90
    studio.save()
    sunday = date(2026, 11, 29)
    result = selectors.availability(
        service=service, length=length, therapist=therapist, first_day=sunday, days=1, now=NOW
    )
    assert [slot.start.astimezone(MADRID).strftime("%H:%M") for slot in result.slots] == [
        "09:00",
        "10:30",
        "12:00",
    ]
    with pytest.raises(BookingRefused) as refused:
        services.hold_create(
            service=service,
            length=length,
            therapist=therapist,
            start_at=madrid(2026, 11, 29, 10, 0),
            now=NOW,
        )
    assert refused.value.message == OFF_GRID
    booking = services.hold_create(
        service=service,
        length=length,
        therapist=therapist,
        start_at=madrid(2026, 11, 29, 10, 30),
        now=NOW,
    )
    assert booking.start_at == utc(2026, 11, 29, 9, 30)
