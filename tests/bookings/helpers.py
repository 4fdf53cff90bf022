"""Helpers shared by the booking tests: the studio's zone, a pinned clock, demo lookups."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

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
