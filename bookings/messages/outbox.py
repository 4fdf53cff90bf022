"""Queue work for the worker once the transaction that caused it commits: an event's messages,
and a waitlist sweep when a time frees up.

Services call ``notify``; the tasks are looked up by name in the Celery app's registry, so
this module needs nothing from ``bookings.tasks`` (which imports the services).
"""

from celery import current_app
from django.db import transaction

NOTIFICATION_TASK = "bookings.tasks.notification_send"
WAITLIST_SWEEP_TASK = "bookings.tasks.waitlist_sweep"


def notify(event: str, booking, *, key: str = "") -> None:
    """Queue an event's messages once the current transaction commits (never before)."""
    booking_id = booking.pk
    transaction.on_commit(
        lambda: current_app.tasks[NOTIFICATION_TASK].delay(event, booking_id, key)
    )


def sweep_soon() -> None:
    """Offer freed times to the waitlist as soon as the current transaction commits.

    Called whenever a time frees up or appears (``bookings.receivers``, and the services that
    expire holds with an update), so a cancelled time is offered at once rather than at the
    next minute's sweep. A broker that is away only delays the offer until that sweep: it
    never fails the cancellation that freed the time.
    """
    transaction.on_commit(lambda: current_app.tasks[WAITLIST_SWEEP_TASK].delay(), robust=True)
