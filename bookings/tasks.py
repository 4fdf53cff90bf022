"""Celery tasks: thin wrappers that take ids and call the services. They never swallow errors."""

from smtplib import SMTPException

from celery import shared_task
from django.db import transaction

from bookings import notifications, sweeps


@shared_task(
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=8,
)
def notification_send(event: str, booking_id: int, key: str = "") -> int:
    return notifications.notification_send(event=event, booking_id=booking_id, key=key)


@shared_task
def holds_expire() -> int:
    return sweeps.holds_expire()


@shared_task
def reminders_send() -> int:
    return sweeps.reminders_send()


@shared_task
def review_alerts_send() -> int:
    return sweeps.review_alerts_send()


@shared_task
def aftercare_send() -> int:
    return sweeps.aftercare_send()


def notify(event: str, booking, *, key: str = "") -> None:
    """Queue an event's messages once the current transaction commits (never before)."""
    booking_id = booking.pk
    transaction.on_commit(lambda: notification_send.delay(event, booking_id, key))
