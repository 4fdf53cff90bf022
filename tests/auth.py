"""Sign a test browser in the way a person gets in: password, then the second factor.

Staff accounts cannot reach a staff page until they have passed a second factor (see
accounts/middleware.py), so tests use ``sign_in`` rather than ``force_login``: it logs the
user in, and for a staff account confirms an authenticator for them if they have none and
records it in the session exactly as django-otp does after a right code.
"""

import django_otp
from django.contrib.auth.models import User
from django.http import HttpRequest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.policy import is_staff_account


def authenticator_for(user: User) -> TOTPDevice:
    """Return the user's confirmed authenticator, setting one up if they have none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Test app", confirmed=True)
    return device


def totp_code(device: TOTPDevice) -> str:
    """Return a code the user's app shows that the device has not accepted yet.

    A code is accepted once: right after one was used (say, at set-up), this is the next
    step's code, which the device accepts as one step of clock drift.
    """
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if device.last_t is not None and totp.t() <= device.last_t:
        totp.time = totp.time + (device.last_t + 1 - totp.t()) * device.step
    return f"{totp.token():0{device.digits}d}"


def sign_in(client, user: User):
    """Log the user in on the test client, past the second factor for staff; return it."""
    client.force_login(user)
    if is_staff_account(user):
        device = authenticator_for(user)
        session = client.session
        request = HttpRequest()
        request.session = session
        request.user = user
        django_otp.login(request, device)
        session.save()
    return client
