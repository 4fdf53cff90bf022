"""End to end through a real Celery worker and Redis: a confirmed booking's email arrives.

The worker runs in a thread of this process (the solo pool), so the locmem outbox it sends
to is the one the test reads, while the task itself travels through Redis. The database must
be one the worker's own connection can see: a transactional test, on PostgreSQL or on the
SQLite file the test settings use.

The worker serves a Celery app of its own, configured from the Django settings exactly like
``studio.celery.app`` but with a queue no other worker consumes: Celery fixes an app's queues
the first time it sends, and a shared Redis may have other workers on the default queue.
"""

import os
import threading
import time
import uuid

import pytest
import redis
from celery import Celery, _state, signals
from celery.contrib.testing.worker import start_worker
from django.core import mail

from bookings.models import BookingStatus, Notification
from tests.bookings.messages.conftest import CLIENT_EMAIL

pytestmark = [
    pytest.mark.redis,
    # The worker reads the booking over its own connection: the data must be committed.
    # (tests/conftest.py reloads the questionnaires that an earlier flush emptied.)
    pytest.mark.django_db(transaction=True),
]

DELIVERY_TIMEOUT = 20.0


@pytest.fixture
def worker_app(settings, monkeypatch):
    """Start a real worker on Redis; stop it and put the in-process setup back afterwards."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    # Celery's Django fixup runs Django's system checks when a worker imports its modules.
    # In a thread of this process they would walk the URL resolver and the models' caches
    # while the test books on the main thread ("dictionary changed size during iteration",
    # once in a CI run); a real worker is a process of its own, and `manage.py check` runs
    # the checks in CI.
    monkeypatch.setenv("CELERY_SKIP_CHECKS", "1")
    queue = f"calma-notifications-test-{uuid.uuid4().hex}"
    app = Celery("calma-test", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(
        broker_url=os.environ["REDIS_URL"],
        task_always_eager=False,
        task_default_queue=queue,
        worker_hijack_root_logger=False,
        broker_connection_retry_on_startup=False,
    )
    previous_default, previous_current = _state.default_app, _state.get_current_app()
    ran = []

    def record(sender=None, task=None, **kwargs):
        ran.append((task.name, task.request.is_eager, threading.current_thread()))

    signals.task_postrun.connect(record, weak=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
            yield app, ran
    finally:
        signals.task_postrun.disconnect(record)
        app.close()
        # The queue and its bindings: every Redis key named after this run's queue.
        client = redis.Redis.from_url(os.environ["REDIS_URL"])
        try:
            for key in client.scan_iter(match=f"*{queue}*"):
                client.delete(key)
        finally:
            client.close()
        _state.set_default_app(previous_default)
        previous_current.set_current()


def wait_for(condition, timeout: float = DELIVERY_TIMEOUT) -> bool:
    """Poll until the condition holds or the time is up; return whether it held."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        # An Event's timed wait rather than time.sleep: CI's second pass runs under
        # libfaketime, whose clock_nanosleep refuses Python's absolute monotonic deadline.
        threading.Event().wait(0.05)
    return condition()


def test_a_confirmation_travels_through_redis_and_a_worker_to_the_client(make, worker_app):
    app, ran = worker_app
    assert app.conf.task_always_eager is False

    booking = make.book()  # commits: notify("confirmed") goes to the broker on commit

    assert booking.status == BookingStatus.CONFIRMED
    # The task has finished (and committed its Notification row) once it reports back.
    assert wait_for(lambda: len(ran) >= 1), "the worker ran nothing within 20 s"
    (message,) = mail.outbox
    assert message.to == [CLIENT_EMAIL]
    assert message.subject == "Your leg massage is booked"
    assert any(name.endswith(".ics") for name, *_rest in message.attachments)
    assert Notification.objects.filter(booking=booking, event="confirmed").count() == 1
    # Sent by the worker's thread from a message off the queue, not in-process.
    assert [(name, eager) for name, eager, _thread in ran] == [
        ("bookings.tasks.notification_send", False)
    ]
    assert ran[0][2] is not threading.main_thread()
