"""Send an event's messages once: each is recorded in ``Notification`` as it is sent.

A message is recorded inside a transaction before it is delivered, so a retried task never
sends it twice. No health answer ever goes into an email.
"""

from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from bookings.messages.compose import Message, messages_for
from bookings.messages.ics import booking_ics
from bookings.messages.links import absolute, proven_manage_url
from bookings.models import Booking, Notification
from studio.models import Studio
from studio.timezones import studio_tz


def notification_send(*, event: str, booking_id: int, key: str = "") -> int:
    """Send the event's messages that were not sent yet; return how many were sent."""
    # A worker has no request to set the zone: every time in a message is the studio's.
    with timezone.override(studio_tz()):
        return _send(event=event, booking_id=booking_id, key=key)


def _send(*, event: str, booking_id: int, key: str) -> int:
    booking = Booking.objects.select_related(
        "service", "length", "therapist__user", "room", "client"
    ).get(pk=booking_id)
    studio = Studio.load()
    sent = 0
    for message in messages_for(event, booking):
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


def render_email(
    *, template: str, context: dict, subject, recipient: str
) -> EmailMultiAlternatives:
    """Render an email's text part and its HTML part, in the language active now.

    The text part renders with autoescape off, so what anyone typed (a name, adaptations, a
    message) is still raw in it: escaped here, it reaches the HTML part as text.
    """
    text = render_to_string(f"emails/{template}.txt", context)
    html = render_to_string("emails/base.html", {**context, "body": escape(text)})
    email = EmailMultiAlternatives(subject=str(subject), body=text, to=[recipient])
    email.attach_alternative(html, "text/html")
    return email


def _deliver(message: Message, *, booking: Booking, studio: Studio) -> None:
    """Render and send one message, all of it (links and calendar file too) in its language."""
    with translation.override(message.language):
        context = {
            "booking": booking,
            "studio": studio,
            "manage_url": proven_manage_url(booking) if booking.client_id else "",
            "review_url": absolute(reverse("intake:review_detail", args=[booking.public_id])),
            "calendar_url": absolute(reverse("bookings:staff_booking", args=[booking.public_id])),
            **message.context,
        }
        email = render_email(
            template=message.template,
            context=context,
            subject=message.subject,
            recipient=message.recipient,
        )
        if message.attach_ics:
            email.attach("booking.ics", booking_ics(booking), "text/calendar")
    email.send()
