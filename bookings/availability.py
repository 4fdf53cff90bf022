"""Free start times, as a pure function over intervals: no ORM, no clock, no settings.

A start is free for a therapist when the session lies inside their working time (weekly
hours minus time off and blocks) and the session plus the service's buffer overlaps none of
their busy spans (other bookings, each already widened by its own buffer). A room is a
second resource: a suitable room must be free for the session plus buffer too.
"""

from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True, order=True)
class Interval:
    """A half-open span of time [start, end) in UTC."""

    start: datetime
    end: datetime

    def overlaps(self, other: "Interval") -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class WeeklyHours:
    """A weekly stretch of work in the studio's local wall-clock time (0 is Monday)."""

    weekday: int
    starts: time
    ends: time


@dataclass(frozen=True)
class Resource:
    """What is known of one therapist or room for the days asked about."""

    id: int
    busy: Sequence[Interval] = ()
    # Working time; None for a resource that is always available (a room).
    work: Sequence[Interval] | None = None


@dataclass(frozen=True)
class Slot:
    """A free start, with who and where could take it."""

    start: datetime
    end: datetime
    therapist_ids: tuple[int, ...]
    room_ids: tuple[int, ...] = field(default=())


def local_days(first: date, count: int) -> list[date]:
    return [first + timedelta(days=offset) for offset in range(count)]


def _local_to_utc(day: date, at: time, tz: ZoneInfo) -> datetime:
    # fold=0 takes the first of two repeated wall times, and a time skipped by a spring-forward
    # change is mapped past the gap by the UTC round trip.
    local = datetime.combine(day, at, tzinfo=tz)
    return local.astimezone(UTC)


def working_intervals(
    hours: Iterable[WeeklyHours], days: Iterable[date], tz: ZoneInfo
) -> list[Interval]:
    """Return the weekly hours laid on the given local days, as sorted UTC intervals."""
    by_weekday: dict[int, list[WeeklyHours]] = {}
    for item in hours:
        by_weekday.setdefault(item.weekday, []).append(item)
    intervals = []
    for day in days:
        for item in by_weekday.get(day.weekday(), ()):
            start = _local_to_utc(day, item.starts, tz)
            end = _local_to_utc(day, item.ends, tz)
            if start < end:
                intervals.append(Interval(start, end))
    return merge(intervals)


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Return the intervals sorted, with overlapping or touching ones joined."""
    merged: list[Interval] = []
    for interval in sorted(intervals):
        if merged and interval.start <= merged[-1].end:
            if interval.end > merged[-1].end:
                merged[-1] = Interval(merged[-1].start, interval.end)
        else:
            merged.append(interval)
    return merged


def subtract(intervals: Iterable[Interval], removals: Iterable[Interval]) -> list[Interval]:
    """Return the parts of ``intervals`` not covered by any of ``removals``."""
    cuts = merge(removals)
    result = []
    for interval in merge(intervals):
        start = interval.start
        for cut in cuts:
            if cut.end <= start or cut.start >= interval.end:
                continue
            if cut.start > start:
                result.append(Interval(start, cut.start))
            start = max(start, cut.end)
            if start >= interval.end:
                break
        if start < interval.end:
            result.append(Interval(start, interval.end))
    return result


class _BusyIndex:
    """Answer "is [start, end) free?" over sorted, merged busy spans in O(log n)."""

    def __init__(self, busy: Iterable[Interval]):
        self._spans = merge(busy)
        self._ends = [span.end for span in self._spans]

    def is_free(self, start: datetime, end: datetime) -> bool:
        # The first span that ends after ``start`` is the only one that can overlap first.
        index = bisect_left(self._ends, start)
        while index < len(self._spans) and self._ends[index] == start:
            index += 1
        return index >= len(self._spans) or self._spans[index].start >= end


def _grid_starts(
    span: Interval, *, step: timedelta, tz: ZoneInfo, not_before: datetime
) -> Iterable[datetime]:
    """Yield starts inside ``span`` on the local clock's grid (e.g. :00, :15, :30, :45).

    The grid is counted in wall-clock minutes from local midnight, and then walked in UTC:
    with a step that divides an hour, a one-hour DST shift keeps every start on the grid.
    """
    first = max(span.start, not_before)
    local = first.astimezone(tz)
    step_minutes = step // timedelta(minutes=1)
    minute_of_day = local.hour * 60 + local.minute
    offset = (-minute_of_day) % step_minutes
    if offset == 0 and (local.second or local.microsecond):
        offset = step_minutes
    start = first.astimezone(UTC).replace(second=0, microsecond=0) + timedelta(minutes=offset)
    while start < span.end:
        yield start
        start += step


def free_slots(
    *,
    therapists: Sequence[Resource],
    rooms: Sequence[Resource],
    duration: timedelta,
    buffer: timedelta,
    step: timedelta,
    tz: ZoneInfo,
    not_before: datetime,
    not_after: datetime,
    complete: bool = True,
) -> list[Slot]:
    """Return every free start, each with the therapists and rooms that could take it.

    ``therapists`` carry their working time (``work``) and busy spans; ``rooms`` carry busy
    spans only. A start is offered when at least one therapist and one room are free.
    ``not_before``/``not_after`` bound the start (minimum notice and horizon). With
    ``complete=False`` a start lists only the first free therapist found: enough to show
    the time to a client, not to assign it (booking asks again, completely).
    """
    if duration <= timedelta(0) or step <= timedelta(0) or not therapists or not rooms:
        return []
    room_index = [(room.id, _BusyIndex(room.busy)) for room in rooms]
    candidates: dict[datetime, list[int]] = {}
    for therapist in therapists:
        busy = _BusyIndex(therapist.busy)
        for span in merge(therapist.work or ()):
            for start in _grid_starts(span, step=step, tz=tz, not_before=not_before):
                if start > not_after:
                    break
                end = start + duration
                if end > span.end:
                    break
                if not complete and start in candidates:
                    continue
                if busy.is_free(start, end + buffer):
                    candidates.setdefault(start, []).append(therapist.id)
    slots = []
    for start in sorted(candidates):
        end = start + duration
        free_rooms = tuple(
            room_id for room_id, index in room_index if index.is_free(start, end + buffer)
        )
        if free_rooms:
            slots.append(Slot(start, end, tuple(sorted(candidates[start])), free_rooms))
    return slots


def pick_therapist(therapist_ids: Sequence[int], booked_minutes: Mapping[int, int]) -> int:
    """Return the therapist with the least booked time that day; ties go to the lowest id."""
    return min(therapist_ids, key=lambda pk: (booked_minutes.get(pk, 0), pk))
