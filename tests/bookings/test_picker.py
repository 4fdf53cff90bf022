"""The free-time picker: a month of days with free times, and one day's times by part of day.

The clock is pinned to Monday 23 November 2026, 09:00 in Madrid (``NOW``); the demo studio
books up to 60 days ahead, and Ana works weekday mornings (and Saturday 10:00–14:00).
"""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone, translation

from bookings.picker import free_time_picker, parse_day, parse_month
from studio.models import Studio, TimeOff
from tests.bookings.helpers import MADRID, NOW, Clock, madrid

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock(monkeypatch) -> Clock:
    pinned = Clock(NOW)
    monkeypatch.setattr(timezone, "now", pinned)
    return pinned


def picker(demo, *, therapist="ana", minutes=60, **asked):
    return free_time_picker(
        service=demo.service(),
        length=demo.length(minutes),
        therapist=demo.therapist(therapist) if therapist else None,
        now=NOW,
        **asked,
    )


def days(shown) -> dict[date, object]:
    return {cell.day: cell for week in shown.weeks for cell in week.days}


def test_with_nothing_asked_it_opens_on_the_first_free_day_and_its_month(demo):
    shown = picker(demo)

    assert shown.month == date(2026, 11, 1)
    # 09:00 is inside the two hours' notice: Ana's first free start is 11:00 today.
    assert shown.day == date(2026, 11, 23)
    assert shown.periods[0].slots[0][1] == "11:00"
    assert shown.previous_month is None  # nothing before this month can be booked
    assert shown.next_month == date(2026, 12, 1)


def test_the_month_runs_monday_to_sunday_and_marks_free_today_and_chosen_days(demo):
    shown = picker(demo)
    cells = days(shown)

    assert all(len(week.days) == 7 for week in shown.weeks)
    assert shown.weeks[0].days[0].day == date(2026, 10, 26)  # the Monday before the 1st
    assert shown.weekday_names[0] == "Mon"
    past, today, sunday = (
        cells[date(2026, 11, 20)],
        cells[date(2026, 11, 23)],
        cells[date(2026, 11, 29)],
    )
    assert (past.bookable, past.free) == (False, 0)
    assert today.is_today and today.selected and today.free > 0
    assert today.label.startswith("Monday 23 November (today), ")
    assert sunday.free == 0  # Ana does not work on Sundays
    # Only a day with free times, or today, is named: the others show their number alone.
    assert cells[date(2026, 11, 24)].label.startswith("Tuesday 24 November, ")
    assert (sunday.label, past.label) == ("", "")
    assert not cells[date(2026, 10, 26)].in_month
    assert [week.current for week in shown.weeks].count(True) == 1


def test_a_day_asked_for_shows_its_times_by_part_of_the_day(demo):
    shown = picker(demo, therapist="", day=date(2026, 11, 24))

    assert shown.day == date(2026, 11, 24)
    assert [period.key for period in shown.periods] == ["morning", "afternoon", "evening"]
    for period, (starts, ends) in zip(shown.periods, [(9, 12), (12, 17), (17, 24)], strict=True):
        assert all(starts <= int(at[:2]) < ends for _value, at in period.slots)
    assert shown.day_label == "Tuesday 24 November"


def test_a_day_outside_the_booking_window_falls_back_to_the_first_free_day(demo):
    horizon = Studio.load().horizon_days
    for asked in (date(2026, 11, 1), NOW.date() + timedelta(days=horizon + 5)):
        shown = picker(demo, day=asked)
        assert shown.day == date(2026, 11, 23)


def test_a_month_is_kept_within_the_window(demo):
    assert picker(demo, month=date(2020, 1, 1)).month == date(2026, 11, 1)
    last = picker(demo, month=date(2030, 1, 1))
    assert last.month == date(2027, 1, 1)  # 60 days ahead of 23 November
    assert last.next_month is None
    assert last.previous_month == date(2026, 12, 1)


def test_a_day_with_no_free_time_says_so_and_points_to_the_next_one(demo):
    TimeOff.objects.create(
        therapist=demo.therapist("ana"),
        start_at=madrid(2026, 11, 24, 0, 0),
        end_at=madrid(2026, 11, 27, 0, 0),
    )
    shown = picker(demo, day=date(2026, 11, 25))

    assert shown.day == date(2026, 11, 25)
    assert shown.periods == []
    assert shown.next_available == date(2026, 11, 27)


def test_with_nothing_free_this_month_it_opens_on_the_next_free_month(demo):
    TimeOff.objects.create(
        therapist=demo.therapist("ana"),
        start_at=madrid(2026, 11, 23, 0, 0),
        end_at=madrid(2026, 12, 2, 0, 0),
    )
    opened = picker(demo)
    asked = picker(demo, month=date(2026, 11, 1))

    assert (opened.month, opened.day) == (date(2026, 12, 1), date(2026, 12, 2))
    assert asked.month == date(2026, 11, 1)
    assert asked.day is None and asked.next_free == date(2026, 12, 2)


