"""Emails to clients, therapists and the front desk. No health answer ever goes into one.

Each event builds one message per recipient. A message is recorded in ``Notification``
before it is sent, inside a transaction, so a retried task never sends it twice.
"""

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from bookings.ics import booking_ics
from bookings.models import Booking, BookingStatus, Notification
from studio.models import Studio

RESCREEN_SALT = "calma.rescreen"


@dataclass
class Message:
    recipient: str
    subject: str
    template: str
    attach_ics: bool = False
    context: dict = field(default_factory=dict)


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


def proven_manage_url(booking: Booking) -> str:
    """Return the manage link as emailed: it proves the client's email to the page."""
    return absolute(f"{booking.get_manage_url()}?k={client_proof(booking)}")


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
    return absolute(reverse("phone_intake", kwargs={"token": intake_token(booking)}))


def rescreen_token(booking: Booking) -> str:
    return signing.dumps(str(booking.public_id), salt=RESCREEN_SALT, compress=True)


def rescreen_url(booking: Booking) -> str:
    return absolute(reverse("rescreen", kwargs={"token": rescreen_token(booking)}))


# The events whose messages go to the client (the others go to the therapist or the studio):
# their recipients are the client's addresses, which erasure removes.
CLIENT_EVENTS = (
    "confirmed",
    "awaiting_review",
    "review_outcome",
    "cancelled",
    "rescheduled",
    "reminder",
    "manage_link",
    "aftercare",
    "intake_link",
)


def _staff_email(studio: Studio) -> str:
    return studio.email or settings.STUDIO_STAFF_EMAIL


def _client(booking, subject, template, **kwargs) -> list[Message]:
    client = booking.client
    if client is None or client.erased_at is not None or not client.email:
        return []
    return [Message(client.email, subject, template, **kwargs)]


def _therapist(booking, subject, template) -> list[Message]:
    email = booking.therapist.user.email
    return [Message(email, subject, template)] if email else []


def messages_for(event: str, booking: Booking, *, key: str = "") -> list[Message]:
    """Return the messages an event sends, one per recipient."""
    studio = Studio.load()
    when = timezone.localtime(booking.start_at).strftime("%d/%m %H:%M")
    service = booking.service.name
    if event == "confirmed":
        return _client(
            booking,
            _("Your %(service)s is booked") % {"service": service.lower()},
            "confirmed",
            attach_ics=True,
        )
    if event == "awaiting_review":
        return _client(
            booking,
            _("We have your booking request for %(when)s") % {"when": when},
            "awaiting_review",
        )
    if event == "review_requested":
        return _therapist(
            booking,
            _("A booking awaits your review: %(when)s") % {"when": when},
            "review_requested",
        )
    if event == "review_outcome":
        review = booking.reviews.order_by("-decided_at").first()
        return _client(
            booking,
            _("About your booking on %(when)s") % {"when": when},
            "review_outcome",
            attach_ics=review is not None and review.decision != "decline",
            context={"review": review},
        )
    if event == "cancelled":
        return _client(
            booking,
            _("Your booking on %(when)s is cancelled") % {"when": when},
            "cancelled",
            attach_ics=True,
        )
    if event == "rescheduled":
        return _client(
            booking,
            _("Your booking has moved to %(when)s") % {"when": when},
            "rescheduled",
            attach_ics=True,
        )
    if event == "reminder":
        if booking.status == BookingStatus.AWAITING_REVIEW:
            # Not confirmed yet: the client must not read it as a firm appointment.
            return _client(
                booking,
                _("Your request for %(when)s is still awaiting review") % {"when": when},
                "reminder_awaiting_review",
                context={"rescreen_url": rescreen_url(booking)},
            )
        return _client(
            booking,
            _("See you tomorrow: %(service)s at %(when)s") % {"service": service, "when": when},
            "reminder",
            context={"rescreen_url": rescreen_url(booking)},
        )
    if event == "manage_link":
        return _client(booking, _("Your secure link to your booking and your data"), "manage_link")
    if event == "aftercare":
        return _client(booking, _("Thank you for your visit"), "aftercare")
    if event == "intake_link":
        return _client(
            booking,
            _("A few health questions before your massage"),
            "intake_link",
            context={"intake_url": intake_url(booking)},
        )
    if event == "review_overdue":
        messages = _therapist(
            booking, _("Still awaiting your review: %(when)s") % {"when": when}, "review_overdue"
        )
        return [
            *messages,
            Message(
                _staff_email(studio),
                _("Review overdue: %(when)s") % {"when": when},
                "review_overdue",
                context={"for_front_desk": True},
            ),
        ]
    if event == "rescreen_stop":
        subject = _("Re-screen stop: %(when)s, booking on hold") % {"when": when}
        return [
            *_therapist(booking, subject, "rescreen_stop"),
            Message(
                _staff_email(studio), subject, "rescreen_stop", context={"for_front_desk": True}
            ),
        ]
    if event == "screening_stop":
        return [
            Message(
                _staff_email(studio),
                _("A booking attempt was stopped by the health screening"),
                "screening_stop",
            )
        ]
    raise ValueError(f"unknown notification event {event!r}")


def notification_send(*, event: str, booking_id: int, key: str = "") -> int:
    """Send the event's messages that were not sent yet; return how many were sent."""
    # A worker has no request to set the zone: every time in a message is the studio's.
    with timezone.override(ZoneInfo(settings.STUDIO_TIME_ZONE)):
        return _send(event=event, booking_id=booking_id, key=key)


def _send(*, event: str, booking_id: int, key: str) -> int:
    booking = Booking.objects.select_related(
        "service", "length", "therapist__user", "room", "client"
    ).get(pk=booking_id)
    studio = Studio.load()
    sent = 0
    for message in messages_for(event, booking, key=key):
        try:
            with transaction.atomic():
                Notification.objects.create(
                    booking=booking,
                    event=event,
                    key=key,
                    recipient=message.recipient,
                    sent_at=timezone.now(),
                )
                _deliver(message, booking=booking, studio=studio)
        except IntegrityError:
            continue  # already sent by an earlier run
        sent += 1
    return sent


def _deliver(message: Message, *, booking: Booking, studio: Studio) -> None:
    context = {
        "booking": booking,
        "studio": studio,
        "manage_url": proven_manage_url(booking) if booking.client_id else "",
        "review_url": absolute(reverse("review_detail", args=[booking.public_id])),
        "calendar_url": absolute(reverse("staff_booking", args=[booking.public_id])),
        **message.context,
    }
    text = render_to_string(f"emails/{message.template}.txt", context)
    # The text part renders with autoescape off, so what anyone typed (a name, adaptations,
    # a message) is still raw in it: escaped here, it reaches the HTML part as text.
    html = render_to_string("emails/base.html", {**context, "body": escape(text)})
    email = EmailMultiAlternatives(subject=message.subject, body=text, to=[message.recipient])
    email.attach_alternative(html, "text/html")
    if message.attach_ics:
        email.attach("booking.ics", booking_ics(booking), "text/calendar")
    email.send()
