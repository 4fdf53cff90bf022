"""Free start times, as a pure function over intervals: no ORM, no clock, no settings.

A start is free for a therapist when the session lies inside their working time (weekly
hours minus time off and blocks) and the session plus the service's buffer overlaps none of
their busy spans (other bookings, each already widened by its own buffer). A room is a
second resource: a suitable room must be free for the session plus buffer too.
"""

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
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


# --- the rule on whole minutes ------------------------------------------------------------
#
# The rule runs on integers: instants are whole minutes since 1970-01-01 UTC (microseconds
# where a part of a minute matters: working time, notice), and a resource's calendar is a few
# (start, end) pairs. Nothing is made per start but an int: the pages that show a month of
# times compute tens of thousands of candidate starts.

MINUTE = 60_000_000  # microseconds
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_ONE_MINUTE = timedelta(minutes=1)


def micros(moment: datetime) -> int:
    """Return an aware instant as microseconds since 1970-01-01 UTC."""
    return (moment - _EPOCH) // _MICROSECOND


def from_minute(minute: int) -> datetime:
    """Return the UTC instant of a whole minute since 1970-01-01 UTC."""
    return _EPOCH + timedelta(minutes=minute)


def from_micros(instant: int) -> datetime:
    """Return the UTC instant of a microsecond since 1970-01-01 UTC (the inverse of ``micros``)."""
    return _EPOCH + timedelta(microseconds=instant)


def busy_minutes(start_us: int, end_us: int) -> tuple[int, int]:
    """Return a busy span in microseconds as whole minutes, widened to the minutes it touches.

    Starts are whole minutes, so a start meets [start, end) exactly when it meets the widened
    span: nothing is lost by rounding outwards.
    """
    return start_us // MINUTE, -(-end_us // MINUTE)


def whole_minutes(length: timedelta) -> int:
    """Return a length of whole minutes as an int; a part of a minute is refused."""
    count, rest = divmod(length, _ONE_MINUTE)
    if rest:
        raise ValueError(f"{length} is not a whole number of minutes")
    return count


def utc_offsets(tz: ZoneInfo) -> Callable[[int], int]:
    """Return a function from an instant (microseconds) to the zone's offset there, memoised.

    The working spans of one day usually start at the same instant for everyone.
    """
    known: dict[int, int] = {}

    def offset(instant: int) -> int:
        found = known.get(instant)
        if found is None:
            moment = _EPOCH + timedelta(microseconds=instant)
            found = known[instant] = moment.astimezone(tz).utcoffset() // _MICROSECOND
        return found

    return offset


