"""Read-side queries for availability and bookings, each in a fixed number of queries."""

import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TypeVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import (
    BigIntegerField,
    Count,
    DateTimeField,
    ExpressionWrapper,
    F,
    Func,
    Q,
    QuerySet,
)
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language

from bookings.availability import (
    Interval,
    Lane,
    Slot,
    free_start_minutes,
    from_micros,
    from_minute,
    grid_runs,
    local_days,
    merge_pairs,
    micros,
    slot_minutes,
    subtract_pairs,
    utc_offsets,
)
from bookings.messages.links import intake_token_booking_id
from bookings.models import ACTIVE_STATUSES, Booking, BookingStatus, Client, WaitlistEntry
from studio.models import (
    Room,
    Service,
    ServiceLength,
    Studio,
    Therapist,
    TimeOff,
    WorkingHours,
)
from studio.selectors import keep_prefetched
from studio.timezones import local_day_bounds, studio_tz
from studio.translated import columns, in_language

# No session with its buffer lasts this long; the bookings query relies on it (see below).
LONGEST_BOOKING = timedelta(days=1)


@dataclass(frozen=True)
class Availability:
    slots: list[Slot]
    # Booked minutes per (local day, therapist id): "anyone" goes to the least booked.
    booked_minutes: dict[tuple[date, int], int]
    # The answer holds, with no write to the calendar, until this instant: then a hold
    # expires, the first start falls inside the minimum notice, or the horizon moves on.
    valid_until: datetime
    # The first start alone holds until this instant: a start the horizon brings in comes
    # after it. Equal to ``valid_until`` when there are no starts.
    first_valid_until: datetime
    # Holds past their expiry but not yet marked expired, on the therapists and rooms read,
    # in the window read (counted only when asked: ``availability(dead_holds=True)``). The
    # rule ignores them; the exclusion constraints still count them.
    dead_holds: int = 0


def _valid_until(
    *,
    now: datetime,
    first_start: datetime | None,
    hold_expiries: list[datetime],
    notice: timedelta,
    horizon_cut: bool,
) -> datetime:
    """Return when an availability computed at ``now`` may first change by itself."""
    moments = [expiry for expiry in hold_expiries if expiry > now]
    if first_start is not None:
        # A start is offered while now + notice <= start; the earliest goes first.
        moments.append(first_start - notice)
    if horizon_cut:
        # Starts lie on whole minutes, so none can enter the horizon before the next one.
        moments.append(now.replace(second=0, microsecond=0) + timedelta(minutes=1))
    return min(moments, default=now + timedelta(days=1))


def bookable_resources(
    *,
    service: Service,
    therapist: Therapist | None,
    therapists: Sequence[Therapist] | None = None,
    room_ids: Sequence[int] | None = None,
) -> tuple[list[int], list[int]]:
    """Return the ids of the active therapists (or the one named) and rooms for a service.

    In their models' order: the availability rule takes the first free room it meets.
    ``therapists`` are the service's active therapists in that order, when the caller has
    read them already (``kept_catalogue``): one query fewer. So are ``room_ids``, the ids
    of its active rooms in order.
    """
    if therapists is None:
        offered = Therapist.objects.filter(is_active=True, services=service)
        if therapist is not None:
            offered = offered.filter(pk=therapist.pk)
        therapist_ids = list(offered.values_list("pk", flat=True))
    else:
        therapist_ids = [t.pk for t in therapists if therapist is None or t.pk == therapist.pk]
    if room_ids is not None:
        return therapist_ids, list(room_ids)
    return (
        therapist_ids,
        list(service.rooms.filter(is_active=True).values_list("pk", flat=True)),
    )


def start_is_free(*, booking: Booking, now: datetime, studio: Studio | None = None) -> bool:
    """Return whether a booking's start could be held again now, with its therapist.

    The booking's own (run-out) hold does not count against it.
    """
    local_day = timezone.localdate(booking.start_at, studio_tz())
    result = availability(
        service=booking.service,
        length=booking.length,
        therapist=booking.therapist,
        first_day=local_day,
        days=1,
        now=now,
        studio=studio,
        exclude_booking_id=booking.pk,
        only_start=booking.start_at,
    )
    return any(slot.start == booking.start_at for slot in result.slots)


def availability(
    *,
    service: Service,
    length: ServiceLength,
    therapist: Therapist | None,
    first_day: date,
    days: int,
    now: datetime | None = None,
    studio: Studio | None = None,
    exclude_booking_id: int | None = None,
    enforce_notice: bool = True,
    complete: bool = True,
    resources: tuple[list[int], list[int]] | None = None,
    only_start: datetime | None = None,
    dead_holds: bool = False,
) -> Availability:
    """Return the free starts for a service length over some local days.

    Five queries whatever the number of bookings, therapists or days: therapists, their
    weekly hours, time off, suitable rooms, and the active bookings in the window. Pages
    that only show times read ``free_starts`` instead, or pass ``complete=False`` (see
    ``free_slots``). A write re-checks its one start under its locks with ``start_choices``
    (one query); this full read remains the reference that ``start_choices`` is tested
    against. Given ``resources`` (therapist and room ids read already) it saves two of the
    queries; given ``only_start`` the rule looks at that start alone rather than at every
    start of the days; with ``dead_holds`` the answer counts the holds past their expiry
    that are not yet marked expired, which the exclusion constraints would still meet.
    """
    calendar = _calendar(
        service=service,
        length=length,
        therapist=therapist,
        first_day=first_day,
        days=days,
        now=now,
        studio=studio,
        exclude_booking_id=exclude_booking_id,
        enforce_notice=enforce_notice,
        resources=resources,
        only_start=only_start,
        booked_minutes=True,
        dead_holds=dead_holds,
    )
    if calendar.empty:
        return Availability([], {}, calendar.nothing_until, calendar.nothing_until)
    duration = calendar.duration
    slots = [
        Slot(from_minute(start), from_minute(start + duration), therapist_ids, room_ids)
        for start, therapist_ids, room_ids in slot_minutes(
            therapists=calendar.therapists,
            rooms=calendar.rooms,
            duration=duration,
            buffer=calendar.buffer,
            step=calendar.step,
            complete=complete,
        )
    ]
    valid_until, first_valid_until = calendar.valid_until(slots[0].start if slots else None)
    return Availability(
        slots, calendar.booked_minutes, valid_until, first_valid_until, calendar.dead_holds
    )


@dataclass(frozen=True)
class FreeStarts:
    # Free starts in whole minutes since 1970-01-01 UTC, sorted (``availability.from_minute``).
    starts: list[int]
    # As ``Availability``'s.
    valid_until: datetime
    first_valid_until: datetime


def free_starts(
    *,
    service: Service,
    length: ServiceLength,
    therapist: Therapist | None,
    first_day: date,
    days: int,
    now: datetime | None = None,
    studio: Studio | None = None,
    exclude_booking_id: int | None = None,
    enforce_notice: bool = True,
    resources: tuple[list[int], list[int]] | None = None,
    catalogue_print: int | None = None,
) -> FreeStarts:
    """Return the free starts over some local days, without who or where: what pages show.

    The same starts as ``availability``, with no object made per start: a month of times is
    tens of thousands of candidate starts. One query whatever the number of bookings,
    therapists or days (``_calendar_in_one_query``): on the times page the round trips and the
    ORM's work per query cost more than the rule itself. With ``resources`` (a write's
    locked ids) it reads as ``availability`` does. With ``catalogue_print``, the catalogue
    the caller kept is checked in the same statement (``kept_catalogue``).
    """
    asked = {
        "service": service,
        "length": length,
        "therapist": therapist,
        "first_day": first_day,
        "days": days,
        "now": now,
        "studio": studio,
        "exclude_booking_id": exclude_booking_id,
        "enforce_notice": enforce_notice,
    }
    if resources is None:
        calendar = _calendar_in_one_query(**asked, catalogue_print=catalogue_print)
    else:
        calendar = _calendar(**asked, resources=resources, only_start=None, booked_minutes=False)
    if calendar.empty:
        return FreeStarts([], calendar.nothing_until, calendar.nothing_until)
    starts = free_start_minutes(
        therapists=calendar.therapists,
        rooms=calendar.rooms,
        duration=calendar.duration,
        buffer=calendar.buffer,
        step=calendar.step,
    )
    valid_until, first_valid_until = calendar.valid_until(
        from_minute(starts[0]) if starts else None
    )
    return FreeStarts(starts, valid_until, first_valid_until)


