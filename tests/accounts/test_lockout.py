"""Repeated wrong passwords lock signing in, on the site and in the admin (django-axes)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse

from studio.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

LOGINS = [pytest.param("accounts:login", id="site"), pytest.param("admin:login", id="admin")]


def attempt(client, url_name: str, password: str, *, ip: str = "203.0.113.7", user="frontdesk"):
    return client.post(reverse(url_name), {"username": user, "password": password}, REMOTE_ADDR=ip)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("url_name", LOGINS)
def test_the_fifth_wrong_password_locks_the_account_from_that_address(
    client, people, clock, url_name
):
    """Four wrong passwords show the form again; the fifth, and then the right one, are refused."""
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(4):
        assert attempt(client, url_name, "wrong").status_code == 200
    locked = attempt(client, url_name, "wrong")
    assert locked.status_code == 429
    assert "Too many attempts" in locked.content.decode()
    assert "15 minutes" in locked.content.decode()

    right = attempt(client, url_name, DEMO_PASSWORD)
    assert right.status_code == 429
    assert not signed_in(client)


@pytest.mark.parametrize("url_name", LOGINS)
def test_a_lockout_holds_the_guessing_address_only(client, people, clock, url_name):
    """Failing on purpose from one address does not lock the front desk out of its own desk."""
    for _ in range(5):
        attempt(client, url_name, "wrong")
    response = attempt(client, url_name, DEMO_PASSWORD, ip="198.51.100.20")
    assert response.status_code == 302
    assert signed_in(client)


def test_a_lockout_holds_the_locked_username_only(client, people, clock):
    """Another account can still sign in from the address that guessed wrong."""
    for _ in range(5):
        attempt(client, "accounts:login", "wrong")
    assert attempt(client, "accounts:login", DEMO_PASSWORD, user="owner").status_code == 302


def test_a_lockout_ends_after_the_cool_off(client, people, clock):
    """Fifteen minutes later the right password works again."""
    for _ in range(5):
        attempt(client, "accounts:login", "wrong")
    clock.shift(timedelta(minutes=14))
    assert attempt(client, "accounts:login", DEMO_PASSWORD).status_code == 429
    clock.shift(timedelta(minutes=16))
    assert attempt(client, "accounts:login", DEMO_PASSWORD).status_code == 302
    assert signed_in(client)


def test_a_right_password_clears_the_failures(client, people, clock):
    """Failures before a successful sign-in do not count towards the next lockout."""
    for _ in range(4):
        attempt(client, "accounts:login", "wrong")
    assert attempt(client, "accounts:login", DEMO_PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))
    for _ in range(4):
        assert attempt(client, "accounts:login", "wrong").status_code == 200


def test_a_locked_out_htmx_or_ajax_request_is_not_a_server_error(client, people, clock):
    """Axes answers a script's request too, and never with a 500."""
    for _ in range(5):
        attempt(client, "accounts:login", "wrong")
    response = client.post(
        reverse("accounts:login"),
        {"username": "frontdesk", "password": DEMO_PASSWORD},
        REMOTE_ADDR="203.0.113.7",
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )
    assert response.status_code == 429
