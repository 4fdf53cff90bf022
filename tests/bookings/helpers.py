"""Helpers shared by the booking tests: the studio's zone, a pinned clock, demo lookups, and
real threads racing."""

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.db import connection

from bookings.errors import BookingRefused
from bookings.models import Booking
from studio.models import Service, ServiceLength, Therapist

MADRID = ZoneInfo("Europe/Madrid")
# Monday 23 November 2026, 09:00 in Madrid (CET): the clock for every pinned test.
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def madrid(*args) -> datetime:
    """Return a Madrid wall-clock time as an aware datetime."""
    return datetime(*args, tzinfo=MADRID)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


class Demo:
    """Look up the demo studio's services, lengths and therapists by slug."""

    def service(self, slug: str = "leg-massage") -> Service:
        return Service.objects.get(slug=slug)

    def length(self, minutes: int = 60, slug: str = "leg-massage") -> ServiceLength:
        return ServiceLength.objects.get(service__slug=slug, minutes=minutes)

    def therapist(self, slug: str) -> Therapist:
        return Therapist.objects.get(slug=slug)


class Clock:
    """A settable stand-in for ``django.utils.timezone.now``, for code that reads the clock.

    Patch it in with ``monkeypatch.setattr(timezone, "now", Clock(...))``; tests move it by
    setting ``now``.
    """

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def race(calls: list[Callable[[], Booking]]) -> tuple[list, list, list]:
    """Run the calls at once, one thread each; return (bookings, refusals, other errors).

    As django-oscar's stock-record locking test: a transactional test database, and one
    connection per thread, closed in ``finally``.
    """
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            outcomes[index] = calls[index]()
        except Exception as error:  # the outcome is the assertion
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a racing thread hung"
    wins = [outcome for outcome in outcomes if isinstance(outcome, Booking)]
    refusals = [outcome for outcome in outcomes if isinstance(outcome, BookingRefused)]
    errors = [o for o in outcomes if not isinstance(o, Booking | BookingRefused)]
    return wins, refusals, errors
