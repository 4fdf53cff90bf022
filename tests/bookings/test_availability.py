"""The availability rule as a pure function: intervals in, free starts out, no database."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bookings.availability import (
    Interval,
    Resource,
    Slot,
    WeeklyHours,
    free_slots,
    local_days,
    merge,
    pick_therapist,
    subtract,
    working_intervals,
)

MADRID = ZoneInfo("Europe/Madrid")
STEP = timedelta(minutes=15)
# Bounds that let every start through when a test is not about notice or horizon.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def minutes(value: int) -> timedelta:
    return timedelta(minutes=value)


def slots_for(
    therapists,
    rooms=None,
    *,
    duration=60,
    buffer=0,
    not_before=EARLIEST,
    not_after=LATEST,
):
    """Call ``free_slots`` with the studio's usual grid and zone, and one free room."""
    return free_slots(
        therapists=therapists,
        rooms=rooms if rooms is not None else [Resource(100)],
        duration=minutes(duration),
        buffer=minutes(buffer),
        step=STEP,
        tz=MADRID,
        not_before=not_before,
        not_after=not_after,
    )


def day_work(day: date, starts: time, ends: time) -> list[Interval]:
    return working_intervals([WeeklyHours(day.weekday(), starts, ends)], [day], MADRID)


# --- merge, subtract, working_intervals ------------------------------------------------------


def test_merge_sorts_and_joins_overlapping_and_touching_intervals():
    """Join intervals that overlap or touch, and keep apart those with a gap between them."""
    a = Interval(utc(2026, 11, 23, 9), utc(2026, 11, 23, 10))
    b = Interval(utc(2026, 11, 23, 10), utc(2026, 11, 23, 11))  # touches a
    c = Interval(utc(2026, 11, 23, 10, 30), utc(2026, 11, 23, 10, 45))  # inside b
    d = Interval(utc(2026, 11, 23, 12), utc(2026, 11, 23, 13))
    assert merge([d, c, b, a]) == [Interval(a.start, b.end), d]


def test_subtract_cuts_holes_and_trims_edges():
    """Return what is left of working time after time off inside it and across its edges."""
    work = [Interval(utc(2026, 11, 23, 9), utc(2026, 11, 23, 17))]
    removals = [
        Interval(utc(2026, 11, 23, 8), utc(2026, 11, 23, 10)),
        Interval(utc(2026, 11, 23, 12), utc(2026, 11, 23, 13)),
        Interval(utc(2026, 11, 23, 16), utc(2026, 11, 23, 18)),
    ]
    assert subtract(work, removals) == [
        Interval(utc(2026, 11, 23, 10), utc(2026, 11, 23, 12)),
        Interval(utc(2026, 11, 23, 13), utc(2026, 11, 23, 16)),
    ]


def test_subtract_removing_everything_leaves_nothing():
    """Leave no working time when the time off covers all of it."""
    work = [Interval(utc(2026, 11, 23, 9), utc(2026, 11, 23, 17))]
    assert subtract(work, [Interval(utc(2026, 11, 23), utc(2026, 11, 24))]) == []


def hours(*pairs) -> list[Interval]:
    """Return intervals on Monday 23 November 2026 (UTC) from (start, end) hours."""
    return [Interval(utc(2026, 11, 23, *start), utc(2026, 11, 23, *end)) for start, end in pairs]


@pytest.mark.parametrize(
    ("work", "removals", "left"),
    [
        pytest.param([(9,), (17,)], [((12,), (13,))], [((9,), (12,)), ((13,), (17,))], id="inside"),
        pytest.param([(9,), (17,)], [((7,), (8,)), ((18,), (19,))], [((9,), (17,))], id="outside"),
        pytest.param([(9,), (17,)], [((8,), (9,)), ((17,), (18,))], [((9,), (17,))], id="touching"),
        pytest.param([(9,), (17,)], [((9,), (10,))], [((10,), (17,))], id="at-the-start"),
        pytest.param([(9,), (17,)], [((16,), (17,))], [((9,), (16,))], id="at-the-end"),
        pytest.param(
            [(9,), (17,)],
            [((7,), (8,)), ((12,), (13,))],
            [((9,), (12,)), ((13,), (17,))],
            id="after-one-before",
        ),
    ],
)
def test_subtract_keeps_exactly_the_time_no_removal_covers(work, removals, left):
    """Cut a removal out of a working day wherever it falls, leaving no empty pieces."""
    assert subtract(hours(work), hours(*removals)) == hours(*left)


