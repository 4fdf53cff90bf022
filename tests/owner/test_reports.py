"""The owner's home and reports, on a generated history with the clock pinned.

Each report's chart is drawn from its own table, and the table agrees with a count written
directly in SQL. Front desk sees the counts and never money or screening outcomes.
"""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bookings.models import Booking
from owner import reports
from studio.timezones import local_day_bounds
from tests.owner.conftest import FIRST, TODAY

# The expected figures are counted in PostgreSQL's own SQL.
pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

PERIOD = reports.Period(FIRST, TODAY - timedelta(days=1))


def url(key: str, **query) -> str:
    return reverse("owner:report", kwargs={"key": key})


def _sql(query: str, *params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def _window():
    return local_day_bounds(PERIOD.first, (PERIOD.last - PERIOD.first).days + 1)


def test_the_bookings_report_agrees_with_sql(history):
    report = reports.bookings_report(PERIOD, by="therapist")
    start, end = _window()
    made = tuple(str(status) for status in reports.MADE)
    expected = {
        name: [booked, cancelled - late, late, no_shows]
        for name, booked, cancelled, late, no_shows in _sql(
            """
            select t.display_name, count(*),
                   sum(case when b.status = 'cancelled' then 1 else 0 end),
                   sum(case when b.status = 'cancelled' and b.cancelled_at > b.start_at - %s
                       then 1 else 0 end),
                   sum(case when b.status = 'no_show' then 1 else 0 end)
            from bookings_booking b join studio_therapist t on t.id = b.therapist_id
            where b.start_at >= %s and b.start_at < %s and b.status = any(%s)
            group by t.display_name
            """,
            timedelta(hours=24),
            start,
            end,
            list(made),
        )
    }
    assert dict(report.rows) == expected
    assert sum(values[2] for _label, values in report.rows) > 0  # some were late
    assert sum(values[1] for _label, values in report.rows) > 0  # and some early


def test_the_revenue_report_sums_the_booked_prices(history):
    report = reports.revenue_report(PERIOD, by="service")
    start, end = _window()
    total = _sql(
        "select coalesce(sum(price), 0), count(*) from bookings_booking"
        " where start_at >= %s and start_at < %s"
        " and status in ('confirmed', 'arrived', 'completed')",
        start,
        end,
    )[0]
    assert sum(values[0] for _label, values in report.rows) == Decimal(total[0])
    assert sum(values[1] for _label, values in report.rows) == total[1]
    # The price as booked, not the length's price today.
    assert total[0] != sum(
        b.length.price
        for b in Booking.objects.filter(
            start_at__gte=start, start_at__lt=end, status__in=reports.SESSIONS
        )
    )


def test_the_screening_report_counts_levels_and_never_reads_an_answer(
    history, django_assert_max_num_queries
):
    with django_assert_max_num_queries(2) as captured:
        report = reports.screening_report(PERIOD)
    start, end = _window()
    expected = dict(
        _sql(
            "select screening_level, count(*) from bookings_booking"
            " where start_at >= %s and start_at < %s and screening_level is not null"
            " group by screening_level",
            start,
            end,
        )
    )
    counts = {label: values[0] for label, values in report.rows}
    assert counts == {
        "Stop": expected["stop"],
        "Review": expected["review"],
        "Clear": expected["clear"],
    }
    assert sum(values[1] for _label, values in report.rows) == pytest.approx(100)
    assert all("submission" not in q["sql"] or "answers" not in q["sql"] for q in captured)


def test_utilisation_is_booked_hours_over_working_hours_without_time_off(history):
    report = reports.utilisation_report(PERIOD)
    rows = dict(report.rows)
    start, end = _window()
    booked = dict(
        _sql(
            "select t.display_name, sum(extract(epoch from b.end_at - b.start_at)) / 3600"
            " from bookings_booking b join studio_therapist t on t.id = b.therapist_id"
            " where b.start_at >= %s and b.start_at < %s"
            " and b.status in ('confirmed', 'arrived', 'completed', 'no_show')"
            " group by t.display_name",
            start,
            end,
        )
    )
    for name, hours in booked.items():
        share, taken, working = rows[name]
        assert taken == pytest.approx(float(hours), abs=0.05)
        assert share == pytest.approx(100 * float(hours) / working, abs=0.1)
    # Ana works 09:00–14:00 on weekdays (Saturday 10–14): 4 weeks of that.
    assert rows["Ana Ruiz"][2] == pytest.approx(4 * (5 * 5 + 4))


def test_new_and_returning_clients(history):
    report = reports.clients_report(reports.Period(FIRST + timedelta(days=14), PERIOD.last))
    counts = {label: values[0] for label, values in report.rows}
    # The twelve clients all came in the first fortnight, so none is new in the second.
    assert counts["New"] == 0
    assert counts["Returning"] == 12
    first_fortnight = reports.clients_report(reports.Period(FIRST, FIRST + timedelta(days=13)))
    counts = {label: values[0] for label, values in first_fortnight.rows}
    assert counts["New"] == 12
    assert counts["New, and came back within 8 weeks"] == 12


@pytest.mark.parametrize("key", ["bookings", "revenue", "screening", "utilisation", "clients"])
def test_each_chart_is_drawn_from_its_table(owner, history, key):
    response = owner.get(url(key), {"first": PERIOD.first, "last": PERIOD.last})
    assert response.status_code == 200
    report, chart = response.context["report"], response.context["chart"]
    assert [bar.label for bar in chart.bars] == [label for label, _values in report.rows]
    assert [bar.value for bar in chart.bars] == [
        report.shown(report.chart_column, values[report.chart_column])
        for _label, values in report.rows
    ]
    largest = max((bar.width for bar in chart.bars), default=0)
    assert largest in (0, 360)
    page = response.content.decode()
    assert 'role="img"' in page and report.summary in page.replace("&#x27;", "'")


def test_the_csv_opens_in_a_spreadsheet(owner, history):
    response = owner.get(
        url("bookings"),
        {"first": PERIOD.first, "last": PERIOD.last, "by": "weekday", "format": "csv"},
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="calma-bookings-')
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    report = reports.bookings_report(PERIOD, by="weekday")
    assert rows[0] == report.columns
    assert rows[1:] == [[label, *map(str, values)] for label, values in report.rows]
    assert [row[0] for row in rows[1:]] == ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


@pytest.mark.parametrize("key", ["bookings", "revenue", "screening", "utilisation", "clients"])
def test_each_report_costs_the_same_queries_for_a_short_or_a_long_history(owner, history, key):
    with CaptureQueriesContext(connection) as long:
        reports.REPORTS[key](PERIOD)
    with CaptureQueriesContext(connection) as short:
        reports.REPORTS[key](reports.Period(PERIOD.last, PERIOD.last))
    assert len(long) == len(short) <= 5


def test_the_home_shows_todays_figures(owner, history, django_assert_max_num_queries):
    figures = reports.today_figures()
    start, end = local_day_bounds(TODAY)
    today = _sql(
        "select count(*) from bookings_booking where start_at >= %s and start_at < %s"
        " and status in"
        " ('confirmed', 'arrived', 'completed', 'awaiting_review', 'awaiting_desk', 'on_hold')",
        start,
        end,
    )[0][0]
    assert figures.sessions_today == today > 0
    with django_assert_max_num_queries(20):
        response = owner.get(reverse("owner:home"))
    page = response.content.decode()
    assert f'data-figure="sessions_today">{today}<' in page
    # Ana works until 14:00; at 12:30 her 11:00 booking has ended: 90 minutes are left.
    free = {row.therapist: row.minutes for row in figures.free}
    assert free["Ana Ruiz"] == 90
    assert free["Ben Ortega"] < 6 * 60


def test_the_front_desk_sees_counts_but_no_money_or_screening(frontdesk, history):
    home = frontdesk.get(reverse("owner:home")).content.decode()
    assert url("bookings") in home and url("utilisation") in home
    assert url("revenue") not in home and url("screening") not in home
    assert frontdesk.get(url("revenue")).status_code == 404
    assert frontdesk.get(url("screening")).status_code == 404
    assert frontdesk.get(url("bookings")).status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        {"first": "yesterday"},
        {"first": "2026-03-10", "last": "2026-03-01"},
        {"first": "0001-01-01", "last": "9999-12-31"},
        {"first": "2020-01-01", "last": "2026-01-01"},
        {"by": "client"},
        {"first": "2026-03-01", "last": "2026-03-10", "format": "csv", "by": "x"},
    ],
)
def test_bad_periods_say_so_and_show_the_default(owner, history, query):
    response = owner.get(url("bookings"), query)
    assert response.status_code == 200
    assert response.context is None or response.context["period"] == reports.Period(
        TODAY - timedelta(days=27), TODAY
    )


