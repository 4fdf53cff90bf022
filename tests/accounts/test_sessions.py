"""Staff sessions end after 30 minutes idle or 12 hours in all; clients' sessions do not."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from tests.auth import sign_in

pytestmark = pytest.mark.django_db

CALENDAR = "/en/staff/calendar/"


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_a_staff_session_ends_after_thirty_idle_minutes(client, people, clock):
    """Activity keeps it open; a pause of more than the idle limit signs out."""
    sign_in(client, people["frontdesk"])
    assert client.get(CALENDAR).status_code == 200
    clock.shift(timedelta(minutes=29))
    assert client.get(CALENDAR).status_code == 200
    clock.shift(timedelta(minutes=29))
    assert client.get(CALENDAR).status_code == 200
    clock.shift(timedelta(minutes=32))
    response = client.get(CALENDAR)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    assert not signed_in(client)


def test_a_staff_session_ends_twelve_hours_after_signing_in_however_busy(client, people, clock):
    sign_in(client, people["ana"])
    for _ in range(35):  # a request every 20 minutes: 11 h 40 min
        clock.shift(timedelta(minutes=20))
        assert client.get("/en/me/day/").status_code == 200
    clock.shift(timedelta(minutes=21))
    assert client.get("/en/me/day/").url.startswith(reverse("accounts:login"))
    assert not signed_in(client)


def test_the_stored_staff_session_itself_expires_when_idle(client, people, clock):
    """The session row and cookie expire too, not only the check on the next request."""
    sign_in(client, people["owner"])
    client.get(CALENDAR)
    assert client.session.get_expiry_age() <= 31 * 60


@override_settings(CALMA_STAFF_IDLE_MINUTES=5, CALMA_STAFF_SESSION_MAX_HOURS=1)
def test_both_limits_are_settings(client, people, clock):
    sign_in(client, people["frontdesk"])
    clock.shift(timedelta(minutes=4))
    assert client.get(CALENDAR).status_code == 200
    clock.shift(timedelta(minutes=6))
    assert client.get(CALENDAR).status_code == 302
    sign_in(client, people["frontdesk"])
    for _ in range(16):  # 64 minutes, never 5 idle
        clock.shift(timedelta(minutes=4))
        client.get(CALENDAR)
    assert client.get(CALENDAR).status_code == 302


def test_a_client_account_session_is_not_shortened(client, people, clock):
    client.post(reverse("accounts:login"), {"username": "marta", "password": "marta-pass-2026"})
    assert signed_in(client)
    clock.shift(timedelta(hours=13))
    assert client.get(reverse("accounts:account")).status_code == 200
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE


def test_signing_out_after_idle_needs_the_second_factor_again(client, people, clock):
    """A new sign-in after the timeout starts without the second factor passed."""
    from tests.auth import authenticator_for

    authenticator_for(people["frontdesk"])
    sign_in(client, people["frontdesk"])
    clock.shift(timedelta(minutes=31))
    client.get(CALENDAR)
    client.post(reverse("accounts:login"), {"username": "frontdesk", "password": "calma-demo-2026"})
    assert client.get(CALENDAR).url.startswith(reverse("accounts:mfa_verify"))


def test_the_idle_check_signs_out_before_the_stored_session_expires(client, people, clock):
    """Half a minute past the limit the session row still exists; the check signs out."""
    sign_in(client, people["frontdesk"])
    clock.shift(timedelta(minutes=30, seconds=30))
    assert client.session.get("_auth_user_id")  # the stored session itself is still there
    response = client.get(CALENDAR)
    assert response.url.startswith(reverse("accounts:login"))
    assert not signed_in(client)
    assert "signed out to keep the studio" in client.get(response.url).content.decode()