def test_subtract_cuts_each_of_several_intervals_on_its_own():
    """Cut the morning and the afternoon with the removals that touch each."""
    work = hours(((9,), (13,)), ((15,), (19,)))
    removals = hours(((10,), (11,)), ((13,), (15,)), ((18,), (20,)))
    assert subtract(work, removals) == hours(((9,), (10,)), ((11,), (13,)), ((15,), (18,)))


def test_local_days_counts_forward_from_the_first_day():
    """Return the first day and the days after it, in order."""
    assert local_days(date(2026, 12, 31), 3) == [
        date(2026, 12, 31),
        date(2027, 1, 1),
        date(2027, 1, 2),
    ]
    assert local_days(date(2026, 12, 31), 0) == []


def test_weekly_hours_that_end_where_they_start_give_no_working_time():
    """Drop hours of no length, and hours whose end comes before their start."""
    day = date(2026, 11, 23)
    hours_of_the_day = [WeeklyHours(0, time(9), time(9)), WeeklyHours(0, time(14), time(13))]
    assert working_intervals(hours_of_the_day, [day], MADRID) == []


def test_working_intervals_lay_weekly_hours_on_matching_weekdays_only():
    """Put Monday's hours on the Monday only, converted from Madrid winter time to UTC."""
    hours = [WeeklyHours(0, time(9), time(14)), WeeklyHours(0, time(15), time(19))]
    days = local_days(date(2026, 11, 23), 7)  # Monday to Sunday
    assert working_intervals(hours, days, MADRID) == [
        Interval(utc(2026, 11, 23, 8), utc(2026, 11, 23, 13)),
        Interval(utc(2026, 11, 23, 14), utc(2026, 11, 23, 18)),
    ]


# --- DST in Europe/Madrid --------------------------------------------------------------------


def test_spring_forward_day_starts_at_nine_local_which_is_seven_utc():
    """On 2026-03-29 (CEST from 02:00) offer 09:00 local first, which is 07:00 UTC."""
    day = date(2026, 3, 29)
    work = day_work(day, time(9), time(14))
    assert work == [Interval(utc(2026, 3, 29, 7), utc(2026, 3, 29, 12))]
    slots = slots_for([Resource(1, work=work)])
    assert slots[0].start == utc(2026, 3, 29, 7)
    assert slots[0].start.astimezone(MADRID).time() == time(9)
    assert slots[-1].start.astimezone(MADRID).time() == time(13)
    assert len(slots) == 17  # 09:00 to 13:00 every 15 minutes


def test_fall_back_day_starts_at_nine_local_which_is_eight_utc():
    """On 2026-10-25 (CET from 03:00) offer 09:00 local first, which is 08:00 UTC."""
    day = date(2026, 10, 25)
    work = day_work(day, time(9), time(14))
    assert work == [Interval(utc(2026, 10, 25, 8), utc(2026, 10, 25, 13))]
    slots = slots_for([Resource(1, work=work)])
    assert slots[0].start == utc(2026, 10, 25, 8)
    assert len(slots) == 17


def test_hours_across_the_spring_gap_are_three_real_hours_without_local_two_oclock():
    """Work 01:00–05:00 on 2026-03-29 lasts three hours and never offers 02:xx local."""
    day = date(2026, 3, 29)
    work = day_work(day, time(1), time(5))
    assert work == [Interval(utc(2026, 3, 29, 0), utc(2026, 3, 29, 3))]
    slots = slots_for([Resource(1, work=work)])
    local_starts = [slot.start.astimezone(MADRID).strftime("%H:%M") for slot in slots]
    assert local_starts == [
        "01:00",
        "01:15",
        "01:30",
        "01:45",
        "03:00",
        "03:15",
        "03:30",
        "03:45",
        "04:00",
    ]


def test_hours_across_the_autumn_change_offer_the_repeated_hour_twice():
    """Work 01:00–05:00 on 2026-10-25 lasts five hours; 02:00–02:45 local come up twice."""
    day = date(2026, 10, 25)
    work = day_work(day, time(1), time(5))
    assert work == [Interval(utc(2026, 10, 24, 23), utc(2026, 10, 25, 4))]
    slots = slots_for([Resource(1, work=work)])
    starts = [slot.start for slot in slots]
    assert starts == [utc(2026, 10, 24, 23) + minutes(15 * k) for k in range(17)]
    local = [start.astimezone(MADRID) for start in starts]
    assert [moment.strftime("%H:%M") for moment in local].count("02:30") == 2
    assert {moment.fold for moment in local if moment.hour == 2} == {0, 1}
    assert all(moment.minute % 15 == 0 for moment in local)


