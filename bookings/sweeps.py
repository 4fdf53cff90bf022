"""Periodic sweeps: select candidates, re-read each under a row lock, re-check, stamp, send.

A sweep that runs twice sends nothing twice; one that was down for hours catches up on what
is still due and skips what no longer is (cancelled, or already past).
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from bookings.models import Booking, BookingStatus

REMINDER_AHEAD = timedelta(hours=24)
REVIEW_ALERT_AHEAD = timedelta(hours=24)
AFTERCARE_WITHIN = timedelta(hours=24)


def holds_expire(*, now: datetime | None = None) -> int:
    """Mark every hold past its expiry as expired; return how many."""
    from bookings import services

    return services.holds_expire(now=now)


def _sweep(*, candidates, stamp: str, still_due, event: str, now: datetime) -> int:
    from bookings.tasks import notify

    sent = 0
    for pk in candidates.values_list("pk", flat=True):
        with transaction.atomic():
            booking = Booking.objects.select_for_update().filter(pk=pk).first()
            if booking is None or getattr(booking, stamp) is not None or not still_due(booking):
                continue
            setattr(booking, stamp, now)
            booking.save(update_fields=[stamp, "updated_at"])
            notify(event, booking)
            sent += 1
    return sent


def reminders_send(*, now: datetime | None = None) -> int:
    """Remind clients about a day ahead, with the re-screen link."""
    now = now or timezone.now()
    due = (BookingStatus.CONFIRMED, BookingStatus.AWAITING_REVIEW)
    return _sweep(
        candidates=Booking.objects.filter(
            status__in=due,
            reminder_sent_at__isnull=True,
            start_at__gt=now,
            start_at__lte=now + REMINDER_AHEAD,
        ),
        stamp="reminder_sent_at",
        still_due=lambda b: b.status in due and now < b.start_at <= now + REMINDER_AHEAD,
        event="reminder",
        now=now,
    )


def review_alerts_send(*, now: datetime | None = None) -> int:
    """Alert the therapist (and the front desk) about reviews still pending a day ahead."""
    now = now or timezone.now()
    return _sweep(
        candidates=Booking.objects.filter(
            status=BookingStatus.AWAITING_REVIEW,
            review_alert_sent_at__isnull=True,
            start_at__gt=now,
            start_at__lte=now + REVIEW_ALERT_AHEAD,
        ),
        stamp="review_alert_sent_at",
        still_due=lambda b: (
            b.status == BookingStatus.AWAITING_REVIEW
            and now < b.start_at <= now + REVIEW_ALERT_AHEAD
        ),
        event="review_overdue",
        now=now,
    )


def aftercare_send(*, now: datetime | None = None) -> int:
    """Send after-session care once a session has ended (within a day, not later)."""
    now = now or timezone.now()
    done = (BookingStatus.CONFIRMED, BookingStatus.ARRIVED, BookingStatus.COMPLETED)
    return _sweep(
        candidates=Booking.objects.filter(
            status__in=done,
            aftercare_sent_at__isnull=True,
            end_at__lte=now,
            end_at__gt=now - AFTERCARE_WITHIN,
        ),
        stamp="aftercare_sent_at",
        still_due=lambda b: b.status in done and now - AFTERCARE_WITHIN < b.end_at <= now,
        event="aftercare",
        now=now,
    )
