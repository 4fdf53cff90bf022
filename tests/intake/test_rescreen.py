"""The pre-visit re-screen behind the signed link in the reminder, through the view."""

import time
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail, signing
from django.test import Client as Browser
from django.urls import reverse

from bookings import services
from bookings.messages import links, sweeps
from bookings.models import Booking, BookingStatus
from intake import selectors
from intake.models import Questionnaire, Submission
from tests.auth import sign_in
from tests.bookings.messages.conftest import (
    ANA_EMAIL,
    NOW,
    RESCREEN_CLEAR,
    RESCREEN_REVIEW,
    RESCREEN_STOP,
    STAFF_EMAIL,
    START,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def booking(make, clock) -> Booking:
    """A confirmed booking on Wednesday 10:00, with the views' clock pinned to Monday."""
    confirmed = make.book()
    assert confirmed.status == BookingStatus.CONFIRMED
    mail.outbox.clear()
    return confirmed


def link(booking: Booking) -> str:
    """Return the path of the re-screen link the reminder carries."""
    return urlsplit(links.rescreen_url(booking)).path


def form(answers: dict) -> dict:
    version = selectors.questionnaire_current(kind=Questionnaire.Kind.RESCREEN).version
    return {"version": version, **{f"q_{code}": value for code, value in answers.items()}}


def page_text(response) -> str:
    """Return the page's text with whitespace collapsed, as a reader sees it."""
    return " ".join(response.content.decode().split())


def rescreens(booking: Booking):
    return booking.submissions.filter(kind=Submission.Kind.RESCREEN)


@pytest.fixture
def send(client, django_capture_on_commit_callbacks):
    """Post answers through the link, running what the transaction queued once it commits."""

    def post(booking: Booking, answers: dict):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(link(booking), form(answers))

    return post


def test_the_link_opens_the_short_questions(booking, client):
    response = client.get(link(booking))

    assert response.status_code == 200
    text = page_text(response)
    assert "Before your visit" in text
    assert "Has a doctor told you since then that you may have a blood clot?" in text


def test_clear_answers_leave_the_booking_as_it_is(booking, send):
    response = send(booking, RESCREEN_CLEAR)

    assert response.status_code == 200
    assert "Your booking stays as it is." in page_text(response)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert rescreens(booking).get().level == "clear"
    assert mail.outbox == []


def test_one_leg_symptoms_put_the_booking_on_hold_and_alert_the_studio(booking, send):
    response = send(booking, RESCREEN_STOP)

    assert response.status_code == 200
    text = page_text(response)
    assert "Please don't come for your massage for now" in text
    assert "Please seek medical attention promptly" in text
    assert "We have put your booking on hold" in text
    booking.refresh_from_db()
    assert booking.status == BookingStatus.ON_HOLD
    assert rescreens(booking).get().level == "stop"
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == [ANA_EMAIL, STAFF_EMAIL]
    assert {message.subject for message in mail.outbox} == {
        "Re-screen stop: 09/12 10:00, booking on hold"
    }
    # It waits for the therapist like a review.
    assert booking in selectors.review_queue(therapist=booking.therapist)


def test_the_manage_page_of_a_booking_on_hold_keeps_the_medical_advice(booking, send, client):
    """After a re-screen stop the booking page still says to seek medical attention."""
    send(booking, RESCREEN_STOP)

    text = page_text(client.get(booking.get_manage_url()))

    assert "Your booking is on hold" in text
    assert "Please seek medical attention promptly" in text


def test_the_review_page_of_a_booking_on_hold_says_why_before_any_approval(booking, send):
    """The therapist reads that a re-screen stop put it on hold, above the decision form."""
    send(booking, RESCREEN_STOP)
    therapist = Browser()
    sign_in(therapist, booking.therapist.user)

    text = page_text(therapist.get(reverse("intake:review_detail", args=[booking.public_id])))

    assert "On hold because the client's answers to the pre-visit re-screen call for a stop" in (
        text
    )
    assert text.index("On hold because") < text.index("Record decision")


def test_a_review_answer_sends_the_booking_back_to_the_therapists_queue(booking, send):
    response = send(booking, RESCREEN_REVIEW)

    assert response.status_code == 200
    assert "Thank you for letting us know" in page_text(response)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.AWAITING_REVIEW
    assert [(message.to, message.subject) for message in mail.outbox] == [
        ([ANA_EMAIL], "A booking awaits your review: 09/12 10:00")
    ]
    therapist = Browser()
    sign_in(therapist, booking.therapist.user)
    queue = therapist.get(reverse("intake:review_queue"))
    assert reverse("intake:review_detail", args=[booking.public_id]) in queue.content.decode()


def test_missing_answers_are_asked_again_and_change_nothing(booking, send):
    response = send(booking, {"leg_symptoms_now": "yes"})  # which leg, and the rest, missing

    assert response.status_code == 400
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert not rescreens(booking).exists()


def forged_tokens(booking: Booking) -> list[str]:
    real = links.rescreen_token(booking)
    value, signature = real.rsplit(":", 1)
    return [
        "not-a-token",
        f"{value}:{signature[:-2]}{'AA' if not signature.endswith('AA') else 'BB'}",
        # A genuine signature, but with another salt (another kind of link).
        signing.dumps(str(booking.public_id), salt="calma.other", compress=True),
        # Signed with another secret.
        signing.dumps(str(booking.public_id), key="another-secret", salt=links.RESCREEN_SALT),
    ]


def test_a_forged_or_foreign_token_is_a_404(booking, client):
    for token in forged_tokens(booking):
        assert client.get(reverse("intake:rescreen", args=[token])).status_code == 404, token
        assert client.post(
            reverse("intake:rescreen", args=[token]), form(RESCREEN_STOP)
        ).status_code == (404)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert not rescreens(booking).exists()


def test_a_signed_link_to_no_booking_is_a_404(booking, client):
    token = signing.dumps(
        "00000000-0000-0000-0000-000000000000", salt=links.RESCREEN_SALT, compress=True
    )
    assert client.get(reverse("intake:rescreen", args=[token])).status_code == 404


def test_a_used_link_thanks_the_client_and_changes_nothing(booking, send, client):
    send(booking, RESCREEN_CLEAR)
    mail.outbox.clear()

    again = send(booking, RESCREEN_STOP)

    assert again.status_code == 200
    assert "we already have your answers for this visit" in page_text(again)
    assert "we already have your answers" in page_text(client.get(link(booking)))
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert rescreens(booking).count() == 1
    assert mail.outbox == []


def test_a_link_used_for_a_stop_thanks_the_client_and_keeps_the_booking_on_hold(
    booking, send, client
):
    """Opening the link again after a stop is not "no longer active": it is on hold."""
    send(booking, RESCREEN_STOP)
    mail.outbox.clear()

    again = client.get(link(booking))
    resent = send(booking, RESCREEN_CLEAR)

    for response in (again, resent):
        assert response.status_code == 200
        assert "we already have your answers for this visit" in page_text(response)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.ON_HOLD
    # The calendar shows the re-screen's level; a re-screen stop is not a stopped attempt.
    assert booking.screening_level == "stop"
    assert booking.screening_stopped_at is None
    assert rescreens(booking).count() == 1
    assert mail.outbox == []


def test_a_cancelled_booking_has_nothing_to_check(booking, client, send):
    services.booking_cancel(booking=booking, now=NOW)

    response = client.get(link(booking))

    assert response.status_code == 200
    assert "This booking is no longer active, so there is nothing to check." in page_text(response)
    assert send(booking, RESCREEN_STOP).status_code == 200
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert not rescreens(booking).exists()


def test_a_past_visit_has_nothing_to_check(booking, client, clock, send):
    url = link(booking)
    clock.now = START + timedelta(hours=2)

    response = client.get(url)

    assert response.status_code == 200
    assert "This session has already taken place." in page_text(response)
    assert "already taken place" in page_text(send(booking, RESCREEN_STOP))
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert not rescreens(booking).exists()


class SignedDaysAgo(signing.TimestampSigner):
    """Sign as the reminder would have, some days ago."""

    def __init__(self, days: float, **kwargs):
        super().__init__(**kwargs)
        self.days = days

    def timestamp(self):
        return signing.b62_encode(int(time.time() - self.days * 86400))


def old_link(booking: Booking, days: float) -> str:
    token = SignedDaysAgo(days, salt=links.RESCREEN_SALT).sign_object(
        str(booking.public_id), compress=True
    )
    return reverse("intake:rescreen", args=[token])


# The studio's reminder lead (24 hours in the demo) and two days more.
RESCREEN_LINK_DAYS = 3


def test_an_expired_link_is_a_404(booking, client):
    assert client.get(old_link(booking, RESCREEN_LINK_DAYS + 0.1)).status_code == 404
    assert client.get(old_link(booking, RESCREEN_LINK_DAYS - 0.1)).status_code == 200
    # A link the reminder sent the day before still works on the day of the visit.
    assert client.get(old_link(booking, 1.5)).status_code == 200


def test_no_answer_is_not_a_stop(booking, django_capture_on_commit_callbacks):
    """A client who never opens the link keeps their confirmed booking; nobody is alerted."""
    with django_capture_on_commit_callbacks(execute=True):
        assert sweeps.reminders_send(now=START - timedelta(hours=23)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert sweeps.review_alerts_send(now=START - timedelta(hours=1)) == 0

    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert not rescreens(booking).exists()
    assert booking not in selectors.review_queue(therapist=booking.therapist)
    assert [message.subject for message in mail.outbox] == [
        "See you soon: Leg massage at 09/12 10:00"
    ]