# --- buffers, rooms, "anyone" ----------------------------------------------------------------


def test_the_buffer_must_fit_before_the_next_booking_back_to_back_is_allowed():
    """Offer a start whose session plus buffer ends exactly where the next booking begins."""
    work = [Interval(utc(2026, 11, 23, 9), utc(2026, 11, 23, 13))]
    busy = [Interval(utc(2026, 11, 23, 11), utc(2026, 11, 23, 12))]
    starts = {
        slot.start
        for slot in slots_for([Resource(1, busy=busy, work=work)], duration=45, buffer=15)
    }
    assert utc(2026, 11, 23, 10) in starts  # 10:00 + 45 + 15 == 11:00
    assert utc(2026, 11, 23, 10, 15) not in starts  # its buffer would run into 11:00
    assert utc(2026, 11, 23, 12) in starts  # right after the other booking's buffer


def test_a_start_right_after_a_booking_waits_for_that_bookings_buffer():
    """Block the span a booking keeps for its own buffer: the next start is after it."""
    work = [Interval(utc(2026, 11, 23, 9), utc(2026, 11, 23, 13))]
    busy = [Interval(utc(2026, 11, 23, 9), utc(2026, 11, 23, 10, 10))]  # 60 min + 10 buffer
    starts = [slot.start for slot in slots_for([Resource(1, busy=busy, work=work)], buffer=10)]
    assert starts[0] == utc(2026, 11, 23, 10, 15)


def test_a_busy_room_blocks_the_slot_even_with_a_free_therapist():
    """Offer nothing while the only suitable room is taken, and only the free room otherwise."""
    work = [Interval(utc(2026, 11, 23, 9), utc(2026, 11, 23, 11))]
    room_busy = [Interval(utc(2026, 11, 23, 9), utc(2026, 11, 23, 10))]
    slots = slots_for([Resource(1, work=work)], [Resource(100, busy=room_busy)])
    assert [slot.start for slot in slots] == [utc(2026, 11, 23, 10)]

    two_rooms = [Resource(100, busy=room_busy), Resource(101)]
    first = slots_for([Resource(1, work=work)], two_rooms)[0]
    assert first.start == utc(2026, 11, 23, 9)
    assert first.room_ids == (101,)


def test_anyone_offers_a_time_when_any_one_therapist_is_free():
    """List a start under every therapist free then, and keep it while one of them is."""
    work = [Interval(utc(2026, 11, 23, 9), utc(2026, 11, 23, 12))]
    ana = Resource(1, busy=[Interval(utc(2026, 11, 23, 9), utc(2026, 11, 23, 10))], work=work)
    ben = Resource(2, busy=[Interval(utc(2026, 11, 23, 10), utc(2026, 11, 23, 12))], work=work)
    by_start = {slot.start: slot.therapist_ids for slot in slots_for([ana, ben])}
    assert by_start[utc(2026, 11, 23, 9)] == (2,)
    assert by_start[utc(2026, 11, 23, 10)] == (1,)
    both_free = Resource(2, work=work)
    assert slots_for([ana, both_free])[-1].therapist_ids == (1, 2)


def test_no_therapists_or_no_rooms_means_no_slots():
    """Offer nothing without a therapist or without a suitable room."""
    work = [Interval(utc(2026, 11, 23, 9), utc(2026, 11, 23, 12))]
    assert slots_for([], [Resource(100)]) == []
    assert slots_for([Resource(1, work=work)], []) == []


def test_starts_respect_the_minimum_notice_and_the_horizon():
    """Round the first start up to the grid after ``not_before`` and stop at ``not_after``."""
    work = [Interval(utc(2026, 11, 23, 8), utc(2026, 11, 23, 16))]
    slots = slots_for(
        [Resource(1, work=work)],
        not_before=utc(2026, 11, 23, 9, 7, 30),
        not_after=utc(2026, 11, 23, 11),
    )
    assert slots[0].start == utc(2026, 11, 23, 9, 15)
    assert slots[-1].start == utc(2026, 11, 23, 11)