@dataclass(frozen=True)
class _Calendar:
    """What the availability rule needs to know of the days asked about, in whole minutes."""

    now: datetime
    notice: timedelta
    horizon_cut: bool
    therapists: list[Lane] = field(default_factory=list)
    rooms: list[Lane] = field(default_factory=list)
    duration: int = 0
    buffer: int = 0
    step: int = 0
    booked_minutes: dict[tuple[date, int], int] = field(default_factory=dict)
    hold_expiries: list[datetime] = field(default_factory=list)
    dead_holds: int = 0

    @property
    def empty(self) -> bool:
        return not self.therapists or not self.rooms

    @property
    def nothing_until(self) -> datetime:
        return self.now + timedelta(days=1)

    def valid_until(self, first_start: datetime | None) -> tuple[datetime, datetime]:
        """Return ``valid_until`` and ``first_valid_until`` for starts beginning at this one."""
        moments = {
            "now": self.now,
            "first_start": first_start,
            "hold_expiries": self.hold_expiries,
            "notice": self.notice,
        }
        valid_until = _valid_until(**moments, horizon_cut=self.horizon_cut)
        if first_start is None:
            return valid_until, valid_until
        return valid_until, _valid_until(**moments, horizon_cut=False)


def _booking_limits(studio: Studio, now: datetime, *, enforce_notice: bool):
    """Return the minimum notice in force (none for the front desk) and the horizon's end."""
    notice = timedelta(minutes=studio.min_notice_minutes if enforce_notice else 0)
    return notice, now + timedelta(days=studio.horizon_days)


def _calendar(
    *,
    service: Service,
    length: ServiceLength,
    therapist: Therapist | None,
    first_day: date,
    days: int,
    now: datetime | None,
    studio: Studio | None,
    exclude_booking_id: int | None,
    enforce_notice: bool,
    resources: tuple[list[int], list[int]] | None,
    only_start: datetime | None,
    booked_minutes: bool,
    dead_holds: bool = False,
) -> _Calendar:
    """Read the calendar of the days asked about as lanes of whole minutes (five queries)."""
    now = now or timezone.now()
    studio = studio or Studio.load()
    tz = studio_tz()
    window = Interval(*local_day_bounds(first_day, days))
    notice, horizon_end = _booking_limits(studio, now, enforce_notice=enforce_notice)
    horizon_cut = horizon_end < window.end

    therapist_ids, room_ids = resources or bookable_resources(service=service, therapist=therapist)
    if not therapist_ids or not room_ids:
        return _Calendar(now, notice, horizon_cut)

    busy = _busy(
        therapist_ids=therapist_ids,
        room_ids=room_ids,
        window=window,
        session=service.blocks(length),
        now=now,
        exclude_booking_id=exclude_booking_id,
        tz=tz,
        booked_minutes=booked_minutes,
        dead_holds=dead_holds,
    )
    work = _working_time(
        therapist_ids=therapist_ids, window=window, days=local_days(first_day, days), tz=tz
    )
    return _lanes(
        therapist_ids=therapist_ids,
        room_ids=room_ids,
        busy=busy,
        work=work,
        service=service,
        length=length,
        studio=studio,
        window=window,
        now=now,
        notice=notice,
        horizon_end=horizon_end,
        only_start=only_start,
        tz=tz,
    )


def _lanes(
    *,
    therapist_ids: list[int],
    room_ids: list[int],
    busy: "_Busy",
    work: dict[int, list[tuple[int, int]]],
    service: Service,
    length: ServiceLength,
    studio: Studio,
    window: Interval,
    now: datetime,
    notice: timedelta,
    horizon_end: datetime,
    only_start: datetime | None,
    tz: ZoneInfo,
) -> _Calendar:
    """Return the calendar of the days asked about from what was read of it."""
    horizon_cut = horizon_end < window.end
    duration, step = length.minutes, studio.slot_step_minutes
    offset = utc_offsets(tz)
    not_before = micros(max(window.start, now + notice, only_start or window.start))
    not_after = micros(min(window.end, horizon_end, only_start or window.end))
    # Therapists with the same working time (``_lay_work`` shares it) share their runs.
    laid: dict[int, list[tuple[int, int]]] = {}

    def runs(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
        found = laid.get(id(spans))
        if found is None:
            found = laid[id(spans)] = grid_runs(
                spans,
                duration=duration,
                step=step,
                not_before=not_before,
                not_after=not_after,
                utc_offset=offset,
            )
        return found

    return _Calendar(
        now,
        notice,
        horizon_cut,
        therapists=[Lane(pk, busy.therapists.get(pk, ()), runs(work[pk])) for pk in therapist_ids],
        rooms=[Lane(pk, busy.rooms.get(pk, ())) for pk in room_ids],
        duration=duration,
        buffer=service.buffer_minutes,
        step=step,
        booked_minutes=busy.booked_minutes,
        hold_expiries=busy.hold_expiries,
        dead_holds=busy.dead_holds,
    )


def _working_time(
    *, therapist_ids: list[int], window: Interval, days: list[date], tz: ZoneInfo
) -> dict[int, list[tuple[int, int]]]:
    """Return each therapist's working time over the days, their time off taken out.

    In microseconds since 1970 (UTC), merged, as ``working_intervals`` and ``subtract``
    would give it. Two queries: the weekly hours, and any time off that could touch the
    window's hours.
    """
    hours: dict[int, dict[int, list[tuple[time, time]]]] = defaultdict(lambda: defaultdict(list))
    for therapist_id, weekday, starts, ends in WorkingHours.objects.filter(
        therapist_id__in=therapist_ids
    ).values_list("therapist_id", "weekday", "starts", "ends"):
        hours[therapist_id][weekday].append((starts, ends))
    time_off = defaultdict(list)
    for therapist_id, start_at, end_at in TimeOff.objects.filter(
        therapist_id__in=therapist_ids,
        start_at__lt=window.end + TIME_OFF_MARGIN,
        end_at__gt=window.start,
    ).values_list("therapist_id", "start_at", "end_at"):
        time_off[therapist_id].append((micros(start_at), micros(end_at)))
    return _lay_work(therapist_ids=therapist_ids, hours=hours, time_off=time_off, days=days, tz=tz)


# Time off read around a window reaches a day past its end (as it always has).
TIME_OFF_MARGIN = timedelta(days=1)


def _lay_work(
    *,
    therapist_ids: list[int],
    hours: dict[int, dict[int, list[tuple[time, time]]]],
    time_off: dict[int, list[tuple[int, int]]],
    days: list[date],
    tz: ZoneInfo,
) -> dict[int, list[tuple[int, int]]]:
    """Return each therapist's weekly hours laid on the days, their time off taken out."""
    # Everyone's hours fall on the same few wall-clock times: each is laid on a day once.
    laid: dict[tuple[date, time], int] = {}

    def instant(day: date, at: time) -> int:
        found = laid.get((day, at))
        if found is None:
            # As ``working_intervals``: the first of two repeated wall times, and a time
            # skipped by a spring-forward change mapped past the gap.
            found = laid[(day, at)] = micros(datetime.combine(day, at, tzinfo=tz))
        return found

    # A studio's therapists often share their weekly hours: each set is laid once.
    by_hours: dict[tuple, list[tuple[int, int]]] = {}
    work = {}
    for pk in therapist_ids:
        weekly = hours.get(pk, {})
        key = tuple(sorted((weekday, tuple(sorted(spans))) for weekday, spans in weekly.items()))
        spans = by_hours.get(key)
        if spans is None:
            spans = []
            for day in days:
                for starts, ends in weekly.get(day.weekday(), ()):
                    start, end = instant(day, starts), instant(day, ends)
                    if start < end:
                        spans.append((start, end))
            spans = by_hours[key] = merge_pairs(spans)
        work[pk] = subtract_pairs(spans, time_off[pk]) if time_off.get(pk) else spans
    return work


class EpochMinute(Func):
    """An instant as whole minutes since 1970-01-01 UTC, rounded down (or up, ``up=True``).

    Read as an int, it costs nothing to load; a datetime column costs a parse per value.
    """

    output_field = BigIntegerField()

    def __init__(self, expression, *, up: bool = False):
        super().__init__(expression)
        self.up = up

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.get_source_expressions()[0])
        rounding = "CEIL" if self.up else "FLOOR"
        return f"{rounding}(date_part('epoch', {sql}) / 60)::bigint", params

    def as_sqlite(self, compiler, connection, **extra_context):
        # Django keeps an aware datetime as UTC text, "YYYY-MM-DD HH:MM:SS[.ffffff]";
        # strftime's whole seconds drop the fraction, which only rounding up needs back.
        sql, params = compiler.compile(self.get_source_expressions()[0])
        seconds = f"CAST(strftime(%s, {sql}) AS INTEGER)"
        if self.up:
            return (
                f"(({seconds} + 59 + (instr({sql}, '.') > 0)) / 60)",
                ("%s", *params, *params),
            )
        return f"({seconds} / 60)", ("%s", *params)

    def as_sql(self, compiler, connection, **extra_context):
        raise NotImplementedError("Calma runs on PostgreSQL or SQLite.")


@dataclass(frozen=True)
class _Busy:
    therapists: dict[int, list[tuple[int, int]]]
    rooms: dict[int, list[tuple[int, int]]]
    booked_minutes: dict[tuple[date, int], int]
    hold_expiries: list[datetime]
    dead_holds: int = 0


