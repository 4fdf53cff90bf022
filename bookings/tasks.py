"""Celery tasks: thin wrappers that take ids and call the services. They never swallow errors.

Services queue messages with ``bookings.messages.outbox.notify``, which finds
``notification_send`` here by its name.
"""

from smtplib import SMTPException

from celery import shared_task

from bookings import services, waitlist
from bookings.messages import send, sweeps


@shared_task(
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=8,
)
def notification_send(event: str, booking_id: int, key: str = "") -> int:
    return send.notification_send(event=event, booking_id=booking_id, key=key)


@shared_task
def holds_expire() -> int:
    return services.holds_expire()


@shared_task
def reminders_send() -> int:
    return sweeps.reminders_send()


@shared_task
def review_alerts_send() -> int:
    return sweeps.review_alerts_send()


@shared_task
def aftercare_send() -> int:
    return sweeps.aftercare_send()


@shared_task
def waitlist_sweep() -> int:
    return waitlist.waitlist_sweep()