def test_starts_are_rounded_up_past_a_notice_that_ends_inside_a_minute():
    """Never offer a start before ``not_before``: 09:15 and a few seconds offers 09:30 first,
    and a start is always on the whole minute."""
    work = [Interval(utc(2026, 11, 23, 8), utc(2026, 11, 23, 16))]
    for not_before in (
        utc(2026, 11, 23, 9, 15, 30),
        utc(2026, 11, 23, 9, 15, 0, 1),
        utc(2026, 11, 23, 9, 14, 59, 999999),
    ):
        first = slots_for([Resource(1, work=work)], not_before=not_before)[0]
        expected = utc(2026, 11, 23, 9, 15 if not_before.minute == 14 else 30)
        assert first.start == expected, not_before
    exact = slots_for([Resource(1, work=work)], not_before=utc(2026, 11, 23, 9, 15))[0]
    assert exact.start == utc(2026, 11, 23, 9, 15)


@pytest.mark.parametrize(
    ("duration", "step"),
    [(0, 15), (-30, 15), (60, 0), (60, -15)],
    ids=["no-duration", "negative-duration", "no-step", "negative-step"],
)
def test_a_session_or_step_of_no_length_offers_nothing(duration, step):
    """Offer no start for a session or a grid step that is not positive (and never loop)."""
    work = [Interval(utc(2026, 11, 23, 9), utc(2026, 11, 23, 12))]
    assert (
        free_slots(
            therapists=[Resource(1, work=work)],
            rooms=[Resource(100)],
            duration=minutes(duration),
            buffer=minutes(0),
            step=minutes(step),
            tz=MADRID,
            not_before=EARLIEST,
            not_after=LATEST,
        )
        == []
    )


def test_pick_therapist_takes_the_least_booked():
    """Give "anyone" to the therapist with the fewest booked minutes that day."""
    assert pick_therapist([1, 2, 3], {1: 120, 2: 30, 3: 60}) == 2


def test_pick_therapist_breaks_ties_by_the_lowest_id():
    """Give a tie to the lowest id, counting a therapist with no bookings as zero."""
    assert pick_therapist([3, 2, 5], {3: 60, 2: 60, 5: 90}) == 2
    assert pick_therapist([4, 7], {}) == 4
    assert pick_therapist([7, 4], {4: 30}) == 7
    # Missing from the counts is the same as counted at zero.
    assert pick_therapist([4, 7], {7: 0}) == 4


# --- properties ------------------------------------------------------------------------------

# Two days around each 2026 DST change in Madrid, and an ordinary winter week.
BASES = [utc(2026, 3, 28), utc(2026, 10, 24), utc(2026, 11, 23)]
SPAN = 2 * 24 * 60


