"""Staff accounts need a second factor (TOTP, with recovery codes) before any staff page."""

import re
from base64 import b32decode

import pytest
from django.test import Client as Browser
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from studio.demo import DEMO_PASSWORD
from tests.auth import authenticator_for, sign_in, totp_code

pytestmark = pytest.mark.django_db

SETUP = reverse("accounts:mfa_setup")
VERIFY = reverse("accounts:mfa_verify")
# One page of each family a staff account reaches, and the account's own page.
STAFF_PAGES = [
    "/en/staff/calendar/",
    "/en/staff/clients/",
    "/en/me/day/",
    "/en/therapist/reviews/",
    "/en/admin/",
    "/en/accounts/",
    "/en/accounts/password/change/",
]


def password_sign_in(browser, username: str, password: str = DEMO_PASSWORD, **extra):
    return browser.post(
        reverse("accounts:login"), {"username": username, "password": password, **extra}
    )


def code_from_secret(secret: str, *, ahead: int = 0) -> str:
    totp = TOTP(b32decode(secret))
    totp.time = totp.time + 30 * ahead
    return f"{totp.token():06d}"


@pytest.mark.parametrize("username", ["frontdesk", "owner", "ana"])
def test_a_staff_account_without_an_authenticator_is_sent_to_set_one_up(
    client, people, clock, username
):
    """After the password, every staff page leads to the set-up, keeping where it was going."""
    response = password_sign_in(client, username)
    assert response.status_code == 302
    assert client.get(response.url).url.startswith(SETUP)
    for page in STAFF_PAGES:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response.url == f"{SETUP}?next={page.replace('/', '%2F')}", page


