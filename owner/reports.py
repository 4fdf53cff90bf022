"""The owner's figures: today at a glance, and reports over a range of days.

Every report is read in a fixed number of queries whatever the history: PostgreSQL counts
and sums, grouped by what the report breaks its figures down by, and Python only lays out
the rows. Reports count; none reads a health answer. The screening report gives levels and
decisions as numbers, and only the owner sees it or any money (``studio.permissions``).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import (
    Avg,
    Count,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import ExtractIsoWeekDay, TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bookings.availability import (
    Interval,
    WeeklyHours,
    local_days,
    merge,
    subtract,
    working_intervals,
)
from bookings.models import Booking, BookingStatus, Client, ScreeningLevel
from intake.models import Review
from studio.models import Room, Service, Studio, Therapist, TimeOff, WorkingHours
from studio.timezones import local_day_bounds, studio_tz

# Bookings that stood: made, and not a hold that lapsed or a screening that stopped them.
MADE = (
    BookingStatus.AWAITING_REVIEW,
    BookingStatus.AWAITING_DESK,
    BookingStatus.CONFIRMED,
    BookingStatus.ON_HOLD,
    BookingStatus.ARRIVED,
    BookingStatus.COMPLETED,
    BookingStatus.NO_SHOW,
    BookingStatus.CANCELLED,
    BookingStatus.DECLINED,
)
# Sessions that take (or took) the therapist's time, and earn their price.
SESSIONS = (
    BookingStatus.CONFIRMED,
    BookingStatus.ARRIVED,
    BookingStatus.COMPLETED,
)
# Booked time on the calendar today: sessions, and bookings still being decided.
ON_THE_CALENDAR = (
    *SESSIONS,
    BookingStatus.AWAITING_REVIEW,
    BookingStatus.AWAITING_DESK,
    BookingStatus.ON_HOLD,
)
COMES_BACK_WITHIN = timedelta(weeks=8)


@dataclass(frozen=True)
class Period:
    first: date
    last: date  # included

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        return local_day_bounds(self.first, (self.last - self.first).days + 1)

    @property
    def days(self) -> list[date]:
        return local_days(self.first, (self.last - self.first).days + 1)


@dataclass
class Report:
    """A table and the chart drawn from one of its columns."""

    key: str
    title: str
    columns: list[str]  # the first names the rows
    rows: list[tuple[str, list]] = field(default_factory=list)
    chart_column: int = 0  # index into each row's values
    money: tuple[int, ...] = ()  # value columns that are euros
    percent: tuple[int, ...] = ()  # value columns that are shares (0–100)
    note: str = ""

    @property
    def chart(self) -> list[tuple[str, object]]:
        """The (label, value) pairs the chart draws: its column of the table, as is."""
        return [(label, values[self.chart_column]) for label, values in self.rows]

    @property
    def summary(self) -> str:
        """The chart in words: its largest and smallest bars, for screen readers and print."""
        bars = [(label, value) for label, value in self.chart if value]
        if not bars:
            return _("Nothing to show for these days.")
        top = max(bars, key=lambda bar: float(bar[1]))
        low = min(bars, key=lambda bar: float(bar[1]))
        name = self.columns[self.chart_column + 1]
        return _("%(column)s: highest %(top)s (%(top_value)s), lowest %(low)s (%(low_value)s).") % {
            "column": name,
            "top": top[0],
            "top_value": self.shown(self.chart_column, top[1]),
            "low": low[0],
            "low_value": self.shown(self.chart_column, low[1]),
        }

    def shown(self, column: int, value) -> str:
        """Return a value as the table writes it."""
        if value is None:
            return "—"
        if column in self.money:
            return f"{Decimal(value):.2f} €"
        if column in self.percent:
            return f"{float(value):.1f} %"
        if isinstance(value, float):
            return f"{value:.1f}"
        return str(value)


def _working_time(period: Period, *, only_active: bool = False) -> dict[int, list[Interval]]:
    """Return each therapist's working time over the period's days, with time off removed.

    Two queries: the weekly hours (of the weekdays the period holds) and the time off that
    overlaps it. Only therapists with weekly hours on those weekdays have an entry.
    """
    tz = studio_tz()
    start, end = period.bounds
    days = period.days
    hours = defaultdict(list)
    weekly = WorkingHours.objects.filter(weekday__in={day.weekday() for day in days})
    if only_active:
        weekly = weekly.filter(therapist__is_active=True)
    for therapist_id, weekday, starts, ends in weekly.values_list(
        "therapist_id", "weekday", "starts", "ends"
    ):
        hours[therapist_id].append(WeeklyHours(weekday, starts, ends))
    off = defaultdict(list)
    for therapist_id, off_start, off_end in TimeOff.objects.filter(
        start_at__lt=end, end_at__gt=start
    ).values_list("therapist_id", "start_at", "end_at"):
        off[therapist_id].append(Interval(off_start, off_end))
    return {
        therapist_id: subtract(working_intervals(weekly_hours, days, tz), off[therapist_id])
        for therapist_id, weekly_hours in hours.items()
    }


# --- today at a glance -----------------------------------------------------------------------


@dataclass(frozen=True)
class FreeTime:
    therapist: str
    minutes: int


@dataclass(frozen=True)
class Today:
    sessions_today: int
    sessions_week: int
    free: list[FreeTime]
    reviews_waiting: int
    reviews_overdue: int
    rescreen_stops: int
    no_shows_today: int
    no_shows_week: int
    # Bookings past the no-show limit, still to be confirmed by the front desk.
    desk_waiting: int


def today_figures(*, now: datetime | None = None) -> Today:
    """Return the day's and the week's figures for the owner's home, in five queries."""
    now = now or timezone.now()
    tz = studio_tz()
    today = timezone.localdate(now, tz)
    monday = today - timedelta(days=today.weekday())
    day_start, day_end = local_day_bounds(today)
    week_start, week_end = local_day_bounds(monday, 7)
    ahead = Studio.load().reminder_lead
    counts = Booking.objects.aggregate(
        sessions_today=Count(
            "pk",
            filter=Q(status__in=ON_THE_CALENDAR, start_at__gte=day_start, start_at__lt=day_end),
        ),
        sessions_week=Count(
            "pk",
            filter=Q(status__in=ON_THE_CALENDAR, start_at__gte=week_start, start_at__lt=week_end),
        ),
        reviews_waiting=Count(
            "pk", filter=Q(status=BookingStatus.AWAITING_REVIEW, start_at__gt=now)
        ),
        desk_waiting=Count("pk", filter=Q(status=BookingStatus.AWAITING_DESK, start_at__gt=now)),
        reviews_overdue=Count(
            "pk",
            filter=Q(
                status=BookingStatus.AWAITING_REVIEW, start_at__gt=now, start_at__lte=now + ahead
            ),
        ),
        rescreen_stops=Count(
            "pk",
            filter=Q(
                status=BookingStatus.ON_HOLD, screening_level=ScreeningLevel.STOP, start_at__gt=now
            ),
        ),
        no_shows_today=Count(
            "pk",
            filter=Q(status=BookingStatus.NO_SHOW, start_at__gte=day_start, start_at__lt=day_end),
        ),
        no_shows_week=Count(
            "pk",
            filter=Q(status=BookingStatus.NO_SHOW, start_at__gte=week_start, start_at__lt=week_end),
        ),
    )
    return Today(free=free_time_left(now=now), **counts)


