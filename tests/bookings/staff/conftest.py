"""Fixtures for the front desk's and the therapist's pages, on the demo studio.

The views read the real clock, so bookings are placed on a Monday one to two weeks ahead:
far enough to be movable and inside the booking horizon.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.test import Client as Browser
from django.utils import timezone

from bookings.models import Booking, BookingStatus
from studio.models import Room, Service, ServiceLength, Therapist
from tests.auth import sign_in
from tests.factories import BookingFactory

MADRID = ZoneInfo("Europe/Madrid")
LEG = "leg-massage"
LYMPHATIC = "lymphatic-drainage"

# "Nothing to report" on the questions a leg massage asks.
LEG_CLEAR = {
    "leg_symptoms": "no",
    "blood_clot": "no",
    "circulatory_condition": "no",
    "pregnant": "no",
    "injury_or_surgery": "no",
    "intense_pain": "no",
    "diabetes_or_neuropathy": "no",
    "medical_condition": "no",
    "varicose_veins": "none",
    "skin_wound": "no",
    "skin_problems": "no",
}


def local_today() -> date:
    return timezone.localdate(timezone.now(), MADRID)


def next_monday(weeks_ahead: int = 1) -> date:
    """Return a Monday at least ``weeks_ahead`` weeks (and a day) from today, in Madrid."""
    today = local_today()
    return today + timedelta(days=7 - today.weekday()) + timedelta(weeks=weeks_ahead)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """Return a Madrid wall-clock time on a day as an aware datetime."""
    return datetime.combine(day, time(hour, minute), tzinfo=MADRID)


def intake_post_data(answers: dict | None = None, *, version: int = 1) -> dict:
    """Return the POST data of the health form: clear leg answers and consent."""
    data = {f"q_{code}": value for code, value in (answers or LEG_CLEAR).items()}
    data["version"] = version
    data["consent"] = "on"
    return data


class Demo:
    """Look ups into the demo studio by slug."""

    def service(self, slug: str = LEG) -> Service:
        return Service.objects.get(slug=slug)

    def length(self, minutes: int = 60, slug: str = LEG) -> ServiceLength:
        return ServiceLength.objects.get(service__slug=slug, minutes=minutes)

    def therapist(self, slug: str) -> Therapist:
        return Therapist.objects.get(slug=slug)

    def room(self, slug: str) -> Room:
        return Room.objects.get(slug=slug)

    def user(self, username: str) -> User:
        return User.objects.get(username=username)

    def book(
        self,
        start_at: datetime,
        *,
        therapist: str = "ana",
        room: str = "olive",
        service: str = LEG,
        minutes: int = 60,
        status: str = BookingStatus.CONFIRMED,
        **fields,
    ) -> Booking:
        """Place a booking directly (no availability check): a fixture, not a journey."""
        return BookingFactory(
            service=self.service(service),
            length=self.length(minutes, service),
            therapist=self.therapist(therapist),
            room=self.room(room),
            start_at=start_at,
            status=status,
            **fields,
        )


@pytest.fixture
def demo(demo_studio) -> Demo:
    return Demo()


@pytest.fixture
def monday(demo_studio) -> date:
    """A Monday one to two weeks ahead: Ana works 09–14, Ben 14–20, Carla is off."""
    return next_monday()


def browser_for(username: str) -> Browser:
    browser = Browser()
    sign_in(browser, User.objects.get(username=username))
    return browser


@pytest.fixture
def frontdesk(demo_studio) -> Browser:
    """The front desk's browser, logged in."""
    return browser_for("frontdesk")


@pytest.fixture
def owner(demo_studio) -> Browser:
    return browser_for("owner")


@pytest.fixture
def ana(demo_studio) -> Browser:
    """Ana's browser: a therapist, logged in."""
    return browser_for("ana")
