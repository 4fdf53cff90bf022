"""Past the studio's no-show limit, a client's online bookings wait for the front desk.

The client is told their time is reserved and awaits the studio's confirmation; the front
desk sees why (the count of no-shows), confirms from the booking card, and the client gets
the usual confirmation. Nobody but staff ever reads the reason.
"""

from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from bookings.models import Booking, BookingStatus
from studio.models import Studio
from studio.timezones import studio_tz
from tests.factories import BookingFactory, ClientFactory
from tests.intake.conftest import book, clear_answers, staff_browser

pytestmark = pytest.mark.django_db

# Monday 8 March 2027, 08:00 in Madrid: the views read this pinned clock.
NOW = datetime(2027, 3, 8, 8, 0, tzinfo=studio_tz())
EMAIL = "marta@example.com"
REASON = "2 no-shows in the last 12 months"


@pytest.fixture(autouse=True)
def _pinned_clock(time_machine):
    time_machine.move_to(NOW, tick=False)


def missed(count: int, *, days_ago: int = 30, email: str = EMAIL) -> None:
    """Give the client `count` no-shows, `days_ago` days back."""
    client = ClientFactory(name="Marta Soler", email=email)
    for n in range(count):
        BookingFactory(
            client=client,
            status=BookingStatus.NO_SHOW,
            start_at=NOW - timedelta(days=days_ago, hours=n),
        )


def subjects_to(address: str) -> list[str]:
    return [message.subject for message in mail.outbox if address in message.to]


def test_two_no_shows_make_an_online_booking_await_the_front_desk(client, demo_studio):
    missed(2)
    booking, response = book(client, email=EMAIL)

    assert booking.status == BookingStatus.AWAITING_DESK
    assert booking.no_shows_counted == 2
    assert booking.confirmed_at is None
    page = client.get(response.url).content.decode()
    assert "awaiting confirmation by the studio" in page
    assert "Your booking is confirmed." not in page
    assert "no-show" not in page.lower()  # the reason is for staff only


def test_the_client_hears_their_time_is_reserved_and_the_front_desk_is_asked(
    client, demo_studio, django_capture_on_commit_callbacks
):
    missed(2)
    with django_capture_on_commit_callbacks(execute=True):
        booking, _response = book(client, email=EMAIL)

    to_client = [message for message in mail.outbox if EMAIL in message.to]
    assert [message.subject for message in to_client] == [
        f"We have your booking request for {booking.start_at.astimezone(studio_tz()):%d/%m %H:%M}"
    ]
    assert "The studio will confirm it shortly" in to_client[0].body
    assert "no-show" not in to_client[0].body.lower()
    assert not to_client[0].attachments  # no calendar file before it is confirmed
    to_desk = [m for m in mail.outbox if EMAIL not in m.to]
    # In the studio's language, as every message to the front desk.
    with translation.override(Studio.load().default_language):
        asked = gettext("A booking awaits your confirmation: %(when)s") % {"when": ""}
    assert [m.subject.split(":")[0] for m in to_desk] == [asked.split(":")[0]]
    assert to_desk[0].to == [Studio.load().email or settings.STUDIO_STAFF_EMAIL]
    assert REASON not in to_desk[0].body  # an email carries no more than it needs


def test_one_no_show_or_old_ones_confirm_as_usual(client, demo_studio):
    missed(1)
    missed(3, days_ago=400, email="other@example.com")
    booking, _response = book(client, email=EMAIL)
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.no_shows_counted is None

    other, _response = book(client, email="other@example.com", name="Other")
    assert other.status == BookingStatus.CONFIRMED


@pytest.mark.parametrize(
    ("limit", "missed_count", "status"),
    [
        (0, 5, BookingStatus.CONFIRMED),  # 0 turns the rule off
        (3, 2, BookingStatus.CONFIRMED),  # below a higher limit
        (3, 3, BookingStatus.AWAITING_DESK),  # at it
    ],
)
def test_the_studio_sets_the_limit(client, demo_studio, limit, missed_count, status):
    Studio.objects.update(no_show_limit=limit)
    Studio.forget()
    missed(missed_count)
    booking, _response = book(client, email=EMAIL)
    assert booking.status == status


