"""What anyone typed reaches an email's HTML part as text, never as markup.

A client's name, a therapist's adaptations and decline message and a studio's own details
are rendered into the plain part with autoescape off; the HTML part must carry them
escaped, so booking with a name like ``<a href=…>`` cannot make the studio send HTML.
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils.html import escape

from bookings import services
from bookings.messages import sweeps
from bookings.models import Booking
from intake.services import review_decide
from studio.models import Studio
from tests.bookings.messages.conftest import (
    LEG_REVIEW,
    NOW,
    START,
    assert_no_health_text,
    madrid,
)

pytestmark = pytest.mark.django_db

PAYLOADS = [
    "<script>alert(1)</script>",
    '<a href="https://evil.example/">click</a>',
    '"><img src=x onerror=alert(1)>',
]
RAW_MARKUP = ("<script", '<a href="https://evil', "<img", "onerror=alert(1)>")
HEALTH_NOTE = "<b>Varicose veins</b> after the second pregnancy"


def html_parts(message) -> list[str]:
    return [body for body, mimetype in message.alternatives if mimetype == "text/html"]


def assert_escaped(messages, *typed: str) -> None:
    """Fail unless every HTML part escapes the typed texts it carries and has no raw tag."""
    assert messages
    for message in messages:
        (html,) = html_parts(message)
        for marker in RAW_MARKUP:
            assert marker not in html, f"{message.subject!r} carries raw {marker!r}"
        for text in typed:
            if text in message.body:  # the plain part has it as typed, the HTML escaped
                assert escape(text) in html, f"{message.subject!r} lost {text!r}"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_every_email_of_a_booking_escapes_the_clients_name(
    make, django_capture_on_commit_callbacks, payload
):
    """Book, review with adaptations, remind, move and cancel: the name is text throughout."""
    name = f"Marta {payload}"
    adaptations = f"Avoid the left calf {payload}"
    ana = make.therapist()
    with django_capture_on_commit_callbacks(execute=True):
        booking = make.book(LEG_REVIEW | {"anything_else": HEALTH_NOTE}, name=name)
    with django_capture_on_commit_callbacks(execute=True):
        review_decide(
            booking=booking,
            reviewer=ana.user,
            decision="adapt",
            adaptations=adaptations,
            now=NOW,
        )
    with django_capture_on_commit_callbacks(execute=True):
        sweeps.reminders_send(now=START - timedelta(hours=23))
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_reschedule(
            booking=booking, start_at=madrid(2026, 12, 10, 11, 0), therapist=ana, now=NOW
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking=booking, reason=payload, now=NOW)

    client_mail = [m for m in mail.outbox if m.to == [booking.client.email]]
    assert len(client_mail) >= 4
    assert any(name in m.body for m in client_mail)
    assert any(adaptations in m.body for m in client_mail)
    assert_escaped(mail.outbox, name, adaptations)
    assert_no_health_text(mail.outbox, HEALTH_NOTE, escape(HEALTH_NOTE))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_decline_message_arrives_escaped(make, django_capture_on_commit_callbacks, payload):
    """The therapist's message to the client is shown as they typed it, not as markup."""
    message_text = f"Please call us first. {payload}"
    with django_capture_on_commit_callbacks(execute=True):
        booking = make.book(LEG_REVIEW)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        review_decide(
            booking=booking,
            reviewer=make.therapist().user,
            decision="decline",
            message=message_text,
            now=NOW,
        )
    (message,) = mail.outbox
    assert message_text in message.body
    assert_escaped(mail.outbox, message_text)


def test_the_studios_own_details_and_a_phone_clients_name_arrive_escaped(
    make, django_capture_on_commit_callbacks
):
    """The studio's name and address (typed in the admin) and the staff's emails escape too."""
    studio = Studio.load()
    studio.name = PAYLOADS[0]
    studio.address = PAYLOADS[1]
    studio.save()
    with django_capture_on_commit_callbacks(execute=True):
        held = make.hold(
            start=madrid(2026, 12, 11, 9, 0), source=Booking.Source.PHONE, name=PAYLOADS[2]
        )
        services.intake_link_send(booking=held)
    with django_capture_on_commit_callbacks(execute=True):
        sweeps.review_alerts_send(now=NOW)  # nothing to review: sends nothing
    (message,) = mail.outbox
    (html,) = html_parts(message)
    assert escape(PAYLOADS[0]) in html
    assert_escaped(mail.outbox, PAYLOADS[0], PAYLOADS[1], PAYLOADS[2])


def test_the_check_would_catch_a_raw_tag():
    """The assertion above is not vacuous: an HTML part with a raw tag fails it."""
    message = mail.EmailMultiAlternatives(subject="Hi", body="Hello <b>x</b>", to=["a@b.c"])
    message.attach_alternative("<p>Hello <script>alert(1)</script></p>", "text/html")
    with pytest.raises(AssertionError):
        assert_escaped([message], "<script>alert(1)</script>")