def _busy(
    *,
    therapist_ids: list[int],
    room_ids: list[int],
    window: Interval,
    session: timedelta,
    now: datetime,
    exclude_booking_id: int | None,
    tz: ZoneInfo,
    booked_minutes: bool = True,
    dead_holds: bool = False,
) -> _Busy:
    """Return the time the active bookings take from each therapist and room, in one query.

    Spans are whole minutes (``busy_minutes``). ``booked_minutes`` (the booked time per day
    and therapist, for choosing "anyone") is only counted when asked for. With
    ``dead_holds``, holds past their expiry are read too, counted and left out here rather
    than in SQL: a write learns from this read whether any is left to mark expired.
    """
    bookings = Booking.objects.filter(
        Q(therapist_id__in=therapist_ids) | Q(room_id__in=room_ids),
        status__in=ACTIVE_STATUSES,
        # A start s in the window meets a booking [a, blocked_until) when a < s + session
        # and s < blocked_until (its session includes the buffer, as blocked_until does).
        start_at__lt=window.end + session,
        blocked_until__gt=window.start,
        # Redundant for any booking shorter than a day with its buffer, but it bounds the
        # range read from the start_at index: without it every past booking is scanned.
        start_at__gt=window.start - LONGEST_BOOKING,
    )
    if not dead_holds:
        # A hold past its expiry no longer blocks anything, swept or not.
        bookings = bookings.exclude(status=BookingStatus.HELD, hold_expires_at__lte=now)
    if exclude_booking_id is not None:
        bookings = bookings.exclude(pk=exclude_booking_id)
    columns = [
        "therapist_id",
        "room_id",
        EpochMinute("start_at"),
        EpochMinute("blocked_until", up=True),
        "status",
        "hold_expires_at",
    ]
    if booked_minutes:
        columns += ["start_at", "end_at"]
    therapists = defaultdict(list)
    rooms = defaultdict(list)
    booked: dict[tuple[date, int], int] = defaultdict(int)
    hold_expiries = []
    held = BookingStatus.HELD
    dead = 0
    for row in bookings.values_list(*columns):
        therapist_id, room_id, start, end, status, expiry = row[:6]
        if status == held and expiry is not None and expiry <= now:
            dead += 1  # only read with ``dead_holds``: it blocks nothing, swept or not
            continue
        span = (start, end)
        therapists[therapist_id].append(span)
        rooms[room_id].append(span)
        if status == held:
            hold_expiries.append(expiry)
        if booked_minutes:
            start_at, end_at = row[6:]
            day = start_at.astimezone(tz).date()
            booked[(day, therapist_id)] += int((end_at - start_at).total_seconds() // 60)
    return _Busy(therapists, rooms, dict(booked), hold_expiries, dead)


# --- the picker's read: the whole calendar of some days in one statement -------------------
#
# The times page is the busiest page, and five ORM queries cost it more than the rule: each
# is built, compiled and sent on its own. ``_calendar_in_one_query`` reads the same rows
# (the five queries of ``_calendar``) in one UNION ALL of integer columns, with the
# therapists and rooms as common table expressions the other parts filter on. Instants
# come as whole minutes or microseconds since 1970 (UTC), times of day as microseconds
# since midnight, so no value is parsed in Python.

_THERAPISTS, _ROOMS, _HOURS, _TIME_OFF, _BOOKINGS, _PRINT = range(6)


def _sql_fragments(vendor: str) -> dict[str, str]:
    """Return the expressions that differ between PostgreSQL and SQLite, as templates."""
    if vendor == "postgresql":
        # ``date_part`` answers in double precision, ``EXTRACT`` in numeric: for every booking
        # row of a month, numeric arithmetic was a third of the statement's time. A double
        # is exact enough for whole minutes: an instant's seconds since 1970 carry its
        # microseconds with an error under a microsecond until 2106, so a minute boundary
        # (or one microsecond past it) is never misread (pinned by ``tests/bookings/
        # test_selectors.py::test_epoch_minutes_read_in_double_precision_are_exact``).
        # A time of day is exact too. An instant to the microsecond keeps ``EXTRACT``.
        return {
            "minute": "FLOOR(date_part('epoch', {0}) / 60)::bigint",
            "minute_up": "CEIL(date_part('epoch', {0}) / 60)::bigint",
            "micros": "(EXTRACT(EPOCH FROM {0}) * 1000000)::bigint",
            "time_micros": "(date_part('epoch', {0}) * 1000000)::bigint",
        }
    if vendor == "sqlite":
        # Django keeps an aware datetime as UTC text, "YYYY-MM-DD HH:MM:SS[.ffffff]", and a
        # time as "HH:MM:SS[.ffffff]" (see ``EpochMinute``).
        seconds = "CAST(strftime('%%s', {0}) AS INTEGER)"
        fraction = "CAST(substr({0} || '.000000', {1}, 6) AS INTEGER)"
        return {
            "minute": f"({seconds} / 60)",
            "minute_up": f"(({seconds} + 59 + (instr({{0}}, '.') > 0)) / 60)",
            "micros": f"({seconds} * 1000000 + {fraction.replace('{1}', '21')})",
            "time_micros": (
                "((CAST(substr({0}, 1, 2) AS INTEGER) * 3600"
                " + CAST(substr({0}, 4, 2) AS INTEGER) * 60"
                " + CAST(substr({0}, 7, 2) AS INTEGER)) * 1000000"
                f" + {fraction.replace('{1}', '10')})"
            ),
        }
    raise NotImplementedError("Calma runs on PostgreSQL or SQLite.")


_CALENDAR_SQL: dict[tuple[str, bool, bool, bool], str] = {}


def _calendar_sql(
    vendor: str, *, one_therapist: bool, excluding: bool, printed: bool = False
) -> str:
    """Return the statement ``_calendar_in_one_query`` runs, built once per shape.

    Its parameters, in order: service id, therapist id (with ``one_therapist``), service id,
    time off's end and start bounds, the held status, the active statuses, the bookings'
    three bounds, the held status and now, and the booking left out (with ``excluding``).
    With ``printed`` (PostgreSQL only) one more row carries the catalogue's print, read in
    the same snapshot as the calendar (``catalogue_print_sql``).
    """
    key = (vendor, one_therapist, excluding, printed)
    found = _CALENDAR_SQL.get(key)
    if found is not None:
        return found
    sql = _sql_fragments(vendor)
    minute, minute_up = sql["minute"].format, sql["minute_up"].format
    instant, time_of_day = sql["micros"].format, sql["time_micros"].format
    therapist_table = Therapist._meta.db_table
    offers = Therapist.services.through._meta.db_table
    room_table = Room._meta.db_table
    suits = Service.rooms.through._meta.db_table
    none = "CAST(NULL AS BIGINT)"
    statuses = ", ".join(["%s"] * len(ACTIVE_STATUSES))
    # The same rows, in the same order, as ``bookable_resources``, ``_working_time`` and
    # ``_busy``: the rooms' order decides which room a start names. Only table names and the
    # fragments above go into the text; every value is a parameter.
    statement = f"""
WITH therapists AS (
  SELECT t.id, ROW_NUMBER() OVER (ORDER BY t.display_name, t.id) AS position
  FROM {therapist_table} t JOIN {offers} o ON o.therapist_id = t.id
  WHERE t.is_active AND o.service_id = %s{" AND t.id = %s" if one_therapist else ""}
), rooms AS (
  SELECT r.id, ROW_NUMBER() OVER (ORDER BY r.name, r.id) AS position
  FROM {room_table} r JOIN {suits} s ON s.room_id = r.id
  WHERE r.is_active AND s.service_id = %s
)
SELECT {_THERAPISTS}, id, position, {none}, {none}, {none} FROM therapists
UNION ALL
SELECT {_ROOMS}, id, position, {none}, {none}, {none} FROM rooms
UNION ALL
SELECT {_HOURS}, h.therapist_id, h.weekday, {time_of_day("h.starts")}, {time_of_day("h.ends")},
  {none}
FROM {WorkingHours._meta.db_table} h WHERE h.therapist_id IN (SELECT id FROM therapists)
UNION ALL
SELECT {_TIME_OFF}, o.therapist_id, {instant("o.start_at")}, {instant("o.end_at")}, {none},
  {none}
FROM {TimeOff._meta.db_table} o
WHERE o.therapist_id IN (SELECT id FROM therapists) AND o.start_at < %s AND o.end_at > %s
UNION ALL
SELECT {_BOOKINGS}, b.therapist_id, b.room_id, {minute("b.start_at")},
  {minute_up("b.blocked_until")},
  CASE WHEN b.status = %s THEN {instant("b.hold_expires_at")} END
FROM {Booking._meta.db_table} b
WHERE (b.therapist_id IN (SELECT id FROM therapists) OR b.room_id IN (SELECT id FROM rooms))
  AND b.status IN ({statuses})
  AND b.start_at < %s AND b.blocked_until > %s AND b.start_at > %s
  AND NOT (b.status = %s AND b.hold_expires_at IS NOT NULL AND b.hold_expires_at <= %s)
  {"AND b.id <> %s" if excluding else ""}
"""  # noqa: S608
    if printed:
        # The print, padded to the statement's six columns.
        nulls = ", ".join([none] * 4)
        statement += f"UNION ALL\nSELECT {_PRINT}, {catalogue_print_sql()}, {nulls}\n"
    _CALENDAR_SQL[key] = statement
    return statement


def planned_once_cursor():
    """Return a cursor whose statements PostgreSQL may plan once per connection.

    Django's cursors bind parameters on the client, so PostgreSQL plans every statement
    anew: for the times page's two wide UNION statements, planning took about as long as
    running them. A cursor binding on the server lets psycopg prepare a statement after
    ``prepare_threshold`` runs of it (DATABASES OPTIONS, see settings), and PostgreSQL
    then reuses its plan. Only fixed-shape statements use it (the reads below, and the
    calendar locks' in ``bookings.services``); it is wrapped as Django wraps its own, so
    errors are Django's and tests count its queries.
    """
    if connection.vendor != "postgresql":
        return connection.cursor()
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.ensure_connection()
    with connection.wrap_database_errors:
        cursor = ServerBindingCursor(connection.connection)
    if connection.queries_logged:
        return connection.make_debug_cursor(cursor)
    return connection.make_cursor(cursor)


def _calendar_in_one_query(
    *,
    service: Service,
    length: ServiceLength,
    therapist: Therapist | None,
    first_day: date,
    days: int,
    now: datetime | None,
    studio: Studio | None,
    exclude_booking_id: int | None,
    enforce_notice: bool,
    catalogue_print: int | None = None,
) -> _Calendar:
    """Read the calendar of the days asked about as ``_calendar`` does, in one query.

    With ``catalogue_print`` (a kept catalogue's, ``kept_catalogue``), the same statement
    reads the catalogue's print now, and a different one raises ``CatalogueChanged``.
    """
    now = now or timezone.now()
    studio = studio or Studio.load()
    tz = studio_tz()
    window = Interval(*local_day_bounds(first_day, days))
    notice, horizon_end = _booking_limits(studio, now, enforce_notice=enforce_notice)
    session = service.blocks(length)

    adapt = connection.ops.adapt_datetimefield_value
    held = BookingStatus.HELD.value
    params: list = [service.pk]
    if therapist is not None:
        params.append(therapist.pk)
    params += [service.pk, adapt(window.end + TIME_OFF_MARGIN), adapt(window.start), held]
    params += [str(status) for status in ACTIVE_STATUSES]
    params += [
        adapt(window.end + session),
        adapt(window.start),
        # As ``_busy``: this bound only keeps the range read from the start_at index short.
        adapt(window.start - LONGEST_BOOKING),
        held,
        adapt(now),
    ]
    if exclude_booking_id is not None:
        params.append(exclude_booking_id)
    statement = _calendar_sql(
        connection.vendor,
        one_therapist=therapist is not None,
        excluding=exclude_booking_id is not None,
        printed=catalogue_print is not None,
    )
    therapist_rows: list[tuple[int, int]] = []
    room_rows: list[tuple[int, int]] = []
    hours: dict[int, dict[int, list[tuple[time, time]]]] = defaultdict(lambda: defaultdict(list))
    time_off: dict[int, list[tuple[int, int]]] = defaultdict(list)
    therapists_busy: dict[int, list[tuple[int, int]]] = defaultdict(list)
    rooms_busy: dict[int, list[tuple[int, int]]] = defaultdict(list)
    hold_expiries: list[datetime] = []
    with planned_once_cursor() as cursor:
        cursor.execute(statement, params)
        rows = cursor.fetchall()
    for kind, pk, first, second, third, fourth in rows:
        if kind == _BOOKINGS:
            span = (second, third)
            therapists_busy[pk].append(span)
            rooms_busy[first].append(span)
            if fourth is not None:
                hold_expiries.append(from_micros(fourth))
        elif kind == _HOURS:
            hours[pk][first].append((_time_of_day(second), _time_of_day(third)))
        elif kind == _TIME_OFF:
            time_off[pk].append((first, second))
        elif kind == _THERAPISTS:
            therapist_rows.append((first, pk))
        elif kind == _ROOMS:
            room_rows.append((first, pk))
        elif pk != catalogue_print:
            # Edited since it was kept: read again, whatever was read with it.
            raise catalogue_changed()
    therapist_ids = [pk for _position, pk in sorted(therapist_rows)]
    room_ids = [pk for _position, pk in sorted(room_rows)]
    if not therapist_ids or not room_ids:
        return _Calendar(now, notice, horizon_end < window.end)
    return _lanes(
        therapist_ids=therapist_ids,
        room_ids=room_ids,
        busy=_Busy(therapists_busy, rooms_busy, {}, hold_expiries),
        work=_lay_work(
            therapist_ids=therapist_ids,
            hours=hours,
            time_off=time_off,
            days=local_days(first_day, days),
            tz=tz,
        ),
        service=service,
        length=length,
        studio=studio,
        window=window,
        now=now,
        notice=notice,
        horizon_end=horizon_end,
        only_start=None,
        tz=tz,
    )


# --- a write's re-check: one start, in one statement -----------------------------------------
#
# A write under the calendar locks asks about one start only. ``start_choices`` reads what
# that start needs, in one statement: the chosen therapists' hours of its weekday, their time
# off around its day, the bookings that meet its session on the locked therapists and rooms
# (dead holds among them, if asked), and the booked minutes of its local day per therapist,
# which "anyone" goes by (``pick_therapist``).

_START_HOURS, _START_TIME_OFF, _START_BUSY, _START_BOOKED = range(4)


@dataclass(frozen=True)
class StartChoices:
    # The start, if free, with the therapists and rooms that could take it.
    slot: Slot | None
    # Booked minutes of the start's local day per therapist id (of the therapists read).
    booked_minutes: dict[int, int]
    # Holds past their expiry, not yet marked expired, that meet the start's session on the
    # therapists and rooms read (counted only when asked: ``dead_holds=True``).
    dead_holds: int = 0


_START_SQL: dict[tuple[str, int, int, bool, bool], str] = {}


def _start_sql(
    vendor: str,
    *,
    therapists: int,
    rooms: int,
    excluding: bool,
    dead_holds: bool,
) -> str:
    """Return the statement ``start_choices`` runs, built once per shape.

    Its parameters, in order: the therapist ids, the room ids and the active statuses (each
    once, as tables: few parameters keep the statement in psycopg's cache of parsed
    queries); the weekday; time off's end and start bounds; the held status and now, the
    session's three bounds, (without ``dead_holds``) the held status and now, and (with
    ``excluding``) the booking left out; the day's bounds, the held status and now, and the
    booking left out. (A hold from a kept catalogue reads the catalogue's print as it takes
    the calendar locks, before this: ``services._lock_calendar``.)
    """
    key = (vendor, therapists, rooms, excluding, dead_holds)
    found = _START_SQL.get(key)
    if found is not None:
        return found
    sql = _sql_fragments(vendor)
    minute, minute_up = sql["minute"].format, sql["minute_up"].format
    instant, time_of_day = sql["micros"].format, sql["time_micros"].format
    none = "CAST(NULL AS BIGINT)"

    def rows(count: int) -> str:
        return ", ".join(["(%s)"] * count)

    live = "NOT (b.status = %s AND b.hold_expires_at IS NOT NULL AND b.hold_expires_at <= %s)"
    other = "AND b.id <> %s" if excluding else ""
    bookings = Booking._meta.db_table
    # Only table names and the fragments above go into the text; every value is a parameter.
    statement = f"""
WITH therapists(id) AS (VALUES {rows(therapists)}),
rooms(id) AS (VALUES {rows(rooms)}),
statuses(status) AS (VALUES {rows(len(ACTIVE_STATUSES))})
SELECT {_START_HOURS}, h.therapist_id, {time_of_day("h.starts")}, {time_of_day("h.ends")},
  {none}, {none}
FROM {WorkingHours._meta.db_table} h
WHERE h.therapist_id IN (SELECT id FROM therapists) AND h.weekday = %s
UNION ALL
SELECT {_START_TIME_OFF}, o.therapist_id, {instant("o.start_at")}, {instant("o.end_at")},
  {none}, {none}
FROM {TimeOff._meta.db_table} o
WHERE o.therapist_id IN (SELECT id FROM therapists) AND o.start_at < %s AND o.end_at > %s
UNION ALL
SELECT {_START_BUSY}, b.therapist_id, b.room_id, {minute("b.start_at")},
  {minute_up("b.blocked_until")},
  CASE WHEN b.status = %s AND b.hold_expires_at <= %s THEN 1 ELSE 0 END
FROM {bookings} b
WHERE (b.therapist_id IN (SELECT id FROM therapists) OR b.room_id IN (SELECT id FROM rooms))
  AND b.status IN (SELECT status FROM statuses)
  AND b.start_at < %s AND b.blocked_until > %s AND b.start_at > %s
  {"" if dead_holds else "AND " + live} {other}
UNION ALL
SELECT {_START_BOOKED}, b.therapist_id, {instant("b.start_at")}, {instant("b.end_at")},
  {none}, {none}
FROM {bookings} b
WHERE b.therapist_id IN (SELECT id FROM therapists) AND b.status IN (SELECT status FROM statuses)
  AND b.start_at >= %s AND b.start_at < %s AND {live} {other}
"""  # noqa: S608
    # Stripped, so that a query log's first line is the statement's.
    _START_SQL[key] = statement = statement.strip()
    return statement


def start_choices(
    *,
    service: Service,
    length: ServiceLength,
    start_at: datetime,
    resources: tuple[list[int], list[int]],
    now: datetime | None = None,
    studio: Studio | None = None,
    exclude_booking_id: int | None = None,
    enforce_notice: bool = True,
    dead_holds: bool = False,
) -> StartChoices:
    """Return whether one start is free on these therapists and rooms, in one query.

    What ``availability(..., resources=resources, only_start=start_at)`` answers about that
    start over its local day, and the booked minutes of that day per therapist, read for a
    write under the calendar locks: only the bookings that meet the start's session are laid
    (a start is blocked by those alone), and only the hours of its weekday. With
    ``dead_holds``, holds past their expiry that meet the session are read, counted and left
    out, as in ``_busy``: exactly the ones the locked insert could meet.
    """
    now = now or timezone.now()
    studio = studio or Studio.load()
    tz = studio_tz()
    day = timezone.localtime(start_at, tz).date()
    window = Interval(*local_day_bounds(day, 1))
    notice, horizon_end = _booking_limits(studio, now, enforce_notice=enforce_notice)
    therapist_ids, room_ids = resources
    if not therapist_ids or not room_ids:
        return StartChoices(None, {})
    session = service.blocks(length)

    adapt = connection.ops.adapt_datetimefield_value
    held = BookingStatus.HELD.value
    statuses = [str(status) for status in ACTIVE_STATUSES]
    excluded = [] if exclude_booking_id is None else [exclude_booking_id]
    params: list = [*therapist_ids, *room_ids, *statuses, day.weekday()]
    params += [adapt(window.end + TIME_OFF_MARGIN), adapt(window.start), held, adapt(now)]
    # A booking [a, blocked_until) meets the session [s, s + session) when a < s + session
    # and s < blocked_until; the last bound only keeps the range read from the index short.
    params += [adapt(start_at + session), adapt(start_at), adapt(start_at - LONGEST_BOOKING)]
    if not dead_holds:
        params += [held, adapt(now)]
    params += excluded
    params += [adapt(window.start), adapt(window.end), held, adapt(now), *excluded]
    statement = _start_sql(
        connection.vendor,
        therapists=len(therapist_ids),
        rooms=len(room_ids),
        excluding=exclude_booking_id is not None,
        dead_holds=dead_holds,
    )
    # A fixed shape per count of ids: planned once per connection, as the times page's reads.
    with planned_once_cursor() as cursor:
        cursor.execute(statement, params)
        rows = cursor.fetchall()

    hours: dict[int, dict[int, list[tuple[time, time]]]] = defaultdict(lambda: defaultdict(list))
    time_off: dict[int, list[tuple[int, int]]] = defaultdict(list)
    therapists_busy: dict[int, list[tuple[int, int]]] = defaultdict(list)
    rooms_busy: dict[int, list[tuple[int, int]]] = defaultdict(list)
    booked: dict[int, int] = defaultdict(int)
    weekday = day.weekday()
    dead = 0
    for kind, pk, first, second, third, fourth in rows:
        if kind == _START_BUSY:
            if fourth:
                dead += 1  # only read with ``dead_holds``: it blocks nothing, swept or not
                continue
            span = (second, third)
            therapists_busy[pk].append(span)
            rooms_busy[first].append(span)
        elif kind == _START_BOOKED:
            # As ``_busy``: whole minutes of each booking, rounded down, then summed.
            booked[pk] += (second - first) // 60_000_000
        elif kind == _START_HOURS:
            hours[pk][weekday].append((_time_of_day(first), _time_of_day(second)))
        else:
            time_off[pk].append((first, second))
    calendar = _lanes(
        therapist_ids=therapist_ids,
        room_ids=room_ids,
        busy=_Busy(therapists_busy, rooms_busy, {}, [], dead),
        work=_lay_work(
            therapist_ids=therapist_ids, hours=hours, time_off=time_off, days=[day], tz=tz
        ),
        service=service,
        length=length,
        studio=studio,
        window=window,
        now=now,
        notice=notice,
        horizon_end=horizon_end,
        only_start=start_at,
        tz=tz,
    )
    slot = None
    for start, slot_therapists, slot_rooms in slot_minutes(
        therapists=calendar.therapists,
        rooms=calendar.rooms,
        duration=calendar.duration,
        buffer=calendar.buffer,
        step=calendar.step,
    ):
        if from_minute(start) == start_at:
            slot = Slot(
                from_minute(start),
                from_minute(start + calendar.duration),
                slot_therapists,
                slot_rooms,
            )
    return StartChoices(slot, dict(booked), dead)


_TIMES_OF_DAY: dict[int, time] = {}


def _time_of_day(value: int) -> time:
    """Return a time of day given in microseconds since midnight (memoised: a few exist)."""
    found = _TIMES_OF_DAY.get(value)
    if found is None:
        seconds, micro = divmod(value, 1_000_000)
        hour, minute, second = seconds // 3600, seconds // 60 % 60, seconds % 60
        found = _TIMES_OF_DAY[value] = time(hour, minute, second, micro)
    return found


# --- the times page's catalogue: the service, its lengths and therapists, and the studio ---


def _as_text(field, table: str) -> tuple[str, object]:
    """Return a column's SQL as text and the function that reads the text back.

    Every column of the statement below is text, so that rows of four models can share it.
    """
    column = f"{table}.{connection.ops.quote_name(field.column)}"
    kind = field.get_internal_type()
    if kind == "BooleanField":
        return f"CASE WHEN {column} THEN '1' WHEN NOT {column} THEN '0' END", "1".__eq__
    if kind in ("CharField", "SlugField", "TextField"):
        return f"CAST({column} AS TEXT)", str
    if kind == "DecimalField":
        places = Decimal(1).scaleb(-field.decimal_places)
        return f"CAST({column} AS TEXT)", lambda text: Decimal(text).quantize(places)
    if kind in (
        "AutoField",
        "BigAutoField",
        "ForeignKey",
        "OneToOneField",
        "IntegerField",
        "BigIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SmallIntegerField",
    ):
        return f"CAST({column} AS TEXT)", int
    raise NotImplementedError(f"{field} has no reading as text: add one here.")


_CATALOGUE: dict[tuple[str, bool, bool], tuple[str, dict]] = {}
# The kinds of the rows that carry the service's active rooms' ids (for the hold) and
# the catalogue's print (``kept_catalogue``).
_CATALOGUE_ROOMS, _CATALOGUE_PRINT = 4, 5
# What the times page and the hold read of the catalogue: the tables a kept catalogue's
# print covers.
_PRINTED = (
    Service,
    ServiceLength,
    Therapist,
    Therapist.services.through,
    Room,
    Service.rooms.through,
    Studio,
)


def catalogue_print_sql() -> str:
    """Return an expression (PostgreSQL) for a 64-bit print of the booking catalogue.

    Every row of the services, their lengths, the therapists, who offers what, the rooms,
    which suit what and the studio, by its id and the version PostgreSQL keeps of it, in id
    order: the print changes with any write to them, through the ORM or not (a queryset
    update, a data migration, the shell). Every write makes a new version of a row: a new
    ``xmin`` (the transaction that wrote it), and within one transaction a new ``cmin``
    (its command); a removed row takes its id away. A version is read, not the row cast to
    text: a few dozen rows whatever the history, and the print costs PostgreSQL about 0.07
    ms (0.28 cast to text). A write not yet committed, or rolled back, may change a version
    read: the catalogue is then read again, which is all a changed print costs.
    """
    rows = (
        "(SELECT string_agg(m.id || ':' || m.xmin || ':' || m.cmin, ',' ORDER BY m.id) FROM {} m)"
    )
    tables = [f"coalesce({rows.format(model._meta.db_table)}, '')" for model in _PRINTED]
    joined = " || '/' || ".join(tables)
    return f"('x' || substr(md5({joined}), 1, 16))::bit(64)::bigint"


def _catalogue_sql(*, rooms: bool = False, printed: bool = False) -> tuple[str, dict]:
    """Return the catalogue statement and, per model, its fields and readers (built once).

    With ``rooms``, the ids of the service's active rooms come too, as rows of their own;
    with ``printed`` (PostgreSQL only), the catalogue's print, as a row of its own.
    """
    found = _CATALOGUE.get((connection.vendor, rooms, printed))
    if found is not None:
        return found
    # Only table and column names, and the fragments of ``_as_text``, go into the text.
    service_table = Service._meta.db_table
    wanted = f"(SELECT s.id FROM {service_table} s WHERE s.is_active AND s.slug = %s)"  # noqa: S608
    offers = Therapist.services.through._meta.db_table
    # Each part: its model (as m), a join, its filter and its order (the model's, ids last).
    parts = (
        (Service, "", "m.is_active AND m.slug = %s", "m.id"),
        (ServiceLength, "", f"m.is_active AND m.service_id = {wanted}", "m.minutes, m.id"),
        (
            Therapist,
            f" JOIN {offers} o ON o.therapist_id = m.id",
            f"m.is_active AND o.service_id = {wanted}",
            "m.display_name, m.id",
        ),
        (Studio, "", "m.id = 1", "m.id"),
    )
    width = max(len(model._meta.concrete_fields) for model, *_rest in parts)
    selects = []
    readers = {}
    for kind, (model, join, where, order) in enumerate(parts):
        fields = model._meta.concrete_fields
        columns = [_as_text(field, "m") for field in fields]
        readers[kind] = (
            model,
            [field.attname for field in fields],
            [read for _sql, read in columns],
        )
        values = [sql for sql, _read in columns] + ["NULL"] * (width - len(fields))
        select = f"SELECT {kind}, ROW_NUMBER() OVER (ORDER BY {order}), {', '.join(values)}"
        table = model._meta.db_table
        selects.append(f"{select} FROM {table} m{join} WHERE {where}")
    if rooms:
        # In ``bookable_resources``' order (the rooms' own, ids last, as ``_calendar_sql``).
        suits = Service.rooms.through._meta.db_table
        padding = ", ".join(["NULL"] * (width - 1))
        order = "ROW_NUMBER() OVER (ORDER BY m.name, m.id)"
        table = Room._meta.db_table
        select = f"SELECT {_CATALOGUE_ROOMS}, {order}, CAST(m.id AS TEXT), {padding} FROM {table} m"  # noqa: S608
        join = f"JOIN {suits} o ON o.room_id = m.id"
        selects.append(f"{select} {join} WHERE m.is_active AND o.service_id = {wanted}")
    if printed:
        padding = ", ".join(["NULL"] * (width - 1))
        selects.append(
            f"SELECT {_CATALOGUE_PRINT}, 0, CAST({catalogue_print_sql()} AS TEXT), {padding}"
        )
    found = ("\nUNION ALL\n".join(selects), readers)
    _CATALOGUE[(connection.vendor, rooms, printed)] = found
    return found


class CatalogueChanged(Exception):
    """A kept catalogue was edited since it was kept: read it again (``kept_catalogue``)."""


def catalogue_changed() -> CatalogueChanged:
    """Drop every kept catalogue (a read found its print changed), and say so."""
    forget_catalogues()
    return CatalogueChanged()


@dataclass(frozen=True)
class KeptCatalogue:
    service: Service
    studio: Studio
    # The ids of the service's active rooms, in ``bookable_resources``' order (for the hold,
    # read with ``rooms``; empty without).
    room_ids: list[int]
    # The catalogue's print when it was read (``catalogue_print_sql``); None on SQLite,
    # where nothing is kept.
    print: int | None


# What a page or a hold works out from a kept catalogue (``checked_catalogue``).
T = TypeVar("T")

# The catalogue per service slug (and with its rooms or not), as this process last read it.
_KEPT: dict[tuple[str, bool], KeptCatalogue] = {}


def kept_catalogue(*, slug: str, rooms: bool = False) -> KeptCatalogue:
    """Return an active service with its lengths on offer and active therapists, and the studio.

    What ``studio.selectors.service_bookable`` and ``Studio.load`` return, read in one
    query: the times page, the busiest page, paid four round trips and four ORM queries'
    work for these few rows. An unknown or withdrawn service is a 404; a studio never saved
    is made by ``Studio.load``, as ever. With ``rooms`` (the hold), the ids of the service's
    active rooms come too, read before the hold's transaction rather than in it (see
    ``bookings.services.hold_create``); the hold checks the print in the statement that
    takes the calendar locks (``services._lock_calendar``), and a changed catalogue rolls
    it back.

    The catalogue changes a few times a year and the times page is read all day: on
    PostgreSQL it is read once per process with its print, and kept. The page's month read
    reads the print again in its own statement (``free_starts(catalogue_print=...)``):
    every page is still worked out from the catalogue as it is in that statement's
    snapshot, and an edit (through the ORM or not) raises ``CatalogueChanged`` there, drops
    every kept catalogue, and the page is worked out again from a fresh one. Nothing else
    is kept: a service that is not on offer is read (and refused) every time.
    """
    kept = _KEPT.get((slug, rooms))
    if kept is not None:
        # The request's studio from now on, as ``_catalogue`` keeps a studio it reads.
        Studio.keep(kept.studio)
        return kept
    kept = _catalogue(slug=slug, rooms=rooms, printed=connection.vendor == "postgresql")
    if kept.print is not None:
        _KEPT[(slug, rooms)] = kept
    return kept


def checked_catalogue(
    kept: KeptCatalogue, work: Callable[[KeptCatalogue], T], *, rooms: bool = False
) -> T:
    """Return ``work(kept)``; if its read finds the catalogue edited since, ``work`` again.

    The second time on a fresh read (kept again), and not checked: edits in a row cannot
    keep a page or a hold from being answered. ``rooms`` as for ``kept_catalogue``.
    """
    try:
        return work(kept)
    except CatalogueChanged:
        fresh = kept_catalogue(slug=kept.service.slug, rooms=rooms)
        return work(replace(fresh, print=None))


def forget_catalogues() -> None:
    """Drop every kept catalogue: the next times page or hold of each service reads it."""
    _KEPT.clear()


def _catalogue(*, slug: str, rooms: bool, printed: bool) -> KeptCatalogue:
    statement, readers = _catalogue_sql(rooms=rooms, printed=printed)
    with planned_once_cursor() as cursor:
        cursor.execute(statement, [slug] * (4 if rooms else 3))
        rows = cursor.fetchall()
    found: dict[int, list] = {kind: [] for kind in readers}
    room_ids = []
    print_ = None
    for kind, _position, *texts in sorted(rows, key=lambda row: (row[0], row[1])):
        if kind == _CATALOGUE_ROOMS:
            room_ids.append(int(texts[0]))
            continue
        if kind == _CATALOGUE_PRINT:
            print_ = int(texts[0])
            continue
        model, names, reads = readers[kind]
        values = [
            None if text is None else read(text)
            for read, text in zip(reads, texts[: len(reads)], strict=True)
        ]
        found[kind].append(model.from_db(connection.alias, names, values))
    if not found[0]:
        raise Http404("No service matches the given query.")
    service = found[0][0]
    keep_prefetched(service, "lengths", found[1])
    keep_prefetched(service, "therapists", found[2])
    if not found[3]:
        # Made now: the print read with the rows is not the catalogue's any more.
        return KeptCatalogue(service, Studio.load(), room_ids, None)
    # The request's studio from now on: a hold's service reads it again with ``load``.
    Studio.keep(found[3][0])
    return KeptCatalogue(service, found[3][0], room_ids, print_)


def manage_link_cutoff(*, now: datetime | None = None) -> datetime:
    """Return the instant before which a visit's end (or a link's reissue) no longer counts."""
    return (now or timezone.now()) - timedelta(days=settings.CALMA_MANAGE_LINK_DAYS)


def manage_link_expires_at(booking: Booking) -> datetime:
    """Return when a booking's manage link stops working (revocation aside)."""
    latest = max(booking.end_at, booking.manage_link_issued_at or booking.end_at)
    return latest + timedelta(days=settings.CALMA_MANAGE_LINK_DAYS)


def booking_for_manage(*, token: str, now: datetime | None = None) -> Booking | None:
    """Return the booking behind a live manage link, with what its page shows, or None.

    A link is dead once revoked by staff, or a while after the visit (see
    ``manage_link_expires_at``).
    """
    cutoff = manage_link_cutoff(now=now)
    return (
        Booking.objects.select_related("service", "length", "therapist", "room", "client")
        .filter(manage_token=token, manage_link_revoked_at__isnull=True)
        .filter(Q(end_at__gt=cutoff) | Q(manage_link_issued_at__gt=cutoff))
        .exclude(status__in=[BookingStatus.HELD, BookingStatus.EXPIRED, BookingStatus.STOPPED])
        .first()
    )


@dataclass(frozen=True, slots=True)
class CalendarColumn:
    """A therapist or a room as the calendar heads a column (or a week) with it."""

    pk: int
    name: str

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class CalendarBooking:
    """A booking as the calendar shows it, read as a tuple of the columns it needs.

    Building a model instance (and those of its service, length and client) per booking
    cost a day of 80 bookings more than its queries did.
    """

    pk: int
    public_id: uuid.UUID
    status: str
    start_at: datetime
    end_at: datetime
    therapist_id: int
    room_id: int
    # A shown booking's therapist and room are the calendar's columns; a stop has neither.
    therapist: CalendarColumn | None
    room: CalendarColumn | None
    client_name: str  # "" before the front desk knows who it is for
    service_name: str  # in the reader's language
    minutes: int
    screening_level: str
    client_confirmed_at: datetime | None
    no_shows_counted: int | None

    # The booking's own wording, read from the same fields.
    status_label = Booking.status_label
    desk_reason = Booking.desk_reason
    screening_label = Booking.screening_label


@dataclass(frozen=True)
class CalendarData:
    therapists: list[CalendarColumn]
    # Each therapist's weekly hours by their id: (weekday, starts, ends), in local time.
    hours: dict[int, list[tuple[int, time, time]]]
    rooms: list[CalendarColumn]
    bookings: list[CalendarBooking]
    time_off: list[TimeOff]
    stops: list[CalendarBooking]
    # With ``calendar_window(waiting_on=day)``: how many waitlist entries that day's dates
    # include (their weekdays not yet checked); None when not asked.
    waiting: int | None = None


# --- the staff calendar's read: a window of days in one statement ------------------------------
#
# The front desk's calendar is opened all day. Four ORM queries (therapists with their hours,
# rooms, bookings, time off) cost it more in building, compiling and planning than in
# running: ``calendar_window`` reads the same rows in one UNION ALL, planned once per
# connection on PostgreSQL (``planned_once_cursor``). Each part pads its row to the same
# columns: its kind, an id, eight integers (instants as microseconds since 1970, UTC; times
# of day as microseconds since midnight) and texts (names and statuses; a service's name in
# every content language). Orders that follow the database's collation (therapists' and
# rooms' names) come as positions, numbered by the database.

_CAL_THERAPIST, _CAL_ROOM, _CAL_BOOKING, _CAL_TIME_OFF, _CAL_WAITING = range(5)
# Every status the calendar shows: a lapsed hold and a screening's stop are not bookings.
CALENDAR_STATUSES = tuple(
    s.value for s in BookingStatus if s not in (BookingStatus.EXPIRED, BookingStatus.STOPPED)
)
_WINDOW_SQL: dict[tuple[str, int | None, int | None, bool], str] = {}


def _window_sql(
    vendor: str, *, therapists: int | None, rooms: int | None, waiting: bool = False
) -> str:
    """Return the statement ``calendar_window`` runs, built once per shape.

    ``therapists``/``rooms``: how many ids narrow what is shown, or None. Its parameters, in
    order: the shown statuses; the window's end, start and the start less a day (the
    bookings near it); the therapist ids and room ids that narrow the bookings; the window's
    end and start (time off); the therapist ids again; with ``waiting``, the waiting status
    and the day, twice (the waitlist entries that include it).
    """
    key = (vendor, therapists, rooms, waiting)
    found = _WINDOW_SQL.get(key)
    if found is not None:
        return found
    sql = _sql_fragments(vendor)
    instant, time_of_day = sql["micros"].format, sql["time_micros"].format
    names = columns("name")

    def pad(kind: int, ints: list[str], texts: list[str]) -> str:
        ints = ints + ["CAST(NULL AS BIGINT)"] * (9 - len(ints))
        texts = texts + ["CAST(NULL AS TEXT)"] * (4 + len(names) - len(texts))
        return f"SELECT {kind}, {', '.join(ints)}, {', '.join(texts)}"

    def among(column: str, count: int | None) -> str:
        return "" if count is None else f" AND {column} IN ({', '.join(['%s'] * count)})"

    booking, client = Booking._meta.db_table, Client._meta.db_table
    therapist, room = Therapist._meta.db_table, Room._meta.db_table
    service, length = Service._meta.db_table, ServiceLength._meta.db_table
    hours, time_off = WorkingHours._meta.db_table, TimeOff._meta.db_table
    statuses = ", ".join(["%s"] * len(CALENDAR_STATUSES))
    near_columns = ", ".join(
        f"b.{column}"
        for column in (
            *("id", "public_id", "status", "start_at", "end_at", "therapist_id", "room_id"),
            *("client_id", "service_id", "length_id", "screening_level", "no_shows_counted"),
            *("client_confirmed_at", "screening_stopped_at"),
        )
    )
    therapist_part = pad(
        _CAL_THERAPIST,
        ["t.id", "t.position", "h.weekday", time_of_day("h.starts"), time_of_day("h.ends")],
        ["t.display_name"],
    )
    room_part = pad(_CAL_ROOM, ["r.id", "ROW_NUMBER() OVER (ORDER BY r.name, r.id)"], ["r.name"])
    booking_part = pad(
        _CAL_BOOKING,
        [
            "b.id",
            instant("b.start_at"),
            instant("b.end_at"),
            "b.therapist_id",
            "b.room_id",
            "l.minutes",
            "b.no_shows_counted",
            instant("b.client_confirmed_at"),
            "CASE WHEN b.screening_stopped_at IS NULL THEN 0 ELSE 1 END",
        ],
        [
            "CAST(b.public_id AS TEXT)",
            "b.status",
            "c.name",
            "b.screening_level",
            *(f"s.{name}" for name in names),
        ],
    )
    time_off_part = pad(
        _CAL_TIME_OFF,
        ["o.id", "o.therapist_id", instant("o.start_at"), instant("o.end_at")],
        ["o.kind", "o.reason"],
    )
    # A therapist who left or a room taken out of use keeps its column while it has bookings
    # shown in the window, so none of them drops off the calendar. Only table names, column
    # names and the fragments above go into the text; every value is a parameter.
    statement = f"""
WITH near AS (
  SELECT {near_columns}, CASE WHEN b.status IN ({statuses}) THEN 1 ELSE 0 END AS shown
  FROM {booking} b
  WHERE b.start_at < %s AND b.end_at > %s AND b.start_at > %s
), t AS (
  SELECT t.id, t.display_name, ROW_NUMBER() OVER (ORDER BY t.display_name, t.id) AS position
  FROM {therapist} t
  WHERE t.is_active OR t.id IN (SELECT therapist_id FROM near WHERE shown = 1)
)
{therapist_part}
FROM t LEFT JOIN {hours} h ON h.therapist_id = t.id
UNION ALL
{room_part}
FROM {room} r
WHERE r.is_active OR r.id IN (SELECT room_id FROM near WHERE shown = 1)
UNION ALL
{booking_part}
FROM near b
JOIN {service} s ON s.id = b.service_id
JOIN {length} l ON l.id = b.length_id
LEFT JOIN {client} c ON c.id = b.client_id
WHERE (b.shown = 1 OR b.screening_stopped_at IS NOT NULL)
  {among("b.therapist_id", therapists)}{among("b.room_id", rooms)}
UNION ALL
{time_off_part}
FROM {time_off} o
WHERE o.start_at < %s AND o.end_at > %s{among("o.therapist_id", therapists)}
"""  # noqa: S608
    if waiting:
        waitlist = WaitlistEntry._meta.db_table
        statement += f"""UNION ALL
{pad(_CAL_WAITING, ["COUNT(*)"], [])}
FROM {waitlist} w WHERE w.status = %s AND w.first_day <= %s AND w.last_day >= %s
"""
    _WINDOW_SQL[key] = statement
    return statement


def calendar_window(
    *,
    start: datetime,
    end: datetime,
    therapist_ids: list[int] | None = None,
    room_ids: list[int] | None = None,
    waiting_on: date | None = None,
) -> CalendarData:
    """Return what a calendar shows between two instants, in one query.

    The lists of therapists and rooms are always complete (the calendar's pickers need
    them); ``therapist_ids``/``room_ids`` narrow the bookings, stops and time off shown.
    With ``waiting_on`` (a day), the same statement counts the waitlist entries whose
    dates include it (``CalendarData.waiting``): on a day nobody waits for, the day view
    does not ask for the waitlist (``waitlist.waiting_on``) at all.

    Bookings come with their service (named in the active language), length, client,
    therapist, room and the level of their newest screening (the booking's own field, never
    the answers). Screening stops are listed apart: staff see that an attempt was stopped,
    and when, but nothing more. Both come from a part that reads only the days around the
    window, whatever the history behind it: no booking lasts a day (``LONGEST_BOOKING``),
    and that lower bound lets the start_at index read the window alone, where end_at >
    start alone would scan every past booking.
    """
    adapt = connection.ops.adapt_datetimefield_value
    params: list = [*CALENDAR_STATUSES, adapt(end), adapt(start), adapt(start - LONGEST_BOOKING)]
    params += [*(therapist_ids or ()), *(room_ids or ()), adapt(end), adapt(start)]
    params += therapist_ids or ()
    if waiting_on is not None:
        day = connection.ops.adapt_datefield_value(waiting_on)
        params += [WaitlistEntry.Status.WAITING.value, day, day]
    statement = _window_sql(
        connection.vendor,
        therapists=None if therapist_ids is None else len(therapist_ids),
        rooms=None if room_ids is None else len(room_ids),
        waiting=waiting_on is not None,
    )
    with planned_once_cursor() as cursor:
        cursor.execute(statement, params)
        rows = cursor.fetchall()
    therapist_rows, room_rows, booking_rows, time_off = [], [], [], []
    hours: dict[int, list[tuple[int, time, time]]] = {}
    waiting = None
    for row in rows:
        kind = row[0]
        if kind == _CAL_BOOKING:
            booking_rows.append(row)
        elif kind == _CAL_WAITING:
            waiting = row[1]
        elif kind == _CAL_THERAPIST:
            _kind, pk, position, weekday, starts, ends, *_ints, name = row[:11]
            if pk not in hours:
                therapist_rows.append((position, CalendarColumn(pk, name)))
                hours[pk] = []
            if weekday is not None:
                hours[pk].append((weekday, _time_of_day(starts), _time_of_day(ends)))
        elif kind == _CAL_ROOM:
            room_rows.append((row[2], CalendarColumn(row[1], row[10])))
        else:
            _kind, pk, therapist_id, starts, ends, *_ints, off_kind, reason = row[:12]
            time_off.append(
                TimeOff(
                    pk=pk,
                    therapist_id=therapist_id,
                    kind=off_kind,
                    start_at=from_micros(starts),
                    end_at=from_micros(ends),
                    reason=reason,
                )
            )
    therapists = [column for _position, column in sorted(therapist_rows)]
    rooms = [column for _position, column in sorted(room_rows)]
    for weekly in hours.values():
        weekly.sort()
    time_off.sort(key=lambda off: (off.start_at, off.pk))
    # A shown booking's therapist and room are among the columns: the same instances serve.
    # (A stop shows neither, and its therapist may have left.) Services are named as
    # ``Service.name`` reads, in the reader's language.
    language = get_language()
    therapist_of = {therapist.pk: therapist for therapist in therapists}
    room_of = {room.pk: room for room in rooms}
    shown = set(CALENDAR_STATUSES)
    bookings, stops = [], []
    for (
        _kind,
        pk,
        starts,
        ends,
        therapist_id,
        room_id,
        minutes,
        no_shows,
        client_confirmed,
        stopped,
        public_id,
        status,
        client_name,
        level,
        *service_names,
    ) in sorted(booking_rows, key=lambda row: (row[2], row[1])):
        booking = CalendarBooking(
            pk=pk,
            public_id=uuid.UUID(public_id),
            status=status,
            start_at=from_micros(starts),
            end_at=from_micros(ends),
            therapist_id=therapist_id,
            room_id=room_id,
            therapist=therapist_of.get(therapist_id),
            room=room_of.get(room_id),
            client_name=client_name or "",
            service_name=in_language(service_names, language),
            minutes=minutes,
            screening_level=level,
            client_confirmed_at=None if client_confirmed is None else from_micros(client_confirmed),
            no_shows_counted=no_shows,
        )
        if status in shown:
            bookings.append(booking)
        if stopped:
            stops.append(booking)
    return CalendarData(
        therapists=therapists,
        hours=hours,
        rooms=rooms,
        bookings=bookings,
        time_off=time_off,
        stops=stops,
        waiting=waiting,
    )


def therapist_bookings(*, therapist: Therapist, start: datetime, end: datetime) -> list[Booking]:
    """Return a therapist's bookings in a window with what their day view shows."""
    return list(
        Booking.objects.filter(
            therapist=therapist,
            start_at__lt=end,
            end_at__gt=start,
        )
        .exclude(status__in=[BookingStatus.EXPIRED, BookingStatus.STOPPED])
        .select_related("service", "length", "client", "room")
        .order_by("start_at")
    )


def client_search(*, query: str, limit: int = 50):
    """Return clients whose name, email or phone contains the query, with their counts."""
    query = query.strip()
    if len(query) < 2:
        return Client.objects.none()
    return (
        Client.objects.filter(erased_at__isnull=True)
        .filter(Q(name__icontains=query) | Q(email__icontains=query) | Q(phone__icontains=query))
        .annotate(
            booking_count=Count("bookings", filter=Q(bookings__status__in=ACTIVE_STATUSES)),
        )
        .order_by("name")[:limit]
    )


def booking_awaiting_intake(*, token: str) -> Booking | None:
    """Return a front-desk booking still waiting for the client's health answers, or None.

    The token is the signed intake link (``messages.links.intake_token``), never the manage
    link: the front desk sees it, so it must not open the booking itself.
    """
    public_id = intake_token_booking_id(token)
    if public_id is None:
        return None
    try:
        public_id = uuid.UUID(public_id)
    except ValueError:
        return None
    return Booking.objects.filter(
        public_id=public_id,
        source=Booking.Source.PHONE,
        status=BookingStatus.HELD,
        hold_expires_at__gt=timezone.now(),
    ).first()


def booking_with_details() -> QuerySet[Booking]:
    """Return bookings with what every booking page shows: service, length, people, room."""
    return Booking.objects.select_related("service", "length", "therapist", "room", "client")


def decline_message(booking: Booking) -> str:
    """Return the therapist's message to the client of a declined booking, or ""."""
    if booking.status != BookingStatus.DECLINED:
        return ""
    review = booking.reviews.order_by("-decided_at").first()
    return review.message if review else ""


# A therapist's private feed: the last month and the next half year.
FEED_PAST = timedelta(days=30)
FEED_AHEAD = timedelta(days=180)


def therapist_feed_bookings(*, therapist: Therapist, now: datetime) -> QuerySet[Booking]:
    """Return the bookings a therapist's calendar feed lists (holds aside)."""
    return (
        Booking.objects.filter(
            therapist=therapist,
            start_at__gte=now - FEED_PAST,
            start_at__lte=now + FEED_AHEAD,
            status__in=ACTIVE_STATUSES,
        )
        .exclude(status=BookingStatus.HELD)
        .select_related("service", "length", "client", "room", "therapist")
    )


def booking_for_staff(*, public_id) -> Booking | None:
    """Return the booking a staff card shows, or None."""
    return booking_with_details().filter(public_id=public_id).first()


def client_for_staff(*, pk) -> Client | None:
    """Return a client the front desk may open (not erased), or None."""
    return Client.objects.filter(pk=pk, erased_at__isnull=True).first()


@dataclass(frozen=True)
class ClientHistory:
    upcoming: list[Booking]
    past: list[Booking]
    # Over the last 12 months (``COUNTED_OVER``), by the sessions' dates.
    cancelled: int
    cancelled_late: int  # inside the studio's cancellation window
    no_shows: int


# How far back a client's cancellations and no-shows are counted.
COUNTED_OVER = timedelta(days=365)


def client_history(*, client: Client, now: datetime) -> ClientHistory:
    """Return a client's bookings (upcoming and past) and their counts of the last year."""
    bookings = list(
        client.bookings.exclude(status=BookingStatus.EXPIRED)
        .select_related("service", "length", "therapist")
        .order_by("-start_at")
    )
    window = Studio.load().cancel_window
    cancelled = Q(status=BookingStatus.CANCELLED)
    counts = client.bookings.filter(start_at__gte=now - COUNTED_OVER).aggregate(
        cancelled=Count("pk", filter=cancelled),
        cancelled_late=Count(
            "pk",
            filter=cancelled
            & Q(
                cancelled_at__gt=ExpressionWrapper(
                    F("start_at") - window, output_field=DateTimeField()
                )
            ),
        ),
        no_shows=Count("pk", filter=Q(status=BookingStatus.NO_SHOW)),
    )
    return ClientHistory(
        upcoming=[b for b in bookings if b.start_at >= now and b.status in ACTIVE_STATUSES],
        past=[b for b in bookings if b.start_at < now or b.status not in ACTIVE_STATUSES],
        **counts,
    )


def no_shows_counted(*, client_id: int, now: datetime) -> int:
    """Return how many sessions the client missed over the counted period (``COUNTED_OVER``)."""
    return Booking.objects.filter(
        client_id=client_id,
        status=BookingStatus.NO_SHOW,
        start_at__gte=now - COUNTED_OVER,
        start_at__lt=now,
    ).count()


def therapist_time_off(*, therapist: Therapist, start: datetime, end: datetime) -> list[TimeOff]:
    """Return a therapist's time off that touches [start, end)."""
    return list(therapist.time_off.filter(start_at__lt=end, end_at__gt=start))
