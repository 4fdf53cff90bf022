"""The free-time picker: a month where days with free times stand out, and one day's times.

Clients choose a time with it, reschedule with it, and pick another when a hold ran out.
It is server-rendered: every day with free times is a link and every time a submit
button, so it works without JavaScript; htmx swaps it in place and ``static/js/picker.js``
adds the arrow keys of the WAI-ARIA grid pattern.

The month is read in one query (``selectors.free_starts``); the chosen day is the one
asked for, else the month's first day with a free time.
"""

import calendar
from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from django.utils import timezone
from django.utils.dates import MONTHS, WEEKDAYS, WEEKDAYS_ABBR
from django.utils.formats import date_format
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from bookings import selectors
from bookings.availability import MINUTE, from_minute, micros
from studio.models import Service, ServiceLength, Studio, Therapist
from studio.timezones import studio_tz

# A day's times, grouped as people think of a day. Hours are local and the end is excluded.
PERIODS = (
    ("morning", _("Morning"), 0, 12),
    ("afternoon", _("Afternoon"), 12, 17),
    ("evening", _("Evening"), 17, 24),
)
# The index in PERIODS of each hour's period.
PERIOD_OF_HOUR = [
    next(index for index, period in enumerate(PERIODS) if period[2] <= hour < period[3])
    for hour in range(24)
]


class PickerDay(NamedTuple):
    # A tuple: the month's grid makes 35 to 42 of them a page.
    day: date
    in_month: bool
    # Inside the booking window (today to the horizon) and in the month shown.
    bookable: bool
    free: int
    selected: bool
    is_today: bool
    # "Thursday 10 December, 12 free times": the accessible name of a day with free times,
    # or of today; "" for the other days, which show their number alone.
    label: str
    iso: str  # "2026-12-10", as links name the day


@dataclass(frozen=True)
class Period:
    key: str
    label: str
    # (value posted, "HH:MM") pairs, formatted once here: a day can hold many.
    slots: list[tuple[str, str]]


@dataclass(frozen=True)
class PickerWeek:
    days: list[PickerDay]
    # The week of the chosen day: the one a phone shows until the whole month is asked for.
    current: bool


@dataclass
class Picker:
    month: date  # the first day of the month shown
    weeks: list[PickerWeek]
    weekday_names: list[str]
    day: date | None  # the day whose times are shown
    day_label: str
    periods: list[Period]
    previous_month: date | None
    next_month: date | None
    # The first free day after this month, when this month has none.
    next_free: date | None
    # The first free day after the chosen one (in this month or later), for "next available".
    next_available: date | None
    # When the picker may change with no write to the calendar (see ``times_cache``).
    valid_until: datetime

    # What links and headings show of the dates above, so that templates format none:
    # "desembre del 2026" (the month, as the language writes one), "2026-11" and
    # "2026-12-10" (as the addresses name months and days), "Thursday 10 December"; "" for
    # a date that is None.

    @property
    def month_label(self) -> str:
        return date_format(self.month, "YEAR_MONTH_FORMAT")

    @property
    def day_iso(self) -> str:
        return _iso(self.day)

    @property
    def previous_month_value(self) -> str:
        return _month_value(self.previous_month)

    @property
    def next_month_value(self) -> str:
        return _month_value(self.next_month)

    @property
    def next_free_iso(self) -> str:
        return _iso(self.next_free)

    @property
    def next_free_label(self) -> str:
        return _label(self.next_free)

    @property
    def next_available_iso(self) -> str:
        return _iso(self.next_available)

    @property
    def next_available_label(self) -> str:
        return _label(self.next_available)


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def _month_value(month: date | None) -> str:
    return f"{month:%Y-%m}" if month else ""


def _label(day: date | None) -> str:
    return _DayNames()(day) if day else ""


def parse_day(value: str | None) -> date | None:
    """Return the day a ``YYYY-MM-DD`` parameter names, or None if it names none."""
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        return None


def parse_month(value: str | None) -> date | None:
    """Return the first day of the month a ``YYYY-MM`` parameter names, or None."""
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        return None


def _first_of_month(day: date) -> date:
    return day.replace(day=1)


