"""Signing in as staff in a real browser: the second factor's set-up, its codes, lockout."""

from base64 import b32encode

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from studio.demo import DEMO_PASSWORD
from tests.auth import totp_code
from tests.browser.conftest import totp_from_secret

pytestmark = pytest.mark.browser


def password_step(page, base: str, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{base}/en/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


@pytest.mark.django_db(transaction=True)
def test_a_therapist_sets_up_two_step_sign_in_then_signs_in_with_a_code(page, live_demo, shot):
    """First sign-in: QR code and key, a code from them, recovery codes; next time, a code."""
    base = live_demo.url
    password_step(page, base, "ana")
    page.goto(f"{base}/en/me/day/")
    page.wait_for_url("**/accounts/mfa/setup/**")
    expect(page.get_by_role("heading", name="Set up two-step sign-in")).to_be_visible()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    shot("setup")
    secret = page.locator("#totp-secret").get_attribute("data-secret")
    assert secret and len(secret) == 32

    page.get_by_role("textbox", name="Code").fill(totp_from_secret(secret))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    expect(page.locator(".recovery-code")).to_have_count(10)
    shot("recovery-codes")
    page.get_by_role("link", name="I have saved them, continue").click()
    page.wait_for_url("**/me/day/*")

    page.get_by_role("button", name="Log out (ana)").click()
    page.wait_for_load_state()
    password_step(page, base, "ana")
    page.goto(f"{base}/en/therapist/reviews/")
    page.wait_for_url("**/accounts/mfa/verify/**")
    shot("code-asked")
    # The key the page showed is the one the studio checks codes against.
    device = TOTPDevice.objects.get(user__username="ana", confirmed=True)
    assert b32encode(device.bin_key).decode() == secret
    # A code is accepted once: this is the app's next one if the set-up's is still current.
    page.get_by_role("textbox", name="Code").fill(totp_code(device))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/therapist/reviews/")
    expect(page.get_by_role("button", name="Log out (ana)")).to_be_visible()
    shot("signed-in")


@pytest.mark.django_db(transaction=True)
def test_repeated_wrong_passwords_lock_signing_in(page, live_demo, shot):
    """Five wrong passwords show the lockout page; the right one is refused after that."""
    base = live_demo.url
    for _ in range(4):
        password_step(page, base, "frontdesk", "not-the-password")
        expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    password_step(page, base, "frontdesk", "not-the-password")
    expect(page.get_by_role("heading", name="Too many attempts")).to_be_visible()
    shot("locked")
    password_step(page, base, "frontdesk")
    expect(page.get_by_role("heading", name="Too many attempts")).to_be_visible()
    page.goto(f"{base}/en/staff/calendar/")
    page.wait_for_url("**/accounts/login/**")