@pytest.mark.parametrize(
    ("language", "month", "day"),
    [
        ("en", "November 2026", "Friday 27 November"),
        ("ca", "novembre del 2026", "divendres 27 novembre"),
        ("es", "noviembre de 2026", "viernes 27 noviembre"),
    ],
)
def test_the_picker_words_its_dates_once_as_the_page_shows_them(demo, language, month, day):
    """The month heading, the day links' and the next free day's words, in the reader's
    language, and the addresses' dates, worked out in the picker: the template formats none.
    """
    TimeOff.objects.create(
        therapist=demo.therapist("ana"),
        start_at=madrid(2026, 11, 24, 0, 0),
        end_at=madrid(2026, 11, 27, 0, 0),
    )
    with translation.override(language):
        shown = picker(demo, day=date(2026, 11, 25))
        address = reverse("bookings:booking_times", kwargs={"slug": "leg-massage"})
        # Worded in the language active when read, as the page's template reads them.
        assert (shown.month_label, shown.day_iso) == (month, "2026-11-25")
        assert (shown.previous_month_value, shown.next_month_value) == ("", "2026-12")
        assert (shown.next_available_iso, shown.next_available_label) == ("2026-11-27", day)
        assert (shown.next_free_iso, shown.next_free_label) == ("", "")

    response = Browser().get(
        address, {"length": demo.length(60).pk, "therapist": "ana", "day": "2026-11-25"}
    )
    page = response.content.decode()
    assert f'<html lang="{language}">' in page
    assert f'id="picker-month">{month}</h2>' in page
    assert f"?length={demo.length(60).pk}&amp;therapist=ana&amp;month=2026-12" in page
    assert 'day=2026-11-27" data-focus-key="next-available">' in page
    assert f"{day}</a>" in page
    assert '<input type="hidden" name="day" value="2026-11-25">' in page


def test_a_month_with_no_free_time_names_the_next_free_day(demo):
    """Asked for a month with nothing free, the page says so and links the next free day."""
    TimeOff.objects.create(
        therapist=demo.therapist("ana"),
        start_at=madrid(2026, 11, 23, 0, 0),
        end_at=madrid(2026, 12, 2, 0, 0),
    )
    response = Browser().get(
        reverse("bookings:booking_times", kwargs={"slug": "leg-massage"}),
        {"length": demo.length(60).pk, "therapist": "ana", "month": "2026-11"},
    )
    page = response.content.decode()
    assert response.context["picker"].next_free_label == "Wednesday 2 December"
    assert "There are no free times in November 2026." in page
    assert 'day=2026-12-02" data-focus-key="next-available">' in page
    assert "Next day with free times: Wednesday 2 December</a>" in page


@pytest.mark.parametrize("value", ["", "soon", "2026-13-01", "2026-02-30", "\x00", "9" * 80])
def test_malformed_days_and_months_are_no_day_or_month(value):
    assert parse_day(value) is None
    assert parse_month(value) is None


# The session, the catalogue (service, lengths, therapists and studio in one query) and the
# month's availability (one); a day with no later free day in its month reads on once, for
# the next one (one more). On PostgreSQL the catalogue is kept after the first page
# (``selectors.kept_catalogue``): its print comes with the month's read, one query fewer.
TIMES_PAGE_QUERIES = 3
TIMES_PAGE_READING_ON = 4


def _catalogue_read(*, first: bool) -> int:
    return 1 if first or connection.vendor != "postgresql" else 0


def test_the_times_page_costs_the_same_queries_for_any_month(demo, django_assert_num_queries):
    browser = Browser()
    url = reverse("bookings:booking_times", kwargs={"slug": "leg-massage"})
    for index, params in enumerate(({}, {"month": "2026-12"}, {"day": "2027-01-04"})):
        with django_assert_num_queries(TIMES_PAGE_QUERIES - 1 + _catalogue_read(first=index == 0)):
            response = browser.get(
                url, {"length": demo.length(60).pk, "therapist": "ana", **params}
            )
        assert response.status_code == 200
    # The last working day of December: its "next day with free times" is in January.
    with django_assert_num_queries(TIMES_PAGE_READING_ON - 1 + _catalogue_read(first=False)):
        response = browser.get(
            url, {"length": demo.length(60).pk, "therapist": "ana", "day": "2026-12-31"}
        )
    assert response.context["picker"].next_available == date(2027, 1, 1)


def test_madrid_is_the_zone_of_the_days(demo):
    shown = picker(demo, day=date(2026, 11, 24))
    value, at = shown.periods[0].slots[0]
    assert value.endswith("+01:00") and value.startswith("2026-11-24T")
    assert timezone.localtime(NOW, MADRID).date() == date(2026, 11, 23)
    assert at == "09:00"
