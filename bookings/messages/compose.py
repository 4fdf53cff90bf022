"""What each event says, and to whom: one message per recipient, never a health answer.

``messages_for`` looks the event up in ``BUILDERS``; each builder returns the event's
messages for one booking. Sending and recording them is ``bookings.messages.send``.

Each message is in its recipient's language: the client's is the booking's, a therapist's
is their own, the front desk's is the studio's default. Subjects are lazy (``subject``), so
they are put in words when the message is sent in that language.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from bookings.messages.links import (
    absolute,
    aftercare_url,
    intake_url,
    reminder_url,
    rescreen_url,
)
from bookings.models import Booking, BookingStatus
from studio.models import Studio


@dataclass
class Message:
    recipient: str
    subject: str  # lazy: str() it in the message's language
    template: str
    language: str
    attach_ics: bool = False
    context: dict = field(default_factory=dict)


def _words(text, params: dict) -> str:
    return str(text) % {name: str(value) for name, value in params.items()}


_lazy_words = lazy(_words, str)


def subject(text, **params):
    """Return ``text % params`` as a lazy string: translated when it is finally read."""
    return _lazy_words(text, params)


# The events whose messages go to the client (the others go to the therapist or the studio):
# their recipients are the client's addresses, which erasure removes.
CLIENT_EVENTS = (
    "confirmed",
    "awaiting_review",
    "awaiting_desk",
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


def _client(booking, title, template, **kwargs) -> list[Message]:
    client = booking.client
    if client is None or client.erased_at is not None or not client.email:
        return []
    return [Message(client.email, title, template, booking.language, **kwargs)]


def _therapist(booking, title, template) -> list[Message]:
    email = booking.therapist.user.email
    return [Message(email, title, template, booking.therapist.language)] if email else []


def _front_desk(studio: Studio, title, template, **kwargs) -> Message:
    return Message(_staff_email(studio), title, template, studio.default_language, **kwargs)


@dataclass(frozen=True)
class Event:
    """What an event's builders need: the booking, its time and service in words, the studio."""

    booking: Booking
    studio: Studio

    @property
    def when(self) -> str:
        return timezone.localtime(self.booking.start_at).strftime("%d/%m %H:%M")

    @property
    def service(self) -> str:
        return self.booking.service.name


def _confirmed(event: Event) -> list[Message]:
    title = subject(_("Your %(service)s is booked"), service=event.service.lower())
    return _client(event.booking, title, "confirmed", attach_ics=True)


def _awaiting_review(event: Event) -> list[Message]:
    title = subject(_("We have your booking request for %(when)s"), when=event.when)
    return _client(event.booking, title, "awaiting_review")


def _awaiting_desk(event: Event) -> list[Message]:
    title = subject(_("We have your booking request for %(when)s"), when=event.when)
    return _client(event.booking, title, "awaiting_desk")


def _desk_confirmation_requested(event: Event) -> list[Message]:
    """Ask the front desk to confirm a booking past the no-show limit: no health data in it."""
    title = subject(_("A booking awaits your confirmation: %(when)s"), when=event.when)
    return [_front_desk(event.studio, title, "desk_confirmation_requested")]


def _review_requested(event: Event) -> list[Message]:
    title = subject(_("A booking awaits your review: %(when)s"), when=event.when)
    return _therapist(event.booking, title, "review_requested")


def _review_outcome(event: Event) -> list[Message]:
    review = event.booking.reviews.order_by("-decided_at").first()
    return _client(
        event.booking,
        subject(_("About your booking on %(when)s"), when=event.when),
        "review_outcome",
        # Confirmed only: one approved past the no-show limit still waits for the front desk.
        attach_ics=review is not None
        and review.decision != "decline"
        and event.booking.status == BookingStatus.CONFIRMED,
        context={"review": review},
    )


def _cancelled(event: Event) -> list[Message]:
    title = subject(_("Your booking on %(when)s is cancelled"), when=event.when)
    return _client(event.booking, title, "cancelled", attach_ics=True)


