"""Erasure removes every text written by or about the client; the booking records stay."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bookings.models import Booking, BookingStatus, Notification
from intake import services
from intake.models import Review
from tests.factories import BookingFactory, SubmissionFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)
EMAIL = "marta@example.com"


@pytest.fixture
def history():
    """A past visit, reviewed with adaptations and a message, cancelled once, emailed often."""
    past = SubmissionFactory(
        booking__start_at=NOW - timedelta(days=20),
        booking__status=BookingStatus.COMPLETED,
        booking__client__email=EMAIL,
        booking__adaptations="Avoid the left calf",
        created_at=NOW - timedelta(days=21),
    ).booking
    client = past.client
    Review.objects.create(
        booking=past,
        submission=past.submissions.get(),
        decision=Review.Decision.ADAPT,
        adaptations="Avoid the left calf",
        message="Lighter pressure, please mention the knee",
        reviewer=UserFactory(),
        decided_at=NOW - timedelta(days=21),
    )
    cancelled = BookingFactory(
        client=client,
        service=past.service,
        length=past.length,
        therapist=past.therapist,
        room=past.room,
        start_at=NOW - timedelta(days=10),
        status=BookingStatus.CANCELLED,
        cancel_reason="My varicose veins were sore that week",
    )
    upcoming = BookingFactory(
        client=client,
        service=past.service,
        length=past.length,
        therapist=past.therapist,
        room=past.room,
        start_at=NOW + timedelta(days=10),
    )
    for booking, event in ((past, "confirmed"), (past, "review_outcome"), (cancelled, "cancelled")):
        Notification.objects.create(booking=booking, event=event, recipient=EMAIL, sent_at=NOW)
    Notification.objects.create(
        booking=past, event="review_requested", recipient="ana@example.com", sent_at=NOW
    )
    return client, [past, cancelled, upcoming]


def test_erasure_removes_review_adaptations_and_messages(history):
    client, _bookings = history

    services.client_erase(client=client, now=NOW)

    review = Review.objects.get()
    assert (review.adaptations, review.message) == ("", "")
    assert review.decision == Review.Decision.ADAPT  # the decision itself is no personal text
    assert not Booking.objects.exclude(adaptations="").exists()


def test_erasure_removes_cancellation_reasons(history):
    client, (_past, cancelled, upcoming) = history

    services.client_erase(client=client, now=NOW)

    cancelled.refresh_from_db()
    upcoming.refresh_from_db()
    assert cancelled.cancel_reason == ""
    assert cancelled.status == BookingStatus.CANCELLED
    # The upcoming visit is cancelled by the erasure, which says only that.
    assert upcoming.status == BookingStatus.CANCELLED
    assert upcoming.cancel_reason == "Client data erased"
    assert not Booking.objects.filter(cancel_reason__icontains="varicose").exists()


def test_erasure_removes_the_clients_addresses_from_the_notification_log(history):
    client, _bookings = history

    services.client_erase(client=client, now=NOW)

    recipients = list(Notification.objects.values_list("event", "recipient"))
    assert not [pair for pair in recipients if pair[1] == EMAIL]
    client_rows = [r for event, r in recipients if event != "review_requested"]
    assert len(client_rows) == 3
    assert all(r.startswith("erased-") and r.endswith("@invalid") for r in client_rows)
    # The therapist's own address is not the client's data.
    assert ("review_requested", "ana@example.com") in recipients


def test_erasure_keeps_every_booking_record(history):
    client, bookings = history

    services.client_erase(client=client, now=NOW)

    assert set(Booking.objects.filter(client=client)) == set(bookings)
    past = Booking.objects.get(pk=bookings[0].pk)
    assert (past.status, past.start_at, past.price) == (
        BookingStatus.COMPLETED,
        bookings[0].start_at,
        bookings[0].price,
    )