def _month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def _add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def free_time_picker(
    *,
    service: Service,
    length: ServiceLength,
    therapist: Therapist | None,
    day: date | None = None,
    month: date | None = None,
    now: datetime | None = None,
    studio: Studio | None = None,
    exclude_booking_id: int | None = None,
    enforce_notice: bool = True,
    catalogue_print: int | None = None,
) -> Picker:
    """Return the month of free days and the chosen day's times for a service length.

    A day asked for outside the booking window, or a month outside it, falls back to the
    nearest one inside it; nothing asked for shows the first free day and its month.
    The front desk passes ``enforce_notice=False``: on the phone, the minimum notice
    does not apply (see ``services.hold_create``). ``catalogue_print`` is a kept
    catalogue's, checked by every read (``selectors.kept_catalogue``).
    """
    now = now or timezone.now()
    studio = studio or Studio.load()
    tz = studio_tz()
    today = timezone.localdate(now, tz)
    last_day = timezone.localdate(now + timedelta(days=studio.horizon_days), tz)
    if day is not None and not today <= day <= last_day:
        day = None
    asked = day is not None or month is not None
    if day is not None:
        month = _first_of_month(day)
    month = min(
        max(month or _first_of_month(today), _first_of_month(today)), _first_of_month(last_day)
    )
    first, last = max(month, today), min(_month_end(month), last_day)

    def read(first_day: date, days: int) -> selectors.FreeStarts:
        return selectors.free_starts(
            service=service,
            length=length,
            therapist=therapist,
            first_day=first_day,
            days=days,
            now=now,
            studio=studio,
            exclude_booking_id=exclude_booking_id,
            enforce_notice=enforce_notice,
            catalogue_print=catalogue_print,
        )

    result = read(first, (last - first).days + 1)
    # The starts are whole minutes, sorted: each day's are those between two local midnights.
    starts = result.starts
    free: dict[date, int] = {}
    bounds: dict[date, tuple[int, int]] = {}
    done = 0
    current = first
    while current <= last and done < len(starts):
        midnight = _midnight_minute(current + timedelta(days=1), tz)
        ends = bisect_left(starts, midnight, done)
        if ends > done:
            free[current] = ends - done
            bounds[current] = (done, ends)
        done = ends
        current += timedelta(days=1)
    valid_until = result.valid_until
    if day is None or not first <= day <= last:
        day = min(free, default=None)

    next_free = None
    next_available = next((other for other in free if day and other > day), None)
    if next_available is None and last < last_day:
        # Only the first later start is read out: the horizon moving on cannot change it.
        later = read(last + timedelta(days=1), (last_day - last).days)
        valid_until = min(valid_until, later.first_valid_until)
        if later.starts:
            next_available = timezone.localtime(from_minute(later.starts[0]), tz).date()
            if not free:
                if not asked:
                    # Nothing left this month: open on the first free day instead.
                    return free_time_picker(
                        service=service,
                        length=length,
                        therapist=therapist,
                        day=next_available,
                        now=now,
                        studio=studio,
                        exclude_booking_id=exclude_booking_id,
                        enforce_notice=enforce_notice,
                        catalogue_print=catalogue_print,
                    )
                next_free = next_available

    start_of_grid = month - timedelta(days=month.weekday())
    end_of_grid = _month_end(month) + timedelta(days=6 - _month_end(month).weekday())
    rows: list[list[PickerDay]] = []
    current = start_of_grid
    names = _DayNames()
    plurals: dict[int, str] = {}
    while current <= end_of_grid:
        count = free.get(current, 0)
        if current.weekday() == 0:
            rows.append([])
        in_month = current.month == month.month
        bookable = in_month and first <= current <= last
        is_today = current == today
        rows[-1].append(
            PickerDay(
                day=current,
                in_month=in_month,
                bookable=bookable,
                free=count,
                selected=current == day,
                is_today=is_today,
                label=(
                    _day_label(names(current), count, today=is_today, plurals=plurals)
                    if (bookable and count) or is_today
                    else ""
                ),
                iso=current.isoformat(),
            )
        )
        current += timedelta(days=1)
    weeks = [PickerWeek(row, any(cell.selected for cell in row)) for row in rows]

    # The chosen day's times alone are made datetimes, and formatted once, here.
    shown = (
        [timezone.localtime(from_minute(start), tz) for start in starts[slice(*bounds[day])]]
        if day in bounds
        else []
    )
    slots_by_period: list[list[tuple[str, str]]] = [[] for _ in PERIODS]
    for local in shown:
        slots_by_period[PERIOD_OF_HOUR[local.hour]].append(
            (local.isoformat(), f"{local.hour:02}:{local.minute:02}")
        )
    periods = [
        Period(key, str(label), slots)
        for (key, label, _earliest, _latest), slots in zip(PERIODS, slots_by_period, strict=True)
        if slots
    ]

    return Picker(
        month=month,
        weeks=weeks,
        weekday_names=list(_names().weekdays_abbr),
        day=day,
        day_label=names(day) if day else "",
        periods=periods,
        previous_month=_add_months(month, -1) if month > _first_of_month(today) else None,
        next_month=_add_months(month, 1) if month < _first_of_month(last_day) else None,
        next_free=next_free,
        next_available=next_available,
        valid_until=valid_until,
    )


