"""Manage links stop working a while after the visit, and staff can revoke or renew them."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client as Browser
from django.urls import reverse

from bookings import selectors, services
from bookings.models import BookingStatus
from tests.auth import sign_in
from tests.bookings.helpers import NOW
from tests.factories import BookingFactory, ClientFactory

pytestmark = pytest.mark.django_db

GONE = "This link no longer works"


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def booking(demo, clock):
    """Ana's confirmed leg massage tomorrow, for Marta."""
    return _booking(demo)


def _booking(demo):
    from studio.models import Room

    return BookingFactory(
        service=demo.service(),
        length=demo.length(60),
        therapist=demo.therapist("ana"),
        room=Room.objects.get(slug="olive"),
        start_at=NOW + timedelta(days=1),
        client=ClientFactory(name="Marta Soler", email="marta@example.com"),
    )


def manage_pages(booking) -> list[str]:
    token = {"token": booking.manage_token}
    return [
        reverse("bookings:booking_manage", kwargs=token),
        reverse("bookings:booking_ics", kwargs=token),
        reverse("bookings:booking_reschedule", kwargs=token),
        reverse("intake:client_data", kwargs=token),
        reverse("intake:client_erase", kwargs=token),
    ]


def assert_gone(response):
    """A dead link answers 404 with the friendly page, and nothing of the booking."""
    assert response.status_code == 404
    html = response.content.decode()
    assert GONE in html
    for detail in ("Marta", "Leg massage", "Ana"):
        assert detail not in html


def test_a_manage_link_works_until_thirty_days_after_the_visit(client, booking, clock):
    assert selectors.manage_link_expires_at(booking) == booking.end_at + timedelta(days=30)
    clock.move_to(booking.end_at + timedelta(days=29, hours=23))
    assert client.get(booking.get_manage_url()).status_code == 200
    clock.move_to(booking.end_at + timedelta(days=30, minutes=1))
    assert_gone(client.get(booking.get_manage_url()))
    assert (
        client.get(
            reverse("bookings:booking_ics", kwargs={"token": booking.manage_token})
        ).status_code
        == 404
    )


def test_an_unknown_token_gets_the_same_friendly_page(client, booking):
    assert_gone(client.get(reverse("bookings:booking_manage", kwargs={"token": "no-such-token"})))


def test_a_revoked_link_leads_nowhere_and_changes_nothing(client, booking):
    services.booking_manage_link_revoke(booking=booking)
    for url in manage_pages(booking):
        assert client.get(url).status_code == 404, url
    assert_gone(client.get(booking.get_manage_url()))
    response = client.post(
        reverse("bookings:booking_cancel", kwargs={"token": booking.manage_token})
    )
    assert response.status_code == 404
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def test_staff_revoke_the_link_from_the_booking_card(booking):
    desk = sign_in(Browser(), User.objects.get(username="frontdesk"))
    card = reverse("bookings:staff_booking", kwargs={"public_id": booking.public_id})
    page = desk.get(card).content.decode()
    assert "Revoke the link" in page
    response = desk.post(
        reverse("bookings:staff_booking_link", kwargs={"public_id": booking.public_id}),
        {"action": "revoke"},
    )
    assert response.url == card
    booking.refresh_from_db()
    assert booking.manage_link_revoked_at is not None
    assert_gone(Browser().get(booking.get_manage_url()))
    assert "Revoked on" in desk.get(card).content.decode()


def test_staff_email_a_fresh_link_that_works_long_after_the_visit(
    booking, clock, django_capture_on_commit_callbacks
):
    """The old link dies; the new one reaches the client's mailbox and works from now on."""
    old_url = booking.get_manage_url()
    clock.move_to(booking.end_at + timedelta(days=90))
    desk = sign_in(Browser(), User.objects.get(username="frontdesk"))
    with django_capture_on_commit_callbacks(execute=True):
        response = desk.post(
            reverse("bookings:staff_booking_link", kwargs={"public_id": booking.public_id}),
            {"action": "renew"},
        )
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.get_manage_url() != old_url
    assert_gone(Browser().get(old_url))

    [message] = [m for m in mail.outbox if m.to == ["marta@example.com"]]
    path = re.search(r"https?://[^/\s]+(/en/b/[^\s?]+/)", message.body).group(1)
    assert path == booking.get_manage_url()
    assert Browser().get(path).status_code == 200
    clock.move_to(booking.end_at + timedelta(days=90 + 31))
    assert_gone(Browser().get(path))


def test_a_revoked_link_can_be_renewed(booking):
    services.booking_manage_link_revoke(booking=booking)
    renewed = services.booking_manage_link_renew(booking=booking)
    assert renewed.manage_link_revoked_at is None
    assert Browser().get(renewed.get_manage_url()).status_code == 200


def test_an_empty_or_unknown_action_changes_nothing(booking):
    desk = sign_in(Browser(), User.objects.get(username="frontdesk"))
    url = reverse("bookings:staff_booking_link", kwargs={"public_id": booking.public_id})
    for data in ({}, {"action": "delete"}, {"action": "\x00"}):
        assert desk.post(url, data).status_code == 302
    booking.refresh_from_db()
    assert booking.manage_link_revoked_at is None
    assert Browser().get(booking.get_manage_url()).status_code == 200


def test_a_booking_without_a_client_gets_no_fresh_link(demo, clock):
    from studio.models import Room

    walk_in = BookingFactory(
        service=demo.service(),
        length=demo.length(60),
        therapist=demo.therapist("ana"),
        room=Room.objects.get(slug="olive"),
        start_at=NOW + timedelta(days=2),
        client=None,
    )
    desk = sign_in(Browser(), User.objects.get(username="frontdesk"))
    response = desk.post(
        reverse("bookings:staff_booking_link", kwargs={"public_id": walk_in.public_id}),
        {"action": "renew"},
        follow=True,
    )
    assert response.status_code == 200
    assert "no client to send a link to" in response.content.decode()
    assert mail.outbox == []


def test_only_the_front_desk_may_revoke_or_renew(booking):
    url = reverse("bookings:staff_booking_link", kwargs={"public_id": booking.public_id})
    ana = sign_in(Browser(), User.objects.get(username="ana"))
    # A page naming one booking answers 404 to anyone who may not act on it.
    assert ana.post(url, {"action": "revoke"}).status_code == 404
    assert Browser().post(url, {"action": "revoke"}).status_code == 404
    booking.refresh_from_db()
    assert booking.manage_link_revoked_at is None