def test_an_htmx_request_is_sent_to_the_set_up_as_a_whole_page(client, people, clock):
    password_sign_in(client, "frontdesk")
    response = client.get("/en/staff/calendar/", HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"] == SETUP


def test_setting_up_shows_a_qr_code_and_the_secret_and_a_right_code_confirms_it(
    client, people, clock
):
    """The app's first code confirms it; ten recovery codes are shown once; staff pages open."""
    password_sign_in(client, "ana")
    page = client.get(SETUP, {"next": "/en/me/day/"})
    assert page.status_code == 200
    secret = re.search(r'data-secret="([A-Z2-7]+)"', page.content.decode()).group(1)
    qr = client.get(reverse("accounts:mfa_setup_qr"))
    assert qr["Content-Type"] == "image/svg+xml"
    assert b"<svg" in qr.content

    wrong = client.post(SETUP, {"code": "000000", "next": "/en/me/day/"})
    assert wrong.status_code == 400
    assert "did not match" in wrong.content.decode()
    assert client.get("/en/me/day/").status_code == 302

    clock.shift(2)  # a wrong code makes the next try wait a second (django-otp throttling)
    done = client.post(SETUP, {"code": code_from_secret(secret), "next": "/en/me/day/"})
    assert done.status_code == 200
    codes = re.findall(r'<li class="recovery-code">(\w+)</li>', done.content.decode())
    assert len(codes) == 10
    assert set(codes) == set(
        StaticToken.objects.filter(device__user=people["ana"]).values_list("token", flat=True)
    )
    assert TOTPDevice.objects.get(user=people["ana"]).confirmed
    assert client.get("/en/me/day/").status_code == 200
    # Once set up, the set-up page cannot be used to add another app with the password only.
    other = Browser()
    password_sign_in(other, "ana")
    assert other.get(SETUP).url.startswith(VERIFY)
    assert other.get(reverse("accounts:mfa_setup_qr")).status_code == 404


def test_reloading_the_set_up_keeps_the_same_secret(client, people, clock):
    """A secret already scanned into the app stays valid until it is confirmed."""
    password_sign_in(client, "ana")
    first = re.search(r'data-secret="(\w+)"', client.get(SETUP).content.decode()).group(1)
    again = re.search(r'data-secret="(\w+)"', client.get(SETUP).content.decode()).group(1)
    assert first == again


@pytest.mark.parametrize("username", ["frontdesk", "owner", "ana"])
def test_with_an_authenticator_every_staff_page_asks_for_a_code_first(
    client, people, clock, username
):
    device = authenticator_for(people[username])
    password_sign_in(client, username)
    for page in STAFF_PAGES:
        response = client.get(page)
        assert response.url == f"{VERIFY}?next={page.replace('/', '%2F')}", page

    wrong = client.post(VERIFY, {"code": "123456", "next": "/en/staff/clients/"})
    assert wrong.status_code == 400
    clock.shift(2)
    response = client.post(VERIFY, {"code": totp_code(device), "next": "/en/staff/clients/"})
    assert response.status_code == 302
    assert response.url == "/en/staff/clients/"
    for page in STAFF_PAGES:
        # Each page now answers as the role allows (some 403 for some roles), never the code.
        response = client.get(page)
        assert not (response.status_code == 302 and response.url.startswith(VERIFY)), page
    assert client.get("/en/accounts/").status_code == 200


def test_the_admin_login_leads_to_the_second_factor_too(client, people, clock):
    """Signing in on the admin's own page does not open the admin without a code."""
    authenticator_for(people["owner"])
    response = client.post(
        reverse("admin:login") + "?next=/admin/",
        {"username": "owner", "password": DEMO_PASSWORD, "next": "/en/admin/"},
    )
    assert response.url == "/en/admin/"
    assert client.get("/en/admin/").url == f"{VERIFY}?next=%2Fen%2Fadmin%2F"
    assert client.get("/en/admin/intake/accesslog/").url.startswith(VERIFY)


def test_a_code_is_accepted_only_once(client, people, clock):
    """The same code cannot be replayed in another browser."""
    device = authenticator_for(people["frontdesk"])
    code = totp_code(device)
    password_sign_in(client, "frontdesk")
    assert client.post(VERIFY, {"code": code}).status_code == 302
    other = Browser()
    password_sign_in(other, "frontdesk")
    assert other.post(VERIFY, {"code": code}).status_code == 400
    assert other.get("/en/staff/calendar/").status_code == 302


def test_a_recovery_code_signs_in_once(client, people, clock):
    """A recovery code stands in for the app once; used again, it is refused."""
    from accounts.services import recovery_codes_replace

    authenticator_for(people["frontdesk"])
    codes = recovery_codes_replace(user=people["frontdesk"])
    password_sign_in(client, "frontdesk")
    response = client.post(VERIFY, {"code": codes[0].upper(), "next": "/en/staff/calendar/"})
    assert response.url == "/en/staff/calendar/"
    assert client.get("/en/staff/calendar/").status_code == 200

    again = Browser()
    password_sign_in(again, "frontdesk")
    assert again.post(VERIFY, {"code": codes[0]}).status_code == 400
    assert again.get("/en/staff/calendar/").status_code == 302
    clock.shift(2)
    assert again.post(VERIFY, {"code": codes[1]}).status_code == 302
    assert StaticToken.objects.filter(device__user=people["frontdesk"]).count() == 8


def test_new_recovery_codes_replace_the_old_ones(client, people, clock):
    sign_in(client, people["owner"])
    from accounts.services import recovery_codes_replace

    old = recovery_codes_replace(user=people["owner"])
    page = client.post(reverse("accounts:account"))
    new = re.findall(r'<li class="recovery-code">(\w+)</li>', page.content.decode())
    assert len(new) == 10
    assert not set(old) & set(new)
    other = Browser()
    password_sign_in(other, "owner")
    assert other.post(VERIFY, {"code": old[0]}).status_code == 400


def test_wrong_codes_slow_down_the_next_tries(client, people, clock):
    """After wrong codes, even the right one waits (django-otp's throttling), then works."""
    from datetime import timedelta

    device = authenticator_for(people["frontdesk"])
    password_sign_in(client, "frontdesk")
    for _ in range(3):
        client.post(VERIFY, {"code": "000000"})
    refused = client.post(VERIFY, {"code": totp_code(device)})
    assert refused.status_code == 400
    assert "Too many wrong codes" in refused.content.decode()
    clock.shift(timedelta(seconds=10))
    assert client.post(VERIFY, {"code": totp_code(device)}).status_code == 302


def test_a_client_account_is_not_asked_for_a_second_factor(client, people, clock):
    response = password_sign_in(client, "marta", "marta-pass-2026")
    assert response.status_code == 302
    assert client.get(reverse("studio:home")).status_code == 200
    assert client.get(reverse("accounts:account")).status_code == 200


def test_the_test_helper_passes_the_second_factor_as_a_code_would(client, people):
    """``sign_in`` opens staff pages; a bare ``force_login`` does not (enforcement is real)."""
    bare = Browser()
    bare.force_login(people["frontdesk"])
    assert bare.get("/en/staff/calendar/").status_code == 302
    sign_in(client, people["frontdesk"])
    assert client.get("/en/staff/calendar/").status_code == 200


def test_signing_in_with_the_demo_password_still_works_for_every_demo_person(people, clock):
    """`make run`'s printed logins stay usable: the password step passes for each of them."""
    for username in ("frontdesk", "owner", "ana", "ben", "carla"):
        browser = Browser()
        response = password_sign_in(browser, username)
        assert response.status_code == 302, username
        assert browser.get(reverse("studio:home")).url.startswith(SETUP), username


def test_a_lost_phone_is_reset_from_the_command_line(client, people, clock):
    """After ``mfa_reset`` the person sets up a new authenticator on the next sign-in."""
    from django.core.management import call_command

    authenticator_for(people["ana"])
    call_command("mfa_reset", "ana")
    assert not TOTPDevice.objects.filter(user=people["ana"]).exists()
    password_sign_in(client, "ana")
    assert client.get("/en/me/day/").url.startswith(SETUP)
