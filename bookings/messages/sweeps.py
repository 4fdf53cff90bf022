"""Periodic sweeps: select candidates, re-read each under a row lock, re-check, stamp, send.

A sweep that runs twice sends nothing twice; one that was down for hours catches up on what
is still due and skips what no longer is (cancelled, or already past).
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from bookings.messages.outbox import notify
from bookings.models import Booking, BookingStatus
from studio.models import Studio

# After-care is sent once a session has ended, and not later than this.
AFTERCARE_WITHIN = timedelta(hours=24)


def _not_sent(stamp: str, *, ahead: timedelta) -> Q:
    """Match bookings not sent this message for their current time.

    A message sent at T, ``ahead`` of the start, was for a start by T + ``ahead``: a booking
    moved later than that since is due its own message for the new time.
    """
    return Q(**{f"{stamp}__isnull": True}) | Q(**{f"{stamp}__lt": F("start_at") - ahead})


def _is_not_sent(sent_at: datetime | None, booking: Booking, *, ahead: timedelta) -> bool:
    return sent_at is None or sent_at < booking.start_at - ahead


def _sweep(*, candidates, stamp: str, still_due, event: str, now: datetime) -> int:
    sent = 0
    for pk in candidates.values_list("pk", flat=True):
        with transaction.atomic():
            booking = Booking.objects.select_for_update().filter(pk=pk).first()
            if booking is None or not still_due(booking):
                continue
            setattr(booking, stamp, now)
            booking.save(update_fields=[stamp, "updated_at"])
            # Keyed by the booking's revision: a moved booking's message is a new one.
            notify(event, booking, key=str(booking.sequence))
            sent += 1
    return sent


def reminders_send(*, now: datetime | None = None) -> int:
    """Remind clients the studio's reminder lead time ahead, with the re-screen link."""
    now = now or timezone.now()
    ahead = Studio.load().reminder_lead
    due = (BookingStatus.CONFIRMED, BookingStatus.AWAITING_REVIEW)
    return _sweep(
        candidates=Booking.objects.filter(
            _not_sent("reminder_sent_at", ahead=ahead),
            status__in=due,
            start_at__gt=now,
            start_at__lte=now + ahead,
        ),
        stamp="reminder_sent_at",
        still_due=lambda b: (
            _is_not_sent(b.reminder_sent_at, b, ahead=ahead)
            and b.status in due
            and now < b.start_at <= now + ahead
        ),
        event="reminder",
        now=now,
    )


def review_alerts_send(*, now: datetime | None = None) -> int:
    """Alert the therapist (and the front desk) about reviews still pending at reminder time."""
    now = now or timezone.now()
    ahead = Studio.load().reminder_lead
    return _sweep(
        candidates=Booking.objects.filter(
            _not_sent("review_alert_sent_at", ahead=ahead),
            status=BookingStatus.AWAITING_REVIEW,
            start_at__gt=now,
            start_at__lte=now + ahead,
        ),
        stamp="review_alert_sent_at",
        still_due=lambda b: (
            _is_not_sent(b.review_alert_sent_at, b, ahead=ahead)
            and b.status == BookingStatus.AWAITING_REVIEW
            and now < b.start_at <= now + ahead
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
        still_due=lambda b: (
            b.aftercare_sent_at is None
            and b.status in done
            and now - AFTERCARE_WITHIN < b.end_at <= now
        ),
        event="aftercare",
        now=now,
    )
