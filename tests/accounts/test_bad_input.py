"""Bad input on the sign-in pages is a form error, never a 500, and changes nothing."""

import pytest
from django.core import mail
from django.test import Client as Browser
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from studio.demo import DEMO_PASSWORD
from tests.auth import authenticator_for

pytestmark = pytest.mark.django_db

BAD = ["", "\x00", "a\x00b", "x" * 5000, "<script>alert(1)</script>", "١٢٣٤٥٦", "💆" * 10]


@pytest.mark.parametrize("value", BAD)
@pytest.mark.parametrize("url_name", ["accounts:login", "admin:login"])
def test_a_bad_username_or_password_is_a_form_error(client, people, clock, url_name, value):
    response = client.post(reverse(url_name), {"username": value, "password": value})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("value", BAD)
def test_a_bad_reset_address_sends_nothing(client, people, value):
    response = client.post(reverse("accounts:password_reset"), {"email": value})
    assert response.status_code in (200, 302)
    assert mail.outbox == []


@pytest.mark.parametrize("value", BAD)
def test_a_bad_code_is_refused_at_set_up_and_at_sign_in(client, people, clock, value):
    client.post(reverse("accounts:login"), {"username": "ana", "password": DEMO_PASSWORD})
    assert client.post(reverse("accounts:mfa_setup"), {"code": value}).status_code == 400
    assert not TOTPDevice.objects.filter(user=people["ana"], confirmed=True).exists()

    authenticator_for(people["frontdesk"])
    desk = Browser()
    desk.post(reverse("accounts:login"), {"username": "frontdesk", "password": DEMO_PASSWORD})
    assert desk.post(reverse("accounts:mfa_verify"), {"code": value}).status_code == 400
    assert desk.get("/en/staff/calendar/").status_code == 302


def test_an_outside_next_is_not_followed_after_the_code(client, people, clock):
    from tests.auth import totp_code

    device = authenticator_for(people["frontdesk"])
    client.post(reverse("accounts:login"), {"username": "frontdesk", "password": DEMO_PASSWORD})
    for target in ("https://evil.example/", "javascript:alert(1)", "//evil.example"):
        response = client.get(reverse("accounts:mfa_verify"), {"next": target})
        assert target not in response.content.decode()
    response = client.post(
        reverse("accounts:mfa_verify"), {"code": totp_code(device), "next": "https://evil.example/"}
    )
    assert response.url == reverse("studio:home")


def test_a_huge_username_is_still_counted_towards_a_lockout(client, people, clock):
    """The recorded username is cut to fit, and the lockout still comes at the fifth try."""
    huge = "x" * 5000
    for _ in range(4):
        assert (
            client.post(reverse("accounts:login"), {"username": huge, "password": "no"}).status_code
            == 200
        )
    assert (
        client.post(reverse("accounts:login"), {"username": huge, "password": "no"}).status_code
        == 429
    )
