"""Fixtures for the notification tests: a pinned clock and bookings made through the services.

Every booking is made on the demo studio with the write-side services (hold, details, health
answers), never by writing rows, so the messages under test are the ones the real flows queue.
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from bookings import services
from bookings.models import Booking
from intake import selectors as intake_selectors
from intake.models import AftercareReport, Questionnaire
from intake.services import intake_submit
from studio.models import Service, ServiceLength, Studio, Therapist
from tests.bookings.helpers import Clock

MADRID = ZoneInfo("Europe/Madrid")
# Monday 7 December 2026, 09:00 in Madrid (CET, UTC+1): the clock of every pinned test.
NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
# Wednesday 9 December 2026, 10:00 in Madrid: Ana works then, and it is two days ahead, so
# the client may still cancel or reschedule online.
START = datetime(2026, 12, 9, 10, 0, tzinfo=MADRID)

CLIENT_NAME = "Marta Soler"
CLIENT_EMAIL = "marta@example.com"
ANA_EMAIL = "ana@calma.localhost"
STAFF_EMAIL = "hola@calma.localhost"  # the demo studio's own address

LEG_CLEAR = {
    "leg_symptoms": "no",
    "blood_clot": "no",
    "varicose_veins": "none",
    "circulatory_condition": "no",
    "skin_wound": "no",
    "skin_problems": "no",
    "pregnant": "no",
    "injury_or_surgery": "no",
    "intense_pain": "no",
    "diabetes_or_neuropathy": "no",
    "medical_condition": "no",
}
# A free-text answer no email may ever repeat.
SECRET_NOTE = "Knee operated in March, please avoid the left calf near the scar"
LEG_REVIEW = LEG_CLEAR | {"pregnant": "yes", "pregnancy_complications": "no"}
LEG_STOP = LEG_CLEAR | {"leg_symptoms": "yes", "leg_symptoms_side": "one"}

RESCREEN_CLEAR = {
    "leg_symptoms_now": "no",
    "clot_now": "no",
    "new_injury": "no",
    "anything_changed": "no",
}
RESCREEN_STOP = RESCREEN_CLEAR | {"leg_symptoms_now": "yes", "leg_symptoms_now_side": "one"}
RESCREEN_REVIEW = RESCREEN_CLEAR | {"new_injury": "yes"}


def madrid(*args) -> datetime:
    """Return a Madrid wall-clock time as an aware datetime."""
    return datetime(*args, tzinfo=MADRID)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    """Pin the clock the views read (they take no ``now``) to ``NOW``; tests may move it."""
    pinned = Clock(NOW)
    monkeypatch.setattr(timezone, "now", pinned)
    return pinned


class Maker:
    """Make bookings on the demo studio through the services, with a pinned ``now``."""

    def therapist(self, slug: str = "ana") -> Therapist:
        return Therapist.objects.select_related("user").get(slug=slug)

    def hold(
        self,
        *,
        start: datetime = START,
        service: str = "leg-massage",
        minutes: int = 60,
        therapist: str = "ana",
        now: datetime = NOW,
        name: str = CLIENT_NAME,
        email: str = CLIENT_EMAIL,
        source: str = Booking.Source.ONLINE,
        language: str = "en",
    ) -> Booking:
        """Hold a start and say who it is for."""
        booking = services.hold_create(
            service=Service.objects.get(slug=service),
            length=ServiceLength.objects.get(service__slug=service, minutes=minutes),
            therapist=self.therapist(therapist),
            start_at=start,
            now=now,
            source=source,
            language=language,
        )
        return services.hold_attach_client(
            booking=booking, name=name, email=email, phone="+34 600 111 222", now=now
        )

    def answer(self, booking: Booking, answers: dict | None = None, *, now: datetime = NOW):
        """Answer the health questions for a held booking; return it settled."""
        intake_submit(
            booking=booking,
            answers=LEG_CLEAR if answers is None else answers,
            consent_given=True,
            now=now,
        )
        booking.refresh_from_db()
        return booking

    def book(self, answers: dict | None = None, *, now: datetime = NOW, **hold) -> Booking:
        """Hold a start and answer the health questions; return the settled booking."""
        return self.answer(self.hold(now=now, **hold), answers, now=now)


@pytest.fixture
def make(demo_studio) -> Maker:
    """Return a booking maker on the loaded demo studio, with an empty outbox.

    The demo studio speaks Catalan first; here its front desk reads English, as the clients
    and therapists of these tests do, so that each test reads one language.
    (test_languages.py sends the messages in each language.)
    """
    studio = Studio.load()
    studio.default_language = "en"
    studio.save()
    mail.outbox.clear()
    return Maker()


def health_texts() -> set[str]:
    """Return every question text, choice label and reason text of both questionnaires.

    The bare "Yes" and "No" labels are left out: they are ordinary words, not an answer.
    """
    texts: set[str] = set()
    for kind in (Questionnaire.Kind.BOOKING, Questionnaire.Kind.RESCREEN):
        questionnaire = intake_selectors.questionnaire_current(kind=kind)
        for spec in intake_selectors.question_specs(questionnaire):
            texts.add(str(spec.text))
            texts.update(str(choice.label) for choice in spec.options)
            texts.update(str(rule.reason) for rule in spec.rules)
    # What a client may report after the session (feeling well is no health text).
    texts.update(
        str(label)
        for value, label in AftercareReport.Feeling.choices
        if value != AftercareReport.Feeling.WELL
    )
    return {text for text in texts if text not in {"Yes", "No"}}


def email_texts(message) -> list[str]:
    """Return the subject, the plain body and every HTML alternative of an email."""
    return [
        message.subject,
        message.body,
        *(content for content, _mimetype in getattr(message, "alternatives", [])),
    ]


def assert_no_health_text(messages, *extra: str) -> None:
    """Fail if any email repeats a health question, answer or reason, or the given texts.

    The match is case-sensitive: a leak would repeat the text as stored, while the reminder's
    fixed advice to everybody ("… in one leg only, please do not come …") is no answer.
    """
    forbidden = health_texts() | set(extra)
    for message in messages:
        for text in email_texts(message):
            leaked = sorted(item for item in forbidden if item in text)
            assert not leaked, f"{message.subject!r} to {message.to} repeats {leaked}"