def test_an_unknown_report_is_not_found(owner, history):
    assert owner.get(url("answers")).status_code == 404


def test_the_chart_summary_writes_figures_as_the_table_does(history):
    report = reports.bookings_report(PERIOD, by="therapist")
    top = max(report.rows, key=lambda row: row[1][0])
    assert f"highest {top[0]} ({top[1][0]})" in report.summary


def test_new_and_returning_clients_agree_with_sql(history):
    period = reports.Period(FIRST + timedelta(days=7), PERIOD.last)
    report = reports.clients_report(period)
    start, end = local_day_bounds(period.first, (period.last - period.first).days + 1)
    stood = ["confirmed", "arrived", "completed", "no_show"]
    new, returning = _sql(
        """
        with firsts as (
            select client_id, min(start_at) as first_at from bookings_booking
            where status = any(%s) group by client_id
        ), seen as (
            select distinct client_id from bookings_booking
            where status = any(%s) and start_at >= %s and start_at < %s
        )
        select sum(case when f.first_at >= %s then 1 else 0 end),
               sum(case when f.first_at < %s then 1 else 0 end)
        from seen s join firsts f on f.client_id = s.client_id
        """,
        stood,
        stood,
        start,
        end,
        start,
        start,
    )[0]
    counts = {label: values[0] for label, values in report.rows}
    assert (counts["New"], counts["Returning"]) == (new or 0, returning or 0)