def test_a_stop_stays_a_stop_past_the_limit(client, demo_studio):
    missed(2)
    booking, _response = book(
        client,
        email=EMAIL,
        answers=clear_answers("leg-massage", leg_symptoms="yes", leg_symptoms_side="one"),
    )
    assert booking.status == BookingStatus.STOPPED
    assert booking.no_shows_counted is None


def test_a_review_approved_past_the_limit_still_awaits_the_front_desk(
    client, demo_studio, django_capture_on_commit_callbacks
):
    missed(2)
    booking, _response = book(
        client,
        email=EMAIL,
        answers=clear_answers("leg-massage", pregnant="yes", pregnancy_complications="no"),
    )
    assert booking.status == BookingStatus.AWAITING_REVIEW
    assert booking.no_shows_counted == 2

    therapist = staff_browser(booking.therapist.user.username)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = therapist.post(
            reverse("intake:review_detail", kwargs={"public_id": booking.public_id}),
            {"decision": "approve"},
        )
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.AWAITING_DESK
    assert booking.confirmed_at is None
    (outcome,) = [m for m in mail.outbox if EMAIL in m.to]
    assert "The studio will confirm your booking shortly" in outcome.body
    assert "your booking is confirmed" not in outcome.body
    assert not outcome.attachments
    assert sum(EMAIL not in m.to for m in mail.outbox) == 1  # and the front desk is asked


def test_the_front_desk_sees_why_and_confirms(
    client, demo_studio, django_capture_on_commit_callbacks
):
    missed(2)
    booking, _response = book(client, email=EMAIL)
    desk = staff_browser("frontdesk")

    card = desk.get(reverse("bookings:staff_booking", kwargs={"public_id": booking.public_id}))
    assert REASON in card.content.decode()
    day = desk.get(
        reverse("bookings:staff_calendar"),
        {"date": booking.start_at.astimezone(studio_tz()).date().isoformat()},
    )
    assert REASON in day.content.decode()
    assert "Awaiting confirmation" in day.content.decode()
    home = desk.get(reverse("owner:home")).content.decode()
    assert "1 booking awaits the front desk" in home

    confirm = reverse("bookings:staff_booking_confirm", kwargs={"public_id": booking.public_id})
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = desk.post(confirm, follow=True)
    assert "The booking is confirmed, and the client has been told." in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.confirmed_at == NOW
    (confirmed,) = [m for m in mail.outbox if EMAIL in m.to]
    assert confirmed.subject.startswith("Your leg massage is booked")
    assert confirmed.attachments  # the calendar file, now that it is confirmed

    # A second press changes nothing and sends nothing.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        again = desk.post(confirm, follow=True)
    assert "This booking is not awaiting confirmation" in again.content.decode()
    assert mail.outbox == []


def test_only_the_front_desk_and_owner_may_confirm(client, demo_studio):
    missed(2)
    booking, _response = book(client, email=EMAIL)
    confirm = reverse("bookings:staff_booking_confirm", kwargs={"public_id": booking.public_id})

    assert staff_browser(booking.therapist.user.username).post(confirm).status_code == 404
    assert client.post(confirm).status_code == 404  # anonymous: no hint that it exists
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.AWAITING_DESK
    # A booking that is not awaiting the front desk is not confirmed by a forged post.
    other = BookingFactory(status=BookingStatus.CANCELLED, start_at=NOW + timedelta(days=3))
    staff_browser("owner").post(
        reverse("bookings:staff_booking_confirm", kwargs={"public_id": other.public_id})
    )
    assert Booking.objects.get(pk=other.pk).status == BookingStatus.CANCELLED


def test_a_phone_booking_is_the_front_desks_own_and_is_not_held_back(demo_studio):
    from bookings import services

    missed(2)
    client = ClientFactory(email="phone@example.com")
    for n in range(2):
        BookingFactory(
            client=client, status=BookingStatus.NO_SHOW, start_at=NOW - timedelta(days=2 + n)
        )
    booking = BookingFactory(
        client=client,
        status=BookingStatus.HELD,
        source=Booking.Source.PHONE,
        start_at=NOW + timedelta(days=2),
    )
    settled = services.booking_settle(booking=booking, status=BookingStatus.CONFIRMED, now=NOW)
    assert settled.status == BookingStatus.CONFIRMED