def from_request(
    data: Mapping[str, str],
    *,
    service: Service,
    length: ServiceLength,
    therapist: Therapist | None,
    now: datetime,
    day_alias: str,
    studio: Studio | None = None,
    exclude_booking_id: int | None = None,
    enforce_notice: bool = True,
    catalogue_print: int | None = None,
) -> Picker:
    """Return the picker for the day or month that request data (GET or a dict) asks for.

    The day is read from ``day``, else from ``day_alias``, the name other links give it
    (``week`` in the client's old links, ``date`` in the front desk's calendar); the month
    from ``month``. The rest is passed to ``free_time_picker`` as is.
    """
    return free_time_picker(
        service=service,
        length=length,
        therapist=therapist,
        day=parse_day(data.get("day") or data.get(day_alias)),
        month=parse_month(data.get("month")),
        now=now,
        studio=studio,
        exclude_booking_id=exclude_booking_id,
        enforce_notice=enforce_notice,
        catalogue_print=catalogue_print,
    )


class _Names(NamedTuple):
    weekdays: tuple[str, ...]  # Monday first
    weekdays_abbr: tuple[str, ...]
    months: tuple[str, ...]  # January at 1


# Django's names of weekdays and months in each language, read from the catalogue once per
# process, as Django keeps each language's formats (``formats.get_format``): a page names
# up to forty days. A translation of them edited under the development server shows once it
# restarts.
_NAMES: dict[str | None, _Names] = {}


def _names() -> _Names:
    language = get_language()
    found = _NAMES.get(language)
    if found is None:
        found = _NAMES[language] = _Names(
            tuple(str(WEEKDAYS[index]) for index in range(7)),
            tuple(str(WEEKDAYS_ABBR[index]) for index in range(7)),
            ("", *(str(MONTHS[index]) for index in range(1, 13))),
        )
    return found


class _DayNames:
    """Name days as ``date_format(day, "l j F")`` does, in the language of the request."""

    def __init__(self):
        names = _names()
        self._weekdays, self._months = names.weekdays, names.months

    def __call__(self, day: date) -> str:
        return f"{self._weekdays[day.weekday()]} {day.day} {self._months[day.month]}"


def _midnight_minute(day: date, tz) -> int:
    """Return local midnight at the start of a day as a whole minute since 1970 (UTC)."""
    return micros(datetime.combine(day, time(0), tzinfo=tz)) // MINUTE


def _day_label(named: str, free: int, *, today: bool, plurals: dict[int, str]) -> str:
    """Return a day link's accessible name; ``plurals`` keeps each count's translated form."""
    if today:
        named = _("%(day)s (today)") % {"day": named}
    if not free:
        return named
    plural = plurals.get(free)
    if plural is None:
        plural = plurals[free] = ngettext(
            "%(day)s, %(count)s free time", "%(day)s, %(count)s free times", free
        )
    return plural % {"day": named, "count": free}