def _rescheduled(event: Event) -> list[Message]:
    title = subject(_("Your booking has moved to %(when)s"), when=event.when)
    return _client(event.booking, title, "rescheduled", attach_ics=True)


def _reminder(event: Event) -> list[Message]:
    context = {"rescreen_url": rescreen_url(event.booking)}
    if event.booking.status == BookingStatus.AWAITING_REVIEW:
        # Not confirmed yet: the client must not read it as a firm appointment.
        title = subject(_("Your request for %(when)s is still awaiting review"), when=event.when)
        return _client(event.booking, title, "reminder_awaiting_review", context=context)
    title = subject(
        _("See you soon: %(service)s at %(when)s"), service=event.service, when=event.when
    )
    # A confirmed booking's client answers with one tap whether they will come.
    context["reminder_url"] = reminder_url(event.booking)
    return _client(event.booking, title, "reminder", context=context)


def _manage_link(event: Event) -> list[Message]:
    title = _("Your secure link to your booking and your data")
    return _client(event.booking, title, "manage_link")


def _aftercare(event: Event) -> list[Message]:
    return _client(
        event.booking,
        _("Thank you for your visit"),
        "aftercare",
        context={"aftercare_url": aftercare_url(event.booking)},
    )


def _aftercare_alert(event: Event) -> list[Message]:
    """Tell the therapist and the front desk that a client reported feeling unwell: no more."""
    title = subject(_("After-care: a client asks to be called (%(when)s)"), when=event.when)
    therapist = [
        Message(
            message.recipient,
            message.subject,
            message.template,
            message.language,
            context={
                "note_url": absolute(reverse("intake:session_note", args=[event.booking.public_id]))
            },
        )
        for message in _therapist(event.booking, title, "aftercare_alert")
    ]
    desk = _front_desk(event.studio, title, "aftercare_alert", context={"for_front_desk": True})
    return [*therapist, desk]


def _intake_link(event: Event) -> list[Message]:
    return _client(
        event.booking,
        _("A few health questions before your massage"),
        "intake_link",
        context={"intake_url": intake_url(event.booking)},
    )


def _review_overdue(event: Event) -> list[Message]:
    title = subject(_("Still awaiting your review: %(when)s"), when=event.when)
    desk_subject = subject(_("Review overdue: %(when)s"), when=event.when)
    return [
        *_therapist(event.booking, title, "review_overdue"),
        _front_desk(event.studio, desk_subject, "review_overdue", context={"for_front_desk": True}),
    ]


def _rescreen_stop(event: Event) -> list[Message]:
    title = subject(_("Re-screen stop: %(when)s, booking on hold"), when=event.when)
    return [
        *_therapist(event.booking, title, "rescreen_stop"),
        _front_desk(event.studio, title, "rescreen_stop", context={"for_front_desk": True}),
    ]


def _screening_stop(event: Event) -> list[Message]:
    title = _("A booking attempt was stopped by the health screening")
    return [_front_desk(event.studio, title, "screening_stop")]


# Every event a service may ``notify``, and who hears of it.
BUILDERS: dict[str, Callable[[Event], list[Message]]] = {
    "confirmed": _confirmed,
    "awaiting_review": _awaiting_review,
    "awaiting_desk": _awaiting_desk,
    "desk_confirmation_requested": _desk_confirmation_requested,
    "review_requested": _review_requested,
    "review_outcome": _review_outcome,
    "cancelled": _cancelled,
    "rescheduled": _rescheduled,
    "reminder": _reminder,
    "manage_link": _manage_link,
    "aftercare": _aftercare,
    "intake_link": _intake_link,
    "review_overdue": _review_overdue,
    "rescreen_stop": _rescreen_stop,
    "screening_stop": _screening_stop,
    "aftercare_alert": _aftercare_alert,
}


def messages_for(event: str, booking: Booking) -> list[Message]:
    """Return the messages an event sends, one per recipient."""
    try:
        build = BUILDERS[event]
    except KeyError:
        raise ValueError(f"unknown notification event {event!r}") from None
    return build(Event(booking=booking, studio=Studio.load()))