def test_utilisation_by_room_week_and_month_adds_up_to_the_same_booked_hours(history):
    by_therapist = reports.utilisation_report(PERIOD, by="therapist")
    total = sum(values[1] for _label, values in by_therapist.rows)
    working = sum(values[2] for _label, values in by_therapist.rows)
    for by in ("room", "week", "month"):
        report = reports.utilisation_report(PERIOD, by=by)
        assert sum(values[1] for _label, values in report.rows) == pytest.approx(total, abs=0.2)
    weeks = reports.utilisation_report(PERIOD, by="week")
    assert len(weeks.rows) == 5  # 28 days from a Wednesday touch five weeks
    assert all(label.startswith("Week of ") for label, _values in weeks.rows)
    assert sum(values[2] for _label, values in weeks.rows) == pytest.approx(working, abs=0.2)
    start, end = _window()
    rooms = dict(
        _sql(
            "select r.name, sum(extract(epoch from b.end_at - b.start_at)) / 3600"
            " from bookings_booking b join studio_room r on r.id = b.room_id"
            " where b.start_at >= %s and b.start_at < %s"
            " and b.status in ('confirmed', 'arrived', 'completed', 'no_show')"
            " group by r.name",
            start,
            end,
        )
    )
    by_room = {
        label: values[1] for label, values in reports.utilisation_report(PERIOD, by="room").rows
    }
    assert by_room == pytest.approx({name: float(hours) for name, hours in rooms.items()}, abs=0.05)
