"""The links emails carry: absolute addresses, and the signed tokens behind them.

Each link opens exactly what its email is about and no more: a manage link with a proof of
the client's mailbox, the health questions of one phone booking, or one visit's re-screen.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import translation

from bookings.models import Booking
from studio.models import Studio

RESCREEN_SALT = "calma.rescreen"


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


# Emailed links carry a signed proof that whoever opens them reads the client's mailbox. A
# manage link alone is not proof: it is shown to whoever typed the email into the form.
CLIENT_PROOF_SALT = "calma.client-proof"
CLIENT_PROOF_MAX_AGE = 90 * 24 * 3600


def client_proof(booking: Booking) -> str:
    return signing.dumps([booking.client_id, booking.pk], salt=CLIENT_PROOF_SALT)


def client_proof_valid(token: str, booking: Booking) -> bool:
    """Return True if the token was emailed for this booking's client and is not too old."""
    try:
        client_id, booking_id = signing.loads(
            token, salt=CLIENT_PROOF_SALT, max_age=CLIENT_PROOF_MAX_AGE
        )
    except (signing.BadSignature, TypeError, ValueError):
        return False
    return booking.client_id is not None and (client_id, booking_id) == (
        booking.client_id,
        booking.pk,
    )


def _in_clients_language(booking: Booking, name: str, **kwargs) -> str:
    """Return the address of a client's page, in the language of their booking."""
    with translation.override(booking.language):
        return reverse(name, kwargs=kwargs)


def proven_manage_url(booking: Booking) -> str:
    """Return the manage link as emailed: it proves the client's email to the page."""
    path = _in_clients_language(booking, "bookings:booking_manage", token=booking.manage_token)
    return absolute(f"{path}?k={client_proof(booking)}")


# The link to a phone booking's health questions. It is not the manage link: the front desk
# sees it on the booking card, so it opens the questions of that one hold and nothing else.
INTAKE_SALT = "calma.phone-intake"
INTAKE_LINK_MAX_AGE = 3 * 24 * 3600


def intake_token(booking: Booking) -> str:
    return signing.dumps(str(booking.public_id), salt=INTAKE_SALT, compress=True)


def intake_token_booking_id(token: str) -> str | None:
    """Return the public id an intake token was signed for, or None if it is not valid."""
    try:
        value = signing.loads(token, salt=INTAKE_SALT, max_age=INTAKE_LINK_MAX_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return value if isinstance(value, str) else None


def intake_url(booking: Booking) -> str:
    return absolute(
        _in_clients_language(booking, "intake:phone_intake", token=intake_token(booking))
    )


def rescreen_token(booking: Booking) -> str:
    return signing.dumps(str(booking.public_id), salt=RESCREEN_SALT, compress=True)


def rescreen_url(booking: Booking) -> str:
    return absolute(_in_clients_language(booking, "intake:rescreen", token=rescreen_token(booking)))


def rescreen_link_max_age(studio) -> int:
    """Return how long a re-screen link works, in seconds: the reminder's lead and two days."""
    return int((studio.reminder_lead + timedelta(days=2)).total_seconds())


def rescreen_token_booking_id(token: str) -> uuid.UUID | None:
    """Return the booking a re-screen token was signed for, or None if forged or too old."""
    try:
        signed = signing.loads(
            token, salt=RESCREEN_SALT, max_age=rescreen_link_max_age(Studio.load())
        )
        # Only a booking's id is ever signed here; any other payload is as good as forged.
        return uuid.UUID(str(signed))
    except (signing.BadSignature, ValueError, TypeError):
        return None


# The after-care email asks how the client feels, for a fortnight after the visit.
AFTERCARE_SALT = "calma.aftercare"
AFTERCARE_LINK_MAX_AGE = 14 * 24 * 3600


def aftercare_token(booking: Booking) -> str:
    return signing.dumps(str(booking.public_id), salt=AFTERCARE_SALT, compress=True)


def aftercare_url(booking: Booking) -> str:
    return absolute(
        _in_clients_language(booking, "intake:aftercare", token=aftercare_token(booking))
    )


def aftercare_token_booking_id(token: str) -> uuid.UUID | None:
    """Return the booking an after-care token was signed for, or None if forged or too old."""
    try:
        signed = signing.loads(token, salt=AFTERCARE_SALT, max_age=AFTERCARE_LINK_MAX_AGE)
        return uuid.UUID(str(signed))
    except (signing.BadSignature, ValueError, TypeError):
        return None


# The reminder asks the client to confirm or cancel with one tap. The link names the booking
# and the revision of its time it was sent for: once the booking moves, it says so instead of
# confirming a time that is no longer the booking's.
REMINDER_SALT = "calma.reminder-answer"


def reminder_token(booking: Booking) -> str:
    return signing.dumps(
        [str(booking.public_id), booking.sequence], salt=REMINDER_SALT, compress=True
    )


def reminder_url(booking: Booking) -> str:
    return absolute(
        _in_clients_language(booking, "bookings:reminder_answer", token=reminder_token(booking))
    )


def reminder_link_max_age(studio) -> int:
    """Return how long a reminder's answer link works, in seconds: the lead and two days.

    The page itself refuses once the session has started; this only bounds a stolen link.
    """
    return int((studio.reminder_lead + timedelta(days=2)).total_seconds())


def reminder_token_booking_id(token: str) -> tuple[uuid.UUID, int] | None:
    """Return the booking and revision a reminder token names, or None if forged or too old."""
    try:
        public_id, sequence = signing.loads(
            token, salt=REMINDER_SALT, max_age=reminder_link_max_age(Studio.load())
        )
        # Only a booking's id and revision are ever signed here; anything else is forged.
        if type(sequence) is not int or sequence < 0:
            return None
        return uuid.UUID(str(public_id)), sequence
    except (signing.BadSignature, ValueError, TypeError):
        return None
