"""End to end through Redis and a real Celery worker process: a confirmed booking's email arrives.

The worker is a process of its own, started with Celery's command line on the project's app,
as in production. It reads the test database over its own connection (a transactional test,
on PostgreSQL or on the SQLite file the test settings use) and sends through Django's file
email backend into a folder of the test's, where the test reads the message back.

Tasks travel on a queue no other worker consumes: this process sends through a Celery app of
its own, configured from the Django settings like ``studio.celery.app`` but with that queue
as its default, and the worker listens on it alone (a shared Redis may have other workers on
the default queue). An earlier version ran the worker in a thread of the test process; its
start-up raced the booking on the main thread ("dictionary changed size during iteration").
"""

import os
import sys
import threading
import time
import uuid
from email import message_from_bytes, policy
from pathlib import Path

import pytest
import redis
from celery import Celery, _state
from django.conf import settings
from django.core import mail
from django.db import connection

from bookings.models import BookingStatus, Notification
from tests import processes
from tests.bookings.messages.conftest import CLIENT_EMAIL

pytestmark = [
    pytest.mark.redis,
    # The worker reads the booking over its own connection: the data must be committed.
    # (tests/conftest.py reloads the questionnaires that an earlier flush emptied.)
    pytest.mark.django_db(transaction=True),
]

START_TIMEOUT = 60.0
DELIVERY_TIMEOUT = 30.0
REPO = Path(settings.BASE_DIR)

WORKER_SETTINGS = """\
from studio.settings.test import *  # noqa: F403

DATABASES = {{"default": {database!r}}}
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_URL = {broker!r}
CELERY_TASK_DEFAULT_QUEUE = {queue!r}
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = {outbox!r}
"""


def wait_for(condition, timeout: float) -> bool:
    """Poll until the condition holds or the time is up; return whether it held."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        # An Event's timed wait rather than time.sleep: CI's second pass runs under
        # libfaketime, whose clock_nanosleep refuses Python's absolute monotonic deadline.
        threading.Event().wait(0.1)
    return condition()


class Worker:
    """A Celery worker process on a queue of its own, and the folder it sends email into."""

    def __init__(self, tmp_path: Path):
        self.queue = f"calma-notifications-test-{uuid.uuid4().hex}"
        self.outbox = tmp_path / "outbox"
        self.outbox.mkdir()
        self.log = tmp_path / "worker.log"
        self.settings_dir = tmp_path / "settings"
        self.settings_dir.mkdir()
        # The database as this process reaches it: the test database, under its own name.
        (self.settings_dir / "calma_worker_settings.py").write_text(
            WORKER_SETTINGS.format(
                database=dict(connection.settings_dict),
                broker=os.environ["REDIS_URL"],
                queue=self.queue,
                outbox=str(self.outbox),
            )
        )

    def command(self) -> list[str]:
        return [
            sys.executable, "-m", "celery", "-A", "studio", "worker",
            "--pool=solo", "--concurrency=1", "--loglevel=INFO",
            f"--queues={self.queue}", f"--hostname={self.queue}@%h",
            "--without-heartbeat", "--without-mingle", "--without-gossip",
        ]  # fmt: skip

    def environment(self) -> dict[str, str]:
        return os.environ | {
            "DJANGO_SETTINGS_MODULE": "calma_worker_settings",
            "PYTHONPATH": os.pathsep.join([str(self.settings_dir), str(REPO)]),
        }

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def is_ready(self) -> bool:
        return " ready." in self.output()

    def messages(self) -> list:
        return [
            message_from_bytes(path.read_bytes(), policy=policy.default)
            for path in sorted(self.outbox.iterdir())
        ]


@pytest.fixture
def worker(tmp_path):
    """Start a worker process on Redis and point this process's sending at its queue."""
    worker = Worker(tmp_path)
    app = Celery("calma-test", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(
        broker_url=os.environ["REDIS_URL"],
        task_always_eager=False,
        task_default_queue=worker.queue,
        broker_connection_retry_on_startup=False,
    )
    previous_default, previous_current = _state.default_app, _state.get_current_app()
    try:
        with (
            worker.log.open("wb") as log,
            processes.running(
                worker.command(),
                stop_timeout=20,
                cwd=REPO,
                env=worker.environment(),
                stdout=log,
                stderr=log,
            ) as process,
        ):
            started = wait_for(
                lambda: worker.is_ready() or process.poll() is not None, START_TIMEOUT
            )
            assert started and process.poll() is None, (
                f"the worker did not start:\n{worker.output()}"
            )
            app.set_current()
            app.set_default()
            yield worker
    finally:
        app.close()
        _state.set_default_app(previous_default)
        previous_current.set_current()
        # The queue and its bindings: every Redis key named after this run's queue.
        client = redis.Redis.from_url(os.environ["REDIS_URL"])
        try:
            for key in client.scan_iter(match=f"*{worker.queue}*"):
                client.delete(key)
        finally:
            client.close()


def test_a_confirmation_travels_through_redis_and_a_worker_to_the_client(make, worker):
    booking = make.book()  # commits: notify("confirmed") goes to the broker on commit

    assert booking.status == BookingStatus.CONFIRMED
    # The worker records the Notification once the message has gone out.
    sent = Notification.objects.filter(booking=booking, event="confirmed")
    assert wait_for(sent.exists, DELIVERY_TIMEOUT), (
        f"the worker sent nothing within {DELIVERY_TIMEOUT:.0f} s:\n{worker.output()}"
    )
    (message,) = worker.messages()
    assert message["To"] == CLIENT_EMAIL
    assert message["Subject"] == "Your leg massage is booked"
    assert any((part.get_filename() or "").endswith(".ics") for part in message.iter_attachments())
    assert sent.count() == 1
    # Sent by the worker process from a message off the queue, not in this process.
    assert mail.outbox == []
    assert "bookings.tasks.notification_send" in worker.output()