@st.composite
def scenarios(draw):
    """Draw therapists with working and busy time, rooms with busy time, and a request."""
    base = draw(st.sampled_from(BASES))

    def instant() -> datetime:
        return base + minutes(5 * draw(st.integers(0, SPAN // 5)))

    def intervals(count: tuple[int, int], length: tuple[int, int]) -> list[Interval]:
        found = []
        for _ in range(draw(st.integers(*count))):
            start = instant()
            span = 5 * draw(st.integers(length[0] // 5, length[1] // 5))
            found.append(Interval(start, start + minutes(span)))
        return found

    therapists = [
        Resource(pk, busy=intervals((0, 6), (5, 180)), work=intervals((1, 3), (30, 600)))
        for pk in range(1, draw(st.integers(1, 3)) + 1)
    ]
    rooms = [
        Resource(pk, busy=intervals((0, 6), (5, 180)))
        for pk in range(101, draw(st.integers(1, 2)) + 101)
    ]
    not_before = base + minutes(draw(st.integers(0, SPAN // 2)))
    return {
        "therapists": therapists,
        "rooms": rooms,
        "duration": minutes(draw(st.sampled_from([30, 45, 60]))),
        "buffer": minutes(draw(st.integers(0, 20))),
        "step": STEP,
        "tz": MADRID,
        "not_before": not_before,
        "not_after": not_before + minutes(draw(st.integers(0, SPAN))),
    }


def _free(resource: Resource, span: Interval) -> bool:
    return not any(span.overlaps(busy) for busy in resource.busy)


def _inside_work(resource: Resource, span: Interval) -> bool:
    return any(w.start <= span.start and span.end <= w.end for w in merge(resource.work or ()))


def _brute_force(case) -> list[Slot]:
    """Try every UTC quarter hour (Madrid's grid, whole-hour offsets) the slow, obvious way."""
    slots = []
    start = case["not_before"].replace(minute=0, second=0, microsecond=0)
    while start <= case["not_after"]:
        if start >= case["not_before"]:
            session = Interval(start, start + case["duration"])
            blocked = Interval(start, session.end + case["buffer"])
            therapist_ids = tuple(
                t.id for t in case["therapists"] if _inside_work(t, session) and _free(t, blocked)
            )
            room_ids = tuple(r.id for r in case["rooms"] if _free(r, blocked))
            if therapist_ids and room_ids:
                slots.append(Slot(session.start, session.end, therapist_ids, room_ids))
        start += STEP
    return slots


PROPERTY_SETTINGS = settings(max_examples=400, deadline=None)


@PROPERTY_SETTINGS
@given(scenarios())
def test_every_listed_therapist_and_room_is_free_for_session_and_buffer(case):
    """Never list a therapist or room whose busy time overlaps [start, start+duration+buffer)."""
    by_id = {t.id: t for t in case["therapists"]}
    rooms = {r.id: r for r in case["rooms"]}
    for slot in free_slots(**case):
        blocked = Interval(slot.start, slot.start + case["duration"] + case["buffer"])
        assert slot.therapist_ids and slot.room_ids
        assert all(_free(by_id[pk], blocked) for pk in slot.therapist_ids)
        assert all(_free(rooms[pk], blocked) for pk in slot.room_ids)


@PROPERTY_SETTINGS
@given(scenarios())
def test_every_session_lies_inside_each_listed_therapists_working_time(case):
    """Keep [start, start+duration) inside the working time of every therapist listed on it."""
    by_id = {t.id: t for t in case["therapists"]}
    for slot in free_slots(**case):
        assert slot.end == slot.start + case["duration"]
        session = Interval(slot.start, slot.end)
        assert all(_inside_work(by_id[pk], session) for pk in slot.therapist_ids)


@PROPERTY_SETTINGS
@given(scenarios())
def test_starts_respect_bounds_and_lie_on_the_local_quarter_hour_grid(case):
    """Offer starts within [not_before, not_after], at :00, :15, :30 or :45 local time."""
    slots = free_slots(**case)
    assert [slot.start for slot in slots] == sorted({slot.start for slot in slots})
    for slot in slots:
        assert case["not_before"] <= slot.start <= case["not_after"]
        local = slot.start.astimezone(MADRID)
        assert local.minute % 15 == 0 and local.second == 0 and local.microsecond == 0


@PROPERTY_SETTINGS
@given(scenarios())
def test_free_slots_offers_exactly_what_a_brute_force_search_finds(case):
    """Miss no free start and invent none, compared with trying every quarter hour."""
    assert free_slots(**case) == _brute_force(case)


@PROPERTY_SETTINGS
@given(scenarios())
def test_the_display_shortcut_offers_the_same_starts_with_a_free_therapist_each(case):
    """With complete=False, offer exactly the same starts and rooms, each naming one of the
    therapists the complete search lists."""
    complete = free_slots(**case)
    shown = free_slots(**case, complete=False)
    assert [(s.start, s.room_ids) for s in shown] == [(s.start, s.room_ids) for s in complete]
    for quick, full in zip(shown, complete, strict=True):
        assert len(quick.therapist_ids) == 1
        assert set(quick.therapist_ids) <= set(full.therapist_ids)


@PROPERTY_SETTINGS
@given(scenarios(), st.data())
def test_booking_a_slot_removes_it_for_that_therapist_and_leaves_distant_slots_alone(case, data):
    """Take a free slot away from its therapist and room, and change no slot clear of it."""
    before = free_slots(**case)
    if not before:
        return
    slot = data.draw(st.sampled_from(before))
    therapist_id = data.draw(st.sampled_from(slot.therapist_ids))
    room_id = data.draw(st.sampled_from(slot.room_ids))
    booked = Interval(slot.start, slot.start + case["duration"] + case["buffer"])

    def with_booking(resource: Resource, pk: int) -> Resource:
        if resource.id != pk:
            return resource
        return Resource(resource.id, busy=[*resource.busy, booked], work=resource.work)

    after = free_slots(
        **{
            **case,
            "therapists": [with_booking(t, therapist_id) for t in case["therapists"]],
            "rooms": [with_booking(r, room_id) for r in case["rooms"]],
        }
    )
    after_by_start = {s.start: s for s in after}
    taken = after_by_start.get(slot.start)
    assert taken is None or therapist_id not in taken.therapist_ids
    before_by_start = {s.start: s for s in before}
    for other in before:
        if not Interval(other.start, other.start + case["duration"] + case["buffer"]).overlaps(
            booked
        ):
            assert after_by_start.get(other.start) == other
    for now_free in after:
        earlier = before_by_start[now_free.start]
        assert set(now_free.therapist_ids) <= set(earlier.therapist_ids)
        assert set(now_free.room_ids) <= set(earlier.room_ids)


@pytest.mark.parametrize("step_minutes", [5, 10, 15, 20, 30, 60])
def test_every_step_that_divides_an_hour_stays_on_the_local_grid_across_dst(step_minutes):
    """Keep starts on the local grid on both DST days for any step dividing an hour."""
    for day in (date(2026, 3, 29), date(2026, 10, 25)):
        work = day_work(day, time(0, 30), time(6))
        slots = free_slots(
            therapists=[Resource(1, work=work)],
            rooms=[Resource(100)],
            duration=minutes(30),
            buffer=minutes(0),
            step=minutes(step_minutes),
            tz=MADRID,
            not_before=EARLIEST,
            not_after=LATEST,
        )
        assert slots
        for slot in slots:
            assert slot.start.astimezone(MADRID).minute % step_minutes == 0


# --- the studio's own clock ------------------------------------------------------------------

# UTC+05:30 all year: the local hour starts at half past in UTC, so a grid counted on the UTC
# clock would offer 09:30 local where the studio means 09:00.
KOLKATA = ZoneInfo("Asia/Kolkata")


@pytest.mark.parametrize("step_minutes", [20, 60])
def test_the_grid_is_counted_on_the_studios_clock_in_a_half_hour_zone(step_minutes):
    """In Kolkata, hours from 09:00 to 13:00 offer 09:00 local first and stay on its grid."""
    day = date(2026, 11, 24)
    work = working_intervals([WeeklyHours(day.weekday(), time(9), time(13))], [day], KOLKATA)
    assert work == [Interval(utc(2026, 11, 24, 3, 30), utc(2026, 11, 24, 7, 30))]
    slots = free_slots(
        therapists=[Resource(1, work=work)],
        rooms=[Resource(100)],
        duration=minutes(60),
        buffer=minutes(0),
        step=minutes(step_minutes),
        tz=KOLKATA,
        not_before=EARLIEST,
        not_after=LATEST,
    )
    local = [slot.start.astimezone(KOLKATA) for slot in slots]
    assert local[0].strftime("%H:%M") == "09:00"
    assert local[-1].strftime("%H:%M") == "12:00"
    assert len(local) == 180 // step_minutes + 1
    assert all((moment.hour * 60 + moment.minute) % step_minutes == 0 for moment in local)


def test_the_notice_is_rounded_up_to_the_next_start_of_the_studios_clock():
    """In Kolkata with an hourly grid, a notice ending at 10:07 local offers 11:00 local next."""
    day = date(2026, 11, 24)
    work = working_intervals([WeeklyHours(day.weekday(), time(9), time(13))], [day], KOLKATA)
    slots = free_slots(
        therapists=[Resource(1, work=work)],
        rooms=[Resource(100)],
        duration=minutes(60),
        buffer=minutes(0),
        step=minutes(60),
        tz=KOLKATA,
        not_before=datetime(2026, 11, 24, 10, 7, tzinfo=KOLKATA),
        not_after=LATEST,
    )
    assert [slot.start.astimezone(KOLKATA).hour for slot in slots] == [11, 12]
    assert all(slot.start.astimezone(KOLKATA).minute == 0 for slot in slots)


def test_a_repeated_wall_time_on_the_autumn_change_is_read_as_its_first_occurrence():
    """On 2026-10-25 Madrid lives 02:00–03:00 twice: hours that start or end at 02:30 mean the
    first 02:30 (CEST, 00:30 UTC), not the second (CET, 01:30 UTC)."""
    day = date(2026, 10, 25)
    assert day_work(day, time(2, 30), time(4)) == [
        Interval(utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 3))
    ]
    assert day_work(day, time(1), time(2, 30)) == [
        Interval(utc(2026, 10, 24, 23), utc(2026, 10, 25, 0, 30))
    ]
