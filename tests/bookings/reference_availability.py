"""The availability rule as it was written first, on datetimes: the reference for the fast one.

``bookings.availability.free_slots`` works on whole minutes; this is the earlier, plainer
walk over datetimes, kept verbatim so that a property test can check that both offer the
same slots on any input (see ``test_availability_reference.py``).
"""

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bookings.availability import Interval, Resource, Slot, merge


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
