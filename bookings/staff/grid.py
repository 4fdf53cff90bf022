"""Lay bookings and blocked time out on a day grid: pure arithmetic, no ORM.

The grid has one row per ``step`` minutes between the opening and closing hour (studio
local time) and one column per therapist, room or day. Each item becomes a block with the
grid lines it spans, so a template can place it with CSS grid. Rows follow the wall clock,
so a day when the clocks change still reads 09:00, 09:15, …
"""

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Item:
    column: int  # 0-based
    day: date  # the local day this column shows
    start: datetime
    end: datetime
    payload: Any
    kind: str  # "booking", "time_off" or "block"


@dataclass(frozen=True)
class Block:
    column: int  # 1-based, after the time column
    row_start: int  # 1-based grid line
    row_end: int
    item: Any
    kind: str


@dataclass(frozen=True)
class Grid:
    rows: list[tuple[int, time]]  # (grid line, local time) for every row
    blocks: list[Block]
    columns: int


def _minutes(at: time) -> int:
    return at.hour * 60 + at.minute


def day_grid(
    *,
    tz: ZoneInfo,
    columns: int,
    items: list[Item],
    opens: time = time(8),
    closes: time = time(21),
    step: int = 15,
) -> Grid:
    """Return rows and placed blocks; items are clipped to the opening hours of their day."""
    span = max(step, _minutes(closes) - _minutes(opens))
    row_count = span // step
    rows = [
        (index + 1, time(*divmod(_minutes(opens) + index * step, 60))) for index in range(row_count)
    ]
    blocks = []
    for item in items:
        day_open = datetime.combine(item.day, opens, tzinfo=tz)
        day_close = datetime.combine(item.day, closes, tzinfo=tz)
        if item.end <= day_open or item.start >= day_close:
            continue
        first = max(item.start, day_open).astimezone(tz)
        last = min(item.end, day_close).astimezone(tz)
        start_minutes = _minutes(first.time()) - _minutes(opens)
        end_minutes = span if last == day_close else _minutes(last.time()) - _minutes(opens)
        row_start = start_minutes // step + 1
        row_end = max(row_start + 1, -(-end_minutes // step) + 1)
        blocks.append(Block(item.column + 1, row_start, row_end, item.payload, item.kind))
    return Grid(rows=rows, blocks=blocks, columns=columns)


def closed_items(
    *,
    column: int,
    day: date,
    hours: list[tuple[time, time]],
    tz: ZoneInfo,
    opens: time,
    closes: time,
) -> list[Item]:
    """Return the times of a day outside someone's working hours, as items to shade.

    ``hours`` are that day's working intervals (local wall times); what the grid shows
    between ``opens`` and ``closes`` and they do not cover is closed.
    """
    closed, cursor = [], opens
    for starts, ends in sorted(hours):
        if starts > cursor:
            closed.append((cursor, min(starts, closes)))
        cursor = max(cursor, ends)
    if cursor < closes:
        closed.append((cursor, closes))
    return [
        Item(
            column,
            day,
            datetime.combine(day, starts, tzinfo=tz),
            datetime.combine(day, ends, tzinfo=tz),
            None,
            "closed",
        )
        for starts, ends in closed
        if starts < ends
    ]