def merge_pairs(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Return (start, end) pairs sorted, with overlapping or touching ones joined."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def subtract_pairs(
    spans: Iterable[tuple[int, int]], removals: Iterable[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Return the parts of ``spans`` not covered by any of ``removals`` (as ``subtract``)."""
    cuts = merge_pairs(removals)
    result = []
    for span_start, span_end in merge_pairs(spans):
        start = span_start
        for cut_start, cut_end in cuts:
            if cut_end <= start or cut_start >= span_end:
                continue
            if cut_start > start:
                result.append((start, cut_start))
            start = max(start, cut_end)
            if start >= span_end:
                break
        if start < span_end:
            result.append((start, span_end))
    return result


def grid_runs(
    work: Iterable[tuple[int, int]],
    *,
    duration: int,
    step: int,
    not_before: int,
    not_after: int,
    utc_offset: Callable[[int], int],
) -> list[tuple[int, int]]:
    """Return the starts that fit in working time as runs (first, last) of whole minutes.

    ``work`` is merged working time in microseconds; a run's starts are ``first``,
    ``first + step``… up to ``last``. The grid is counted in wall-clock minutes from local
    midnight at the run's first instant, then walked in UTC: with a step that divides an
    hour, a one-hour DST shift keeps every start on the grid. ``not_before``/``not_after``
    (microseconds) bound the starts.
    """
    runs = []
    latest = not_after // MINUTE
    for start, end in work:
        first = start if start > not_before else not_before
        local = first + utc_offset(first)
        offset = -((local // MINUTE) % 1440) % step
        if offset == 0 and local % MINUTE:
            offset = step
        first_start = first // MINUTE + offset
        last_start = min(end // MINUTE - duration, latest)
        if first_start <= last_start:
            runs.append((first_start, last_start))
    return runs


@dataclass(frozen=True, slots=True)
class Lane:
    """One therapist's or room's calendar in whole minutes.

    ``busy`` holds (start, end) spans in any order; ``runs`` the starts that fit in working
    time (``grid_runs``). A room has no runs: it is never what limits the hours.
    """

    id: int
    busy: Sequence[tuple[int, int]] = ()
    runs: Sequence[tuple[int, int]] = ()


def _blocked(busy: Iterable[tuple[int, int]], reach: int) -> tuple[list[int], list[int]]:
    """Return the starts that busy spans rule out, as sorted disjoint ranges [low, high).

    A start s meets [a, b) when a < s + reach and s < b: s lies in [a - reach + 1, b).
    """
    lows: list[int] = []
    highs: list[int] = []
    for start, end in sorted(busy):
        low = start - reach + 1
        if low >= end:
            continue
        if highs and low <= highs[-1]:
            if end > highs[-1]:
                highs[-1] = end
        else:
            lows.append(low)
            highs.append(end)
    return lows, highs


def _intersect(
    first: tuple[list[int], list[int]], second: tuple[list[int], list[int]]
) -> tuple[list[int], list[int]]:
    """Return the ranges two sets of sorted disjoint ranges have in common."""
    (lows_a, highs_a), (lows_b, highs_b) = first, second
    lows: list[int] = []
    highs: list[int] = []
    count_a, count_b = len(lows_a), len(lows_b)
    i = j = 0
    # The loop of every "anyone" page, once per room: no call to max or min in it.
    while i < count_a and j < count_b:
        low_a, high_a, low_b, high_b = lows_a[i], highs_a[i], lows_b[j], highs_b[j]
        low = low_a if low_a > low_b else low_b
        high = high_a if high_a < high_b else high_b
        if low < high:
            lows.append(low)
            highs.append(high)
        if high_a < high_b:
            i += 1
        else:
            j += 1
    return lows, highs


def _free_ranges(
    runs: Iterable[tuple[int, int]], lows: list[int], highs: list[int], step: int
) -> list[range]:
    """Return the starts of the runs that no blocked range holds, as ranges on the grid."""
    found = []
    count = len(lows)
    for first, last in runs:
        position, end = first, last + 1
        index = bisect_right(highs, position)
        while position < end:
            while index < count and highs[index] <= position:
                index += 1
            if index < count and lows[index] <= position:
                # Blocked: go on from the first start of the grid past the range.
                position += -(-(highs[index] - position) // step) * step
                continue
            stop = lows[index] if index < count and lows[index] < end else end
            found.append(range(position, stop, step))
            position += -(-(stop - position) // step) * step
    return found


def _is_free(lows: list[int], highs: list[int], start: int) -> bool:
    index = bisect_right(highs, start)
    return index == len(lows) or lows[index] > start


def _union(ranges: list[range], step: int) -> list[int]:
    """Return the starts of ranges with a common step, sorted, each once.

    "Anyone" offers the same starts as many therapists: ranges on one grid (same step, same
    start modulo the step) are joined before any start is made, so each start is made once.
    """
    grids: dict[int, list[tuple[int, int]]] = {}
    for free in ranges:
        if free:
            grids.setdefault(free.start % step, []).append((free.start, free[-1]))
    found: list[list[int]] = []
    for spans in grids.values():
        spans.sort()
        starts: list[int] = []
        first, last = spans[0]
        for start, end in spans[1:]:
            if start <= last + step:
                if end > last:
                    last = end
            else:
                starts.extend(range(first, last + 1, step))
                first, last = start, end
        starts.extend(range(first, last + 1, step))
        found.append(starts)
    if len(found) == 1:
        return found[0]
    # Grids that differ (a DST change with a step that does not divide an hour) interleave.
    return sorted({start for starts in found for start in starts})


def _blocked_for_all(lanes: Sequence[Lane], reach: int) -> tuple[list[int], list[int]]:
    """Return the starts that every lane's busy spans rule out, as ``_blocked`` does.

    The lanes with the fewest bookings come first: the ranges all share shrink soonest, and
    a lane with none ends it.
    """
    by_bookings = sorted(lanes, key=lambda lane: len(lane.busy))
    blocked = _blocked(by_bookings[0].busy, reach)
    for lane in by_bookings[1:]:
        if not blocked[0]:
            break
        blocked = _intersect(blocked, _blocked(lane.busy, reach))
    return blocked


def free_start_minutes(
    *, therapists: Sequence[Lane], rooms: Sequence[Lane], duration: int, buffer: int, step: int
) -> list[int]:
    """Return the free starts, sorted, with no word of who or where: what a page shows.

    A start is free when one therapist can take it (``runs``) and is free for the session
    plus buffer, and one room is free for as long. The same starts as ``slot_minutes``.
    """
    if duration <= 0 or step <= 0 or not therapists or not rooms:
        return []
    reach = duration + buffer
    # Therapists with the same working time are free at a start when any one of them is:
    # their free starts are those runs less the starts every one of them has blocked. The
    # runs are walked once per working time, not once per therapist, and the union joins
    # a few ranges rather than one set per therapist.
    same_hours: dict[tuple[tuple[int, int], ...], list[Lane]] = {}
    for therapist in therapists:
        same_hours.setdefault(tuple(therapist.runs), []).append(therapist)
    ordered = _union(
        [
            free
            for runs, group in same_hours.items()
            for free in _free_ranges(runs, *_blocked_for_all(group, reach), step)
        ],
        step,
    )
    # Where every room is taken, no therapist's free start counts.
    lows, highs = _blocked_for_all(rooms, reach)
    if not lows:
        return ordered
    kept: list[int] = []
    done = 0
    for low, high in zip(lows, highs, strict=True):
        taken = bisect_left(ordered, low, done)
        kept.extend(ordered[done:taken])
        done = bisect_left(ordered, high, taken)
    kept.extend(ordered[done:])
    return kept


def slot_minutes(
    *,
    therapists: Sequence[Lane],
    rooms: Sequence[Lane],
    duration: int,
    buffer: int,
    step: int,
    complete: bool = True,
) -> list[tuple[int, tuple[int, ...], tuple[int, ...]]]:
    """Return every free start as (start, therapist ids, room ids), all in whole minutes.

    Therapist ids are sorted; room ids follow ``rooms``. With ``complete=False`` a start
    names only the first therapist of ``therapists`` free for it (see ``free_slots``).
    """
    if duration <= 0 or step <= 0 or not therapists or not rooms:
        return []
    reach = duration + buffer
    candidates: dict[int, list[int]] = {}
    for therapist in therapists:
        pk = therapist.id
        for free in _free_ranges(therapist.runs, *_blocked(therapist.busy, reach), step):
            for start in free:
                found = candidates.get(start)
                if found is None:
                    candidates[start] = [pk]
                elif complete:
                    found.append(pk)
    room_blocks = [(room.id, *_blocked(room.busy, reach)) for room in rooms]
    slots = []
    for start in sorted(candidates):
        free_rooms = tuple(pk for pk, lows, highs in room_blocks if _is_free(lows, highs, start))
        if free_rooms:
            slots.append((start, tuple(sorted(candidates[start])), free_rooms))
    return slots


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
    the time to a client, not to assign it (booking asks again, completely). Starts lie on
    whole minutes of the studio's clock; ``duration``, ``buffer`` and ``step`` are whole
    minutes (``ValueError`` otherwise).
    """
    if duration <= timedelta(0) or step <= timedelta(0) or not therapists or not rooms:
        return []
    minutes = whole_minutes(duration)
    therapist_lanes, room_lanes = lanes(
        therapists=therapists,
        rooms=rooms,
        duration=duration,
        step=step,
        tz=tz,
        not_before=not_before,
        not_after=not_after,
    )
    found = slot_minutes(
        therapists=therapist_lanes,
        rooms=room_lanes,
        duration=minutes,
        buffer=whole_minutes(buffer),
        step=whole_minutes(step),
        complete=complete,
    )
    return [
        Slot(from_minute(start), from_minute(start + minutes), therapist_ids, room_ids)
        for start, therapist_ids, room_ids in found
    ]


def lanes(
    *,
    therapists: Sequence[Resource],
    rooms: Sequence[Resource],
    duration: timedelta,
    step: timedelta,
    tz: ZoneInfo,
    not_before: datetime,
    not_after: datetime,
) -> tuple[list[Lane], list[Lane]]:
    """Return therapists and rooms given in datetimes as lanes of whole minutes."""
    minutes, step_minutes = whole_minutes(duration), whole_minutes(step)
    offset = utc_offsets(tz)
    earliest, latest = micros(not_before), micros(not_after)

    def busy(resource: Resource) -> list[tuple[int, int]]:
        return [busy_minutes(micros(span.start), micros(span.end)) for span in resource.busy]

    def runs(resource: Resource) -> list[tuple[int, int]]:
        return grid_runs(
            [(micros(span.start), micros(span.end)) for span in merge(resource.work or ())],
            duration=minutes,
            step=step_minutes,
            not_before=earliest,
            not_after=latest,
            utc_offset=offset,
        )

    return (
        [Lane(therapist.id, busy(therapist), runs(therapist)) for therapist in therapists],
        [Lane(room.id, busy(room)) for room in rooms],
    )


def pick_therapist(therapist_ids: Sequence[int], booked_minutes: Mapping[int, int]) -> int:
    """Return the therapist with the least booked time that day; ties go to the lowest id."""
    return min(therapist_ids, key=lambda pk: (booked_minutes.get(pk, 0), pk))