def free_time_left(*, now: datetime) -> list[FreeTime]:
    """Return each active therapist's working minutes left today that nothing has taken."""
    tz = studio_tz()
    today = timezone.localdate(now, tz)
    day_start, day_end = local_day_bounds(today)
    therapists = list(Therapist.objects.filter(is_active=True).values_list("pk", "display_name"))
    work = _working_time(Period(today, today), only_active=True)
    taken = defaultdict(list)
    for therapist_id, start, end in Booking.objects.filter(
        status__in=(*ON_THE_CALENDAR, BookingStatus.HELD),
        start_at__lt=day_end,
        blocked_until__gt=day_start,
    ).values_list("therapist_id", "start_at", "blocked_until"):
        taken[therapist_id].append(Interval(start, end))
    left = []
    for therapist_id, name in therapists:
        free = subtract(
            work.get(therapist_id, []),
            [*taken[therapist_id], Interval(day_start, max(now, day_start))],
        )
        minutes = sum(int((part.end - part.start).total_seconds()) // 60 for part in free)
        left.append(FreeTime(name, minutes))
    return left


# --- reports over a period -------------------------------------------------------------------

BREAKDOWNS = {
    "service": gettext_lazy("Massage"),
    "therapist": gettext_lazy("Therapist"),
    "weekday": gettext_lazy("Weekday"),
    "length": gettext_lazy("Length"),
    "room": gettext_lazy("Room"),
    "week": gettext_lazy("Week"),
    "month": gettext_lazy("Month"),
}


# Breakdowns whose groups are moments, shown in time order rather than largest first.
TIME_LIKE = ("weekday", "week", "month")


def _in(period: Period) -> Q:
    start, end = period.bounds
    return Q(start_at__gte=start, start_at__lt=end)


def _group(queryset, by: str):
    """Return the queryset's values grouped by ``by``, and how to name each group.

    Massages are named in the reader's language, read once (one query) for the report.
    """
    tz = studio_tz()
    if by in ("service", "length"):
        names = {service.pk: service.name for service in Service.objects.all()}
        if by == "service":
            return queryset.values("service_id"), lambda row: names.get(row["service_id"], "")
        return (
            queryset.values("service_id", "length__minutes"),
            lambda row: (
                _("%(service)s, %(minutes)s min")
                % {"service": names.get(row["service_id"], ""), "minutes": row["length__minutes"]}
            ),
        )
    if by == "therapist":
        return queryset.values("therapist__display_name"), lambda row: row[
            "therapist__display_name"
        ]
    if by == "weekday":
        return (
            queryset.annotate(weekday=ExtractIsoWeekDay("start_at", tzinfo=tz)).values("weekday"),
            lambda row: str(WEEKDAYS[row["weekday"] - 1]),
        )
    if by == "week":
        return (
            queryset.annotate(week=TruncWeek("start_at", tzinfo=tz)).values("week"),
            lambda row: _("Week of %(day)s") % {"day": date_format(row["week"], "j M Y")},
        )
    if by == "month":
        return (
            queryset.annotate(month=TruncMonth("start_at", tzinfo=tz)).values("month"),
            lambda row: date_format(row["month"], "YEAR_MONTH_FORMAT"),
        )
    raise ValueError(by)


def _sort_key(row: dict, by: str):
    """Time-like groups in time order; the others by the report's first figure, largest first."""
    return row.get(by) if by in TIME_LIKE else None


def _order(rows, by: str):
    """Order (key, label, values) rows: by time for time-like groups, else largest first."""
    if by in TIME_LIKE:
        return sorted(rows, key=lambda row: row[0])
    return sorted(rows, key=lambda row: (-(row[2][0] or 0), row[1]))


def bookings_report(period: Period, *, by: str = "service") -> Report:
    """Bookings, early and late cancellations (by the policy window) and no-shows."""
    window = Studio.load().cancel_window
    late = Q(
        status=BookingStatus.CANCELLED,
        cancelled_at__gt=ExpressionWrapper(F("start_at") - window, output_field=DateTimeField()),
    )
    grouped, name = _group(Booking.objects.filter(_in(period), status__in=MADE), by)
    rows = grouped.annotate(
        booked=Count("pk"),
        cancelled=Count("pk", filter=Q(status=BookingStatus.CANCELLED)),
        late=Count("pk", filter=late),
        no_shows=Count("pk", filter=Q(status=BookingStatus.NO_SHOW)),
    ).order_by()
    table = []
    for row in rows:
        key = _sort_key(row, by)
        early = row["cancelled"] - row["late"]
        table.append((key, name(row), [row["booked"], early, row["late"], row["no_shows"]]))
    return Report(
        key="bookings",
        title=_("Bookings, cancellations and no-shows"),
        columns=[
            str(BREAKDOWNS[by]),
            _("Bookings"),
            _("Cancelled early"),
            _("Cancelled late"),
            _("No-shows"),
        ],
        rows=[(label, values) for _key, label, values in _order(table, by)],
        note=_("Late: cancelled within %(hours)s hours of the start.")
        % {"hours": Studio.load().cancel_window_hours},
    )


def revenue_report(period: Period, *, by: str = "service") -> Report:
    """What the sessions earn, at the price each was booked for (``Booking.price``)."""
    grouped, name = _group(Booking.objects.filter(_in(period), status__in=SESSIONS), by)
    rows = grouped.annotate(sessions=Count("pk"), revenue=Sum("price")).order_by()
    table = [
        (_sort_key(row, by), name(row), [row["revenue"] or Decimal(0), row["sessions"]])
        for row in rows
    ]
    return Report(
        key="revenue",
        title=_("Revenue"),
        columns=[str(BREAKDOWNS[by]), _("Revenue"), _("Sessions")],
        rows=[(label, values) for _key, label, values in _order(table, by)],
        money=(0,),
        note=_("Confirmed, arrived and completed sessions, at the price they were booked for."),
    )


def screening_report(period: Period) -> Report:
    """How screening sent the bookings of the period, and how the reviews were decided.

    Counts only: the level each booking kept, and the decisions, never an answer.
    """
    levels = Booking.objects.filter(_in(period)).aggregate(
        stop=Count("pk", filter=Q(screening_level=ScreeningLevel.STOP)),
        review=Count("pk", filter=Q(screening_level=ScreeningLevel.REVIEW)),
        clear=Count("pk", filter=Q(screening_level=ScreeningLevel.CLEAR)),
    )
    start, end = period.bounds
    reviews = Review.objects.filter(booking__start_at__gte=start, booking__start_at__lt=end)
    turnaround = ExpressionWrapper(
        F("decided_at") - F("submission__created_at"), output_field=DurationField()
    )
    decisions = reviews.aggregate(
        approve=Count("pk", filter=Q(decision=Review.Decision.APPROVE)),
        adapt=Count("pk", filter=Q(decision=Review.Decision.ADAPT)),
        decline=Count("pk", filter=Q(decision=Review.Decision.DECLINE)),
        average=Avg(turnaround),
        longest=Max(turnaround),
    )
    screened = sum(levels.values())

    def share(count: int) -> float:
        return 100 * count / screened if screened else 0.0

    rows = [
        (str(ScreeningLevel.STOP.label), [levels["stop"], share(levels["stop"])]),
        (str(ScreeningLevel.REVIEW.label), [levels["review"], share(levels["review"])]),
        (str(ScreeningLevel.CLEAR.label), [levels["clear"], share(levels["clear"])]),
    ]
    return Report(
        key="screening",
        title=_("Screening outcomes"),
        columns=[_("Outcome"), _("Bookings"), _("Share")],
        rows=rows,
        percent=(1,),
        note=_(
            "Reviews: %(approve)s approved, %(adapt)s approved with adaptations, %(decline)s "
            "declined. Time from the answers to the decision: %(average)s on average, "
            "%(longest)s at most."
        )
        % {
            "approve": decisions["approve"],
            "adapt": decisions["adapt"],
            "decline": decisions["decline"],
            "average": _hours(decisions["average"]),
            "longest": _hours(decisions["longest"]),
        },
    )


def _hours(value: timedelta | None) -> str:
    if value is None:
        return "—"
    return _("%(hours).1f h") % {"hours": value.total_seconds() / 3600}


def _interval_hours(intervals) -> float:
    return sum((part.end - part.start).total_seconds() for part in intervals) / 3600


def utilisation_report(period: Period, *, by: str = "therapist") -> Report:
    """Booked hours ÷ working hours (time off removed), by therapist, room, week or month.

    The bookings are summed by PostgreSQL, grouped as asked; working hours come from the
    weekly hours and the time off (a handful of rows), laid on the period's days. A room is
    measured against the hours the studio is open: when at least one therapist works.
    """
    tz = studio_tz()
    length = ExpressionWrapper(F("end_at") - F("start_at"), output_field=DurationField())
    sessions = Booking.objects.filter(_in(period), status__in=(*SESSIONS, BookingStatus.NO_SHOW))
    work = _working_time(period)
    table = []
    if by == "therapist":
        booked = dict(
            sessions.values("therapist_id")
            .annotate(taken=Sum(length))
            .order_by()
            .values_list("therapist_id", "taken")
        )
        labels = Therapist.objects.values_list("pk", "display_name")
        rows = [
            (pk, label, _interval_hours(work.get(pk, ())), booked.get(pk)) for pk, label in labels
        ]
    elif by == "room":
        booked = dict(
            sessions.values("room_id")
            .annotate(taken=Sum(length))
            .order_by()
            .values_list("room_id", "taken")
        )
        open_hours = _interval_hours(merge(part for parts in work.values() for part in parts))
        labels = Room.objects.values_list("pk", "name")
        rows = [(pk, label, open_hours, booked.get(pk)) for pk, label in labels]
    else:
        grouped, name = _group(sessions, by)
        # Keyed by the local date the week or month starts on, as the buckets below are.
        booked = {
            row[by].date(): row["taken"] for row in grouped.annotate(taken=Sum(length)).order_by()
        }
        every = [part for parts in work.values() for part in parts]
        buckets: dict[tuple, list] = {}
        for part in every:
            local = timezone.localtime(part.start, tz)
            key = (
                local.date() - timedelta(days=local.weekday())
                if by == "week"
                else local.date().replace(day=1)
            )
            buckets.setdefault(key, []).append(part)
        rows = []
        for key in sorted(buckets):
            moment = datetime.combine(key, datetime.min.time(), tzinfo=tz)
            label = name({by: moment})
            rows.append((key, label, _interval_hours(buckets[key]), booked.get(key)))
    for key, label, working, taken in rows:
        taken = (taken or timedelta()).total_seconds() / 3600
        if not working and not taken:
            continue
        share = 100 * taken / working if working else None
        table.append((key, label, [share, round(taken, 1), round(working, 1)]))
    if by in ("therapist", "room"):
        table.sort(key=lambda row: (-(row[2][0] or 0), row[1]))
    return Report(
        key="utilisation",
        title=_("Utilisation"),
        columns=[str(BREAKDOWNS[by]), _("Booked share"), _("Booked hours"), _("Working hours")],
        rows=[(label, values) for _key, label, values in table],
        percent=(0,),
        note=_(
            "Sessions and no-shows over working hours, with time off removed; a room over "
            "the hours the studio is open."
        ),
    )


def clients_report(period: Period) -> Report:
    """New and returning clients of the period, and how many new ones came back in 8 weeks."""
    start, end = period.bounds
    sessions = Booking.objects.filter(status__in=(*SESSIONS, BookingStatus.NO_SHOW))
    first_visit = Subquery(
        sessions.filter(client=OuterRef("pk")).order_by("start_at").values("start_at")[:1]
    )
    came_back = Exists(
        sessions.filter(
            client=OuterRef("pk"),
            start_at__gt=OuterRef("first_at"),
            start_at__lte=OuterRef("first_at") + COMES_BACK_WITHIN,
        )
    )
    seen = (
        Client.objects.filter(
            Exists(sessions.filter(client=OuterRef("pk"), start_at__gte=start, start_at__lt=end))
        )
        .annotate(first_at=first_visit)
        .aggregate(
            new=Count("pk", filter=Q(first_at__gte=start)),
            returning=Count("pk", filter=Q(first_at__lt=start)),
        )
    )
    back = (
        Client.objects.annotate(first_at=first_visit)
        .filter(first_at__gte=start, first_at__lt=end)
        .annotate(came_back=came_back)
        .aggregate(back=Count("pk", filter=Q(came_back=True)))
    )
    new = seen["new"]
    return Report(
        key="clients",
        title=_("New and returning clients"),
        columns=[_("Clients"), _("Number")],
        rows=[
            (_("New"), [new]),
            (_("Returning"), [seen["returning"]]),
            (_("New, and came back within 8 weeks"), [back["back"]]),
        ],
        note=_("A client is new in the period of their first session."),
    )


TITLES = {
    "bookings": gettext_lazy("Bookings, cancellations and no-shows"),
    "revenue": gettext_lazy("Revenue"),
    "screening": gettext_lazy("Screening outcomes"),
    "utilisation": gettext_lazy("Utilisation"),
    "clients": gettext_lazy("New and returning clients"),
}
REPORTS = {
    "bookings": bookings_report,
    "revenue": revenue_report,
    "screening": screening_report,
    "utilisation": utilisation_report,
    "clients": clients_report,
}
# What each report may be broken down by; the first is the default.
REPORT_BREAKDOWNS = {
    "bookings": ("service", "therapist", "weekday", "week", "month"),
    "revenue": ("service", "length", "therapist", "week", "month"),
    "screening": (),
    "utilisation": ("therapist", "room", "week", "month"),
    "clients": (),
}
