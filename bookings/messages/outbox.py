"""Queue an event's messages for the worker, once the transaction that caused it commits.

Services call ``notify``; the task that sends is looked up by name in the Celery app's
registry, so this module needs nothing from ``bookings.tasks`` (which imports the services).
"""

from celery import current_app
from django.db import transaction

NOTIFICATION_TASK = "bookings.tasks.notification_send"


def notify(event: str, booking, *, key: str = "") -> None:
    """Queue an event's messages once the current transaction commits (never before)."""
    booking_id = booking.pk
    transaction.on_commit(
        lambda: current_app.tasks[NOTIFICATION_TASK].delay(event, booking_id, key)
    )
