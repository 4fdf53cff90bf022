"""The periodic sweeps on a pinned clock: each message once, catching up after downtime."""

from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command

from bookings import services
from bookings.messages import sweeps
from bookings.models import Booking, BookingStatus
from intake.services import review_decide
from studio.celery import app
from studio.models import Studio
from tests.bookings.messages.conftest import (
    CLIENT_EMAIL,
    LEG_CLEAR,
    LEG_REVIEW,
    NOW,
    STAFF_EMAIL,
    START,
    madrid,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    """Run a sweep as a beat tick would: its own commit, then the queued sends."""

    def run(function, *, now):
        with django_capture_on_commit_callbacks(execute=True):
            return function(now=now)

    return run


def events_to(address: str) -> list[str]:
    return [message.subject for message in mail.outbox if message.to == [address]]


def test_a_reminder_runs_twice_and_is_sent_once(make, sweep):
    booking = make.book()
    due = START - timedelta(hours=23)

    assert sweep(sweeps.reminders_send, now=due) == 1
    assert sweep(sweeps.reminders_send, now=due) == 0
    assert sweep(sweeps.reminders_send, now=due + timedelta(hours=1)) == 0

    assert events_to(CLIENT_EMAIL) == ["See you soon: Leg massage at 09/12 10:00"]
    booking.refresh_from_db()
    assert booking.reminder_sent_at == due


def test_a_booking_moved_after_its_reminder_is_reminded_again_for_the_new_time(make, sweep):
    """The reminder carries the re-screen: a visit moved to another day needs its own."""
    booking = make.book()
    assert sweep(sweeps.reminders_send, now=START - timedelta(hours=23)) == 1
    new_start = madrid(2026, 12, 11, 10, 0)
    # Too late for the client to change online: the front desk moves it by phone.
    services.booking_move(
        booking=booking,
        start_at=new_start,
        therapist=make.therapist(),
        now=START - timedelta(hours=22),
    )
    mail.outbox.clear()

    assert sweep(sweeps.reminders_send, now=new_start - timedelta(hours=25)) == 0
    assert sweep(sweeps.reminders_send, now=new_start - timedelta(hours=23)) == 1
    assert sweep(sweeps.reminders_send, now=new_start - timedelta(hours=22)) == 0

    assert events_to(CLIENT_EMAIL) == ["See you soon: Leg massage at 11/12 10:00"]


def test_a_booking_moved_within_the_day_after_its_reminder_is_not_reminded_twice(make, sweep):
    """Moved by an hour after the reminder: the "rescheduled" email is news enough."""
    booking = make.book()
    assert sweep(sweeps.reminders_send, now=START - timedelta(hours=23)) == 1
    services.booking_move(
        booking=booking,
        start_at=START + timedelta(hours=1),
        therapist=make.therapist(),
        now=START - timedelta(hours=22),
    )

    assert sweep(sweeps.reminders_send, now=START - timedelta(hours=21)) == 0


def test_no_reminder_before_the_day_ahead(make, sweep):
    make.book()
    assert sweep(sweeps.reminders_send, now=START - timedelta(hours=24, minutes=5)) == 0
    assert mail.outbox == []


def test_a_sweep_down_for_two_hours_catches_up_on_what_is_still_due(make, sweep):
    """Back at 14:00 after two hours down: due and upcoming is sent; cancelled or past is not."""
    last_run = madrid(2026, 12, 8, 12, 0)
    back = last_run + timedelta(hours=2)
    # Became due while the sweep was down (at 13:00), and is still ahead.
    due = make.book(start=madrid(2026, 12, 9, 13, 0), email="due@example.com")
    # Also due in that time, but cancelled.
    cancelled = make.book(
        start=madrid(2026, 12, 9, 11, 0), therapist="carla", email="gone@example.com"
    )
    services.booking_cancel(booking=cancelled, now=NOW)
    # Not due yet: the next day's afternoon.
    later = make.book(start=madrid(2026, 12, 9, 15, 0), therapist="ben", email="later@example.com")
    assert sweep(sweeps.reminders_send, now=last_run) == 0
    mail.outbox.clear()
    # Booked by phone during the downtime for 13:00 that day: over by the time it is back.
    late = make.hold(
        start=madrid(2026, 12, 8, 13, 0),
        now=last_run + timedelta(minutes=30),
        email="late@example.com",
        source=Booking.Source.PHONE,
    )
    make.answer(late, now=last_run + timedelta(minutes=35))

    assert sweep(sweeps.reminders_send, now=back) == 1

    assert [message.to for message in mail.outbox] == [["due@example.com"]]
    for booking, stamped in ((due, True), (cancelled, False), (late, False), (later, False)):
        booking.refresh_from_db()
        assert (booking.reminder_sent_at is not None) is stamped, booking
    # The afternoon one comes due at its own time.
    assert sweep(sweeps.reminders_send, now=back + timedelta(hours=1)) == 1
    assert mail.outbox[-1].to == ["later@example.com"]


def test_review_alerts_go_only_for_bookings_still_awaiting_review_within_a_day(make, sweep):
    awaiting = make.book(LEG_REVIEW)
    make.book(LEG_REVIEW, start=madrid(2026, 12, 11, 10, 0))  # two days away: not yet
    make.book(LEG_CLEAR, start=madrid(2026, 12, 9, 12, 0))  # confirmed: nothing to review
    decided = make.book(LEG_REVIEW, start=madrid(2026, 12, 9, 11, 0), therapist="carla")
    review_decide(
        booking=decided, reviewer=make.therapist("carla").user, decision="approve", now=NOW
    )
    mail.outbox.clear()
    now = START - timedelta(hours=23)

    assert sweep(sweeps.review_alerts_send, now=now) == 1
    assert sweep(sweeps.review_alerts_send, now=now + timedelta(minutes=5)) == 0

    assert sorted(message.to[0] for message in mail.outbox) == [
        "ana@calma.localhost",
        STAFF_EMAIL,
    ]
    awaiting.refresh_from_db()
    assert awaiting.review_alert_sent_at == now


def test_aftercare_is_sent_once_after_the_session_ends(make, sweep):
    booking = make.book()

    assert sweep(sweeps.aftercare_send, now=booking.end_at - timedelta(minutes=1)) == 0
    assert sweep(sweeps.aftercare_send, now=booking.end_at + timedelta(minutes=5)) == 1
    assert sweep(sweeps.aftercare_send, now=booking.end_at + timedelta(minutes=10)) == 0
    assert sweep(sweeps.aftercare_send, now=booking.end_at + timedelta(hours=3)) == 0

    assert events_to(CLIENT_EMAIL) == ["Thank you for your visit"]


def test_aftercare_skips_no_shows_cancellations_and_sessions_long_past(make, sweep):
    """After-care follows a session that took place, and only within a day of it."""
    no_show = make.book(email="noshow@example.com")
    services.booking_mark(booking=no_show, status=BookingStatus.NO_SHOW, now=START)
    cancelled = make.book(start=madrid(2026, 12, 9, 12, 0), email="gone@example.com")
    services.booking_cancel(booking=cancelled, now=NOW)
    completed = make.book(
        start=madrid(2026, 12, 9, 11, 0), therapist="carla", email="done@example.com"
    )
    services.booking_mark(booking=completed, status=BookingStatus.COMPLETED, now=START)
    mail.outbox.clear()

    # Down for two days: the session is too long past for an after-care email.
    assert sweep(sweeps.aftercare_send, now=completed.end_at + timedelta(days=2)) == 0
    assert sweep(sweeps.aftercare_send, now=madrid(2026, 12, 9, 14, 0)) == 1

    assert [message.to for message in mail.outbox] == [["done@example.com"]]


def test_expiring_holds_twice_expires_each_once(make):
    stale = make.hold()
    fresh = make.hold(start=madrid(2026, 12, 9, 12, 0), now=NOW + timedelta(minutes=8))

    later = NOW + timedelta(minutes=11)
    assert services.holds_expire(now=later) == 1
    assert services.holds_expire(now=later) == 0

    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status == BookingStatus.EXPIRED
    assert fresh.status == BookingStatus.HELD


def test_run_sweeps_runs_the_four_sweeps_and_prints_what_each_did(
    make, clock, django_capture_on_commit_callbacks
):
    """The command is the beat for a machine without Redis: it reads the (pinned) clock."""
    tick = madrid(2026, 12, 8, 12, 0)
    make.hold(start=madrid(2026, 12, 10, 10, 0), now=tick - timedelta(minutes=15))
    make.book(email="reminded@example.com")  # tomorrow 10:00
    make.book(LEG_REVIEW, start=madrid(2026, 12, 9, 11, 15), email="review@example.com")
    make.book(start=madrid(2026, 12, 8, 10, 0), email="visited@example.com")  # ended at 11:00
    mail.outbox.clear()
    clock.now = tick
    out = StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_sweeps", stdout=out)

    assert out.getvalue().strip() == (
        "holds expired: 1, reminders: 2, review alerts: 1, after-care: 1, waitlist offers: 0"
    )
    subjects = sorted((message.to[0], message.subject) for message in mail.outbox)
    assert subjects == [
        ("ana@calma.localhost", "Still awaiting your review: 09/12 11:15"),
        ("hola@calma.localhost", "Review overdue: 09/12 11:15"),
        ("reminded@example.com", "See you soon: Leg massage at 09/12 10:00"),
        ("review@example.com", "Your request for 09/12 11:15 is still awaiting review"),
        ("visited@example.com", "Thank you for your visit"),
    ]

    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_sweeps", stdout=out)
    assert out.getvalue().strip() == (
        "holds expired: 0, reminders: 0, review alerts: 0, after-care: 0, waitlist offers: 0"
    )
    assert len(mail.outbox) == len(subjects)


def test_the_beat_schedule_names_the_five_sweep_tasks():
    app.loader.import_default_modules()
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert tasks == {
        "bookings.tasks.holds_expire",
        "bookings.tasks.reminders_send",
        "bookings.tasks.review_alerts_send",
        "bookings.tasks.aftercare_send",
        "bookings.tasks.waitlist_sweep",
    }
    assert tasks <= set(app.tasks)


def test_the_reminder_lead_time_is_the_studios_policy(make, sweep):
    """With reminders two days ahead, a visit 40 hours away is reminded, and its review too."""
    booking = make.book()
    review = make.book(LEG_REVIEW, start=START + timedelta(hours=2), email="rev@example.com")
    studio = Studio.load()
    studio.reminder_hours = 48
    studio.save()

    assert sweep(sweeps.reminders_send, now=START - timedelta(hours=49)) == 0
    assert sweep(sweeps.reminders_send, now=START - timedelta(hours=40)) == 2
    assert sweep(sweeps.review_alerts_send, now=START - timedelta(hours=40)) == 1
    booking.refresh_from_db()
    review.refresh_from_db()
    assert booking.reminder_sent_at == START - timedelta(hours=40)
    assert review.review_alert_sent_at == START - timedelta(hours=40)


def test_with_the_default_lead_a_visit_40_hours_away_is_not_reminded_yet(make, sweep):
    make.book()

    assert Studio.load().reminder_hours == 24
    assert sweep(sweeps.reminders_send, now=START - timedelta(hours=40)) == 0
    assert sweep(sweeps.review_alerts_send, now=START - timedelta(hours=40)) == 0
