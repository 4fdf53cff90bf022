"""The fast availability rule (whole minutes) offers exactly what the reference rule does.

``tests/bookings/reference_availability.py`` keeps the first, plainer version of
``free_slots`` that walked datetimes. On random calendars, with time zones whose offsets are
whole and half hours (and one of 5:45), steps that do and do not divide an hour, DST days,
spans that start or end inside a minute and empty spans, both must give the same slots, and
``free_start_minutes`` (what the picker reads) the same starts.
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bookings.availability import (
    Interval,
    Resource,
    free_slots,
    free_start_minutes,
    lanes,
    micros,
)
from tests.bookings.reference_availability import free_slots as reference_free_slots

ZONES = [
    ZoneInfo("Europe/Madrid"),
    ZoneInfo("Asia/Kolkata"),
    ZoneInfo("Asia/Kathmandu"),
    ZoneInfo("America/St_Johns"),
    ZoneInfo("UTC"),
]
# Around both 2026 DST changes in Madrid and in St John's, and an ordinary week.
BASES = [
    datetime(2026, 3, 28, tzinfo=UTC),
    datetime(2026, 3, 7, tzinfo=UTC),
    datetime(2026, 10, 24, tzinfo=UTC),
    datetime(2026, 10, 31, tzinfo=UTC),
    datetime(2026, 11, 23, tzinfo=UTC),
]
SPAN_SECONDS = 3 * 24 * 3600


@st.composite
def calendars(draw):
    """Draw therapists, rooms and a request, with instants down to the microsecond."""
    base = draw(st.sampled_from(BASES))
    rough = draw(st.booleans())

    def instant() -> datetime:
        if rough:
            return base + timedelta(
                seconds=draw(st.integers(0, SPAN_SECONDS)),
                microseconds=draw(st.sampled_from([0, 0, 1, 500_000, 999_999])),
            )
        return base + timedelta(minutes=5 * draw(st.integers(0, SPAN_SECONDS // 300)))

    def intervals(count: tuple[int, int], longest: int) -> list[Interval]:
        found = []
        for _ in range(draw(st.integers(*count))):
            start = instant()
            length = timedelta(minutes=draw(st.integers(0, longest)))
            if rough:
                length += timedelta(seconds=draw(st.integers(0, 59)))
            found.append(Interval(start, start + length))
        return found

    # Often every therapist keeps the same hours, as in most studios: "anyone" then works
    # out their free starts together (``free_start_minutes``).
    shared = intervals((0, 4), 720) if draw(st.booleans()) else None
    therapists = [
        Resource(
            pk,
            busy=intervals((0, 8), 240),
            work=list(shared) if shared is not None else intervals((0, 4), 720),
        )
        for pk in draw(st.permutations(range(1, draw(st.integers(1, 4)) + 1)))
    ]
    rooms = [
        Resource(pk, busy=intervals((0, 8), 240))
        for pk in range(101, draw(st.integers(1, 3)) + 101)
    ]
    not_before = instant()
    return {
        "therapists": therapists,
        "rooms": rooms,
        "duration": timedelta(minutes=draw(st.sampled_from([5, 30, 45, 60, 90]))),
        "buffer": timedelta(minutes=draw(st.integers(0, 30))),
        "step": timedelta(minutes=draw(st.sampled_from([5, 7, 10, 15, 20, 25, 30, 60]))),
        "tz": draw(st.sampled_from(ZONES)),
        "not_before": not_before,
        "not_after": not_before + timedelta(minutes=draw(st.integers(0, SPAN_SECONDS // 60))),
    }


EQUIVALENCE = settings(max_examples=600, deadline=None)


@EQUIVALENCE
@given(calendars(), st.booleans())
def test_the_fast_rule_offers_exactly_the_reference_slots(case, complete):
    """Offer the same starts, therapists and rooms as the reference, complete or not."""
    assert free_slots(**case, complete=complete) == reference_free_slots(**case, complete=complete)


@EQUIVALENCE
@given(calendars())
def test_the_free_starts_a_page_shows_are_the_reference_starts(case):
    """``free_start_minutes`` lists exactly the starts of the reference's slots."""
    therapists, rooms = lanes(
        therapists=case["therapists"],
        rooms=case["rooms"],
        duration=case["duration"],
        step=case["step"],
        tz=case["tz"],
        not_before=case["not_before"],
        not_after=case["not_after"],
    )
    starts = free_start_minutes(
        therapists=therapists,
        rooms=rooms,
        duration=case["duration"] // timedelta(minutes=1),
        buffer=case["buffer"] // timedelta(minutes=1),
        step=case["step"] // timedelta(minutes=1),
    )
    expected = [micros(slot.start) // 60_000_000 for slot in reference_free_slots(**case)]
    assert starts == expected
