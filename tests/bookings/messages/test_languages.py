"""Every message is in its reader's language, and its links open pages in that language.

The client's language is the booking's; a therapist's is their own; the front desk's is
the studio's default.
"""

import re
from datetime import timedelta

import pytest
from django.core import mail
from icalendar import Calendar

from bookings.messages import links, sweeps
from studio.models import Studio, Therapist
from tests.bookings.messages.conftest import (
    ANA_EMAIL,
    CLIENT_EMAIL,
    LEG_REVIEW,
    LEG_STOP,
    STAFF_EMAIL,
    START,
)

pytestmark = pytest.mark.django_db

WHEN = "09/12 10:00"


def sent_to(address: str):
    return [message for message in mail.outbox if message.to == [address]]


def html_part(message) -> str:
    (html, _mime) = message.alternatives[0]
    return html


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    def run(function, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(**kwargs)

    return run


def test_a_catalan_clients_confirmation_is_in_catalan_with_catalan_links(make, send):
    booking = send(make.book, language="ca")

    (message,) = sent_to(CLIENT_EMAIL)
    assert message.subject.startswith("Reserva confirmada: ")
    assert booking.language == "ca"
    manage = re.search(r"https?://\S+/b/\S+", message.body).group(0)
    assert "/ca/b/" in manage
    assert '<html lang="ca">' in html_part(message)
    (_name, ics, _mime) = message.attachments[0]
    (event,) = Calendar.from_ical(ics).walk("VEVENT")
    assert str(event["DESCRIPTION"]).startswith("60 minuts amb ")
    assert "/ca/b/" in str(event["DESCRIPTION"])


def test_a_spanish_clients_request_awaiting_review_is_in_spanish(make, send):
    send(make.book, answers=LEG_REVIEW, language="es")

    (client,) = sent_to(CLIENT_EMAIL)
    assert client.subject == f"Hemos recibido tu solicitud de reserva para el {WHEN}"
    assert '<html lang="es">' in html_part(client)


def test_a_therapist_reads_in_their_own_language_whatever_the_clients(make, send):
    Therapist.objects.filter(slug="ana").update(language="es")

    booking = send(make.book, answers=LEG_REVIEW, language="ca")

    (therapist,) = sent_to(ANA_EMAIL)
    (client,) = sent_to(CLIENT_EMAIL)
    assert therapist.subject == f"Una reserva espera tu revisión: {WHEN}"
    assert f"/es/therapist/reviews/{booking.public_id}/" in therapist.body
    assert client.subject == f"Hem rebut la teva sol·licitud de reserva per al {WHEN}"


def test_the_front_desk_reads_the_studios_default_language(make, send):
    studio = Studio.load()
    studio.default_language = "ca"
    studio.save()

    send(make.book, answers=LEG_STOP, language="es")

    (desk,) = sent_to(STAFF_EMAIL)
    assert desk.subject == "Les preguntes de salut han aturat un intent de reserva"
    assert '<html lang="ca">' in html_part(desk)


def test_the_reminder_and_its_rescreen_link_are_in_the_clients_language(make, send):
    booking = make.book(language="es")
    mail.outbox.clear()

    send(sweeps.reminders_send, now=START - timedelta(hours=23))

    (reminder,) = sent_to(CLIENT_EMAIL)
    assert reminder.subject == f"Hasta pronto: {booking.service.name}, el {WHEN}"
    assert re.search(r"/es/rescreen/[^/\s]+/", reminder.body)
    assert "/es/rescreen/" in links.rescreen_url(booking)
    assert links.reminder_url(booking) in reminder.body
    assert "/es/reminder/" in links.reminder_url(booking)
