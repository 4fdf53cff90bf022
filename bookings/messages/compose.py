"""What each event says, and to whom: one message per recipient, never a health answer.

``messages_for`` looks the event up in ``BUILDERS``; each builder returns the event's
messages for one booking. Sending and recording them is ``bookings.messages.send``.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.messages.links import intake_url, rescreen_url
from bookings.models import Booking, BookingStatus
from studio.models import Studio


@dataclass
class Message:
    recipient: str
    subject: str
    template: str
    attach_ics: bool = False
    context: dict = field(default_factory=dict)


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
    subject = _("Your %(service)s is booked") % {"service": event.service.lower()}
    return _client(event.booking, subject, "confirmed", attach_ics=True)


def _awaiting_review(event: Event) -> list[Message]:
    subject = _("We have your booking request for %(when)s") % {"when": event.when}
    return _client(event.booking, subject, "awaiting_review")


def _review_requested(event: Event) -> list[Message]:
    subject = _("A booking awaits your review: %(when)s") % {"when": event.when}
    return _therapist(event.booking, subject, "review_requested")


def _review_outcome(event: Event) -> list[Message]:
    review = event.booking.reviews.order_by("-decided_at").first()
    return _client(
        event.booking,
        _("About your booking on %(when)s") % {"when": event.when},
        "review_outcome",
        attach_ics=review is not None and review.decision != "decline",
        context={"review": review},
    )


def _cancelled(event: Event) -> list[Message]:
    subject = _("Your booking on %(when)s is cancelled") % {"when": event.when}
    return _client(event.booking, subject, "cancelled", attach_ics=True)


def _rescheduled(event: Event) -> list[Message]:
    subject = _("Your booking has moved to %(when)s") % {"when": event.when}
    return _client(event.booking, subject, "rescheduled", attach_ics=True)


def _reminder(event: Event) -> list[Message]:
    context = {"rescreen_url": rescreen_url(event.booking)}
    if event.booking.status == BookingStatus.AWAITING_REVIEW:
        # Not confirmed yet: the client must not read it as a firm appointment.
        subject = _("Your request for %(when)s is still awaiting review") % {"when": event.when}
        return _client(event.booking, subject, "reminder_awaiting_review", context=context)
    subject = _("See you soon: %(service)s at %(when)s") % {
        "service": event.service,
        "when": event.when,
    }
    return _client(event.booking, subject, "reminder", context=context)


def _manage_link(event: Event) -> list[Message]:
    subject = _("Your secure link to your booking and your data")
    return _client(event.booking, subject, "manage_link")


def _aftercare(event: Event) -> list[Message]:
    return _client(event.booking, _("Thank you for your visit"), "aftercare")


def _intake_link(event: Event) -> list[Message]:
    return _client(
        event.booking,
        _("A few health questions before your massage"),
        "intake_link",
        context={"intake_url": intake_url(event.booking)},
    )


def _review_overdue(event: Event) -> list[Message]:
    subject = _("Still awaiting your review: %(when)s") % {"when": event.when}
    desk_subject = _("Review overdue: %(when)s") % {"when": event.when}
    return [
        *_therapist(event.booking, subject, "review_overdue"),
        Message(
            _staff_email(event.studio),
            desk_subject,
            "review_overdue",
            context={"for_front_desk": True},
        ),
    ]


def _rescreen_stop(event: Event) -> list[Message]:
    subject = _("Re-screen stop: %(when)s, booking on hold") % {"when": event.when}
    return [
        *_therapist(event.booking, subject, "rescreen_stop"),
        Message(
            _staff_email(event.studio), subject, "rescreen_stop", context={"for_front_desk": True}
        ),
    ]


def _screening_stop(event: Event) -> list[Message]:
    subject = _("A booking attempt was stopped by the health screening")
    return [Message(_staff_email(event.studio), subject, "screening_stop")]


# Every event a service may ``notify``, and who hears of it.
BUILDERS: dict[str, Callable[[Event], list[Message]]] = {
    "confirmed": _confirmed,
    "awaiting_review": _awaiting_review,
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
}


def messages_for(event: str, booking: Booking) -> list[Message]:
    """Return the messages an event sends, one per recipient."""
    try:
        build = BUILDERS[event]
    except KeyError:
        raise ValueError(f"unknown notification event {event!r}") from None
    return build(Event(booking=booking, studio=Studio.load()))
