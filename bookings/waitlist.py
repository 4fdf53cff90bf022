"""The waitlist: clients wait for a time that suits them, and freed times are offered to them.

Whenever a time frees up or appears, ``waitlist_sweep`` finds the waiting clients it suits,
in the order they joined, and offers it to each by email with a claim link. The first to
claim gets an ordinary hold (``services.hold_create``) and goes on through the same details
and health questions; the others are told it has gone. An offer lasts the studio's
``waitlist_offer_minutes``, and a time inside the minimum notice is never offered.

Idempotent and race-safe: an offer is unique per entry, start and therapist, so a sweep run
twice offers nothing twice; two clients claiming at once each lock their own offer, and the
calendar's own locks and exclusion constraints let exactly one hold through.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from bookings import selectors, services
from bookings.errors import BookingRefused
from bookings.messages.links import absolute
from bookings.messages.send import render_email
from bookings.models import Booking, WaitlistEntry, WaitlistOffer
from bookings.picker import PERIODS
from studio.models import Service, ServiceLength, Studio, Therapist
from studio.timezones import studio_tz

# Each waiting client holds at most this many open offers: each is an email.
OPEN_OFFERS_PER_ENTRY = 3
_PARTS = {code: (first, last) for code, _label, first, last in PERIODS}


class WaitlistRefused(BookingRefused):
    """A waitlist step refused for a reason the client can read."""

    # The entry was booked, left or closed before this step: a second click, or a race.
    NOT_WAITING = "not_waiting"


@dataclass(frozen=True)
class Window:
    """When a waiting client can come: days, weekdays and parts of the day (empty: any)."""

    first_day: date
    last_day: date
    weekdays: Collection[int] = ()
    parts: Collection[str] = ()

    def suits(self, start: datetime) -> bool:
        """Return whether a start (aware) falls in the window, on the studio's wall clock."""
        local = timezone.localtime(start, studio_tz())
        if not self.first_day <= local.date() <= self.last_day:
            return False
        if self.weekdays and local.weekday() not in self.weekdays:
            return False
        return not self.parts or any(
            _PARTS[part][0] <= local.hour < _PARTS[part][1] for part in self.parts
        )


def window_of(entry: WaitlistEntry) -> Window:
    return Window(entry.first_day, entry.last_day, tuple(entry.weekdays), tuple(entry.parts))


def waitlist_join(
    *,
    service: Service,
    length: ServiceLength,
    therapist: Therapist | None,
    window: Window,
    name: str,
    email: str,
    language: str,
    now: datetime | None = None,
) -> WaitlistEntry:
    """Put a client on the waitlist for a massage and length, a therapist or anyone."""
    now = now or timezone.now()
    today = timezone.localdate(now, studio_tz())
    if length.service_id != service.pk or not (service.is_active and length.is_active):
        raise WaitlistRefused(_("That massage or length is not offered any more."))
    if therapist is not None and not therapist.services.filter(pk=service.pk).exists():
        raise WaitlistRefused(_("That therapist does not offer this massage."))
    if window.last_day < max(window.first_day, today):
        raise WaitlistRefused(_("Please choose days from today on."))
    unknown = set(window.parts) - set(_PARTS)
    if unknown or any(day not in range(7) for day in window.weekdays):
        raise WaitlistRefused(_("Please choose days of the week and parts of the day."))
    entry = WaitlistEntry.objects.create(
        service=service,
        length=length,
        therapist=therapist,
        first_day=max(window.first_day, today),
        last_day=window.last_day,
        weekdays=sorted(set(window.weekdays)),
        parts=[part for part in _PARTS if part in window.parts],
        name=name,
        email=email,
        language=language,
        created_at=now,
    )
    transaction.on_commit(lambda: _email_joined(entry))
    return entry


def waitlist_leave(*, entry: WaitlistEntry, now: datetime | None = None) -> None:
    """Take a client off the waitlist; their open offers go with them."""
    now = now or timezone.now()
    with transaction.atomic():
        # Offers before the entry, in pk order: the order a claim locks them in, so leaving
        # while a claim of one's own offer runs waits for it rather than deadlocking.
        offers = list(
            entry.offers.select_for_update()
            .filter(status=WaitlistOffer.Status.OPEN)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        entry = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.status == WaitlistEntry.Status.WAITING:
            entry.status = WaitlistEntry.Status.LEFT
            entry.closed_at = now
            entry.save(update_fields=["status", "closed_at"])
        WaitlistOffer.objects.filter(pk__in=offers, status=WaitlistOffer.Status.OPEN).update(
            status=WaitlistOffer.Status.EXPIRED
        )


def free_starts_for(
    entry: WaitlistEntry,
    *,
    now: datetime | None = None,
    studio: Studio | None = None,
    enforce_notice: bool = True,
) -> list[tuple[int, datetime]]:
    """Return the free (therapist id, start) pairs that suit a waiting client, earliest first.

    The front desk passes ``enforce_notice=False``: the minimum notice is an online-booking
    policy, and a phone booking ignores it (``services.hold_create``).
    """
    now = now or timezone.now()
    studio = studio or Studio.load()
    today = timezone.localdate(now, studio_tz())
    first = max(entry.first_day, today)
    last = min(entry.last_day, today + timedelta(days=studio.horizon_days))
    if last < first:
        return []
    found = selectors.availability(
        service=entry.service,
        length=entry.length,
        therapist=entry.therapist,
        first_day=first,
        days=(last - first).days + 1,
        now=now,
        studio=studio,
        enforce_notice=enforce_notice,
    )
    window = window_of(entry)
    return [
        (therapist_id, slot.start)
        for slot in found.slots
        if slot.start > now and window.suits(slot.start)
        for therapist_id in slot.therapist_ids
    ]


def waitlist_sweep(*, now: datetime | None = None) -> int:
    """Close what has passed, and offer the free times to the waiting clients they suit.

    Return how many offers were made. Offers are made in the order clients joined, and a
    time is offered to every waiting client it suits: the first to claim it wins.
    """
    now = now or timezone.now()
    studio = Studio.load()
    today = timezone.localdate(now, studio_tz())
    WaitlistEntry.objects.filter(status=WaitlistEntry.Status.WAITING, last_day__lt=today).update(
        status=WaitlistEntry.Status.CLOSED, closed_at=now
    )
    WaitlistOffer.objects.filter(status=WaitlistOffer.Status.OPEN, expires_at__lte=now).update(
        status=WaitlistOffer.Status.EXPIRED
    )
    made = 0
    waiting = WaitlistEntry.objects.filter(status=WaitlistEntry.Status.WAITING).select_related(
        "service", "length", "therapist"
    )
    for entry in waiting:
        room = OPEN_OFFERS_PER_ENTRY - entry.offers.filter(status=WaitlistOffer.Status.OPEN).count()
        for therapist_id, start in free_starts_for(entry, now=now, studio=studio):
            if room <= 0:
                break
            if _offer(entry, therapist_id=therapist_id, start=start, now=now, studio=studio):
                made += 1
                room -= 1
    return made


def _offer(entry, *, therapist_id: int, start: datetime, now: datetime, studio: Studio) -> bool:
    """Offer one start to one client, once ever; return whether it is a new offer."""
    try:
        with transaction.atomic():
            # Still waiting? A claim or a phone booking may have booked them since the sweep
            # read the list; one under way finishes first (it holds the entry's row).
            waiting = WaitlistEntry.objects.select_for_update().filter(
                pk=entry.pk, status=WaitlistEntry.Status.WAITING
            )
            if not list(waiting.values_list("pk", flat=True)):
                return False
            offer = WaitlistOffer.objects.create(
                entry=entry,
                therapist_id=therapist_id,
                start_at=start,
                created_at=now,
                expires_at=min(now + timedelta(minutes=studio.waitlist_offer_minutes), start),
            )
            transaction.on_commit(lambda: _email_offer(offer))
    except IntegrityError:
        return False  # offered before: a sweep run twice sends nothing twice
    return True


def waitlist_claim(*, offer: WaitlistOffer, now: datetime | None = None) -> Booking:
    """Turn an open offer into an ordinary hold for its client, or say that it has gone."""
    now = now or timezone.now()
    gone = _("Sorry, this time has gone: someone else took it first.")
    with transaction.atomic():
        # Every offer of this start is locked first, in one order: a claim waits for the one
        # before it, before either touches the calendar's locks (no deadlock between them).
        same_time = list(
            WaitlistOffer.objects.select_for_update(of=("self",))
            .filter(start_at=offer.start_at, therapist_id=offer.therapist_id)
            .select_related("entry__service", "entry__length", "therapist", "booking")
            .order_by("pk")
        )
        offer = next(other for other in same_time if other.pk == offer.pk)
        if offer.status == WaitlistOffer.Status.CLAIMED and offer.booking_id:
            return offer.booking  # the same claim sent twice
        if offer.status != WaitlistOffer.Status.OPEN or offer.expires_at <= now:
            raise WaitlistRefused(
                gone
                if offer.status == offer.Status.GONE
                else _("This offer has expired. You are still on the waitlist for other times.")
            )
        entry = offer.entry
        try:
            with transaction.atomic():
                booking = services.hold_create(
                    service=entry.service,
                    length=entry.length,
                    therapist=offer.therapist,
                    start_at=offer.start_at,
                    now=now,
                    language=entry.language,
                )
        except BookingRefused:
            # Taken meanwhile, by another claim or a booking: the offer is gone from now on,
            # so the refusal is raised once that is saved (raised here, it would undo it).
            offer.status = WaitlistOffer.Status.GONE
            offer.save(update_fields=["status"])
            booking = None
        else:
            offer.status = WaitlistOffer.Status.CLAIMED
            offer.booking = booking
            offer.save(update_fields=["status", "booking"])
            WaitlistEntry.objects.filter(pk=entry.pk).update(
                status=WaitlistEntry.Status.BOOKED, closed_at=now
            )
            others = [
                other
                for other in same_time
                if other.pk != offer.pk and other.status == WaitlistOffer.Status.OPEN
            ]
            WaitlistOffer.objects.filter(pk__in=[other.pk for other in others]).update(
                status=WaitlistOffer.Status.GONE
            )
            for other in others:
                transaction.on_commit(lambda other=other: _email_gone(other))
    if booking is None:
        raise WaitlistRefused(gone)
    return booking


def waitlist_book_by_phone(
    *,
    entry: WaitlistEntry,
    therapist: Therapist,
    start_at: datetime,
    now: datetime | None = None,
) -> Booking:
    """Book a free time for a waiting client on the phone; they leave the waitlist.

    One transaction, as a phone booking (``services.phone_booking_create``): the time must
    suit the entry and still be free, re-checked under the calendar's locks, and the minimum
    notice does not apply. The entry becomes booked and its own open offers go; other
    clients' offers of the same time stay open, and claiming them is refused as gone. The
    client is emailed the link to the health questions once it commits.

    The entry's open offers are locked before the entry, the order ``waitlist_claim`` takes
    (an offer, then its entry): a claim of one of them at the same moment finishes first,
    and this then finds the entry no longer waiting, as a second click does.
    """
    now = now or timezone.now()
    with transaction.atomic():
        offers = list(
            WaitlistOffer.objects.select_for_update()
            .filter(entry_id=entry.pk, status=WaitlistOffer.Status.OPEN)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        entry = (
            WaitlistEntry.objects.select_for_update(of=("self",))
            .select_related("service", "length", "therapist")
            .get(pk=entry.pk)
        )
        if entry.status != WaitlistEntry.Status.WAITING:
            raise WaitlistRefused(
                _("%(name)s is no longer waiting: they have been booked or have left the waitlist.")
                % {"name": entry.name},
                code=WaitlistRefused.NOT_WAITING,
            )
        if entry.therapist_id is not None and therapist.pk != entry.therapist_id:
            raise WaitlistRefused(
                _("%(name)s is waiting for a time with %(therapist)s.")
                % {"name": entry.name, "therapist": entry.therapist.display_name}
            )
        if timezone.is_naive(start_at) or not window_of(entry).suits(start_at):
            raise WaitlistRefused(
                _("That time is not one %(name)s is waiting for.") % {"name": entry.name}
            )
        # The name was typed on the waitlist's public form: it proves nothing about who owns
        # the email, so an existing client's record is not rewritten with it.
        client = services.client_upsert(name=entry.name, email=entry.email, may_update=False)
        try:
            booking = services.phone_booking_create(
                client=client,
                service=entry.service,
                length=entry.length,
                therapist=therapist,
                start_at=start_at,
                language=entry.language,
                now=now,
            )
        except BookingRefused as refusal:
            if refusal.code == BookingRefused.SLOT_TAKEN:
                raise services.not_free(therapist) from None
            raise
        entry.status = WaitlistEntry.Status.BOOKED
        entry.closed_at = now
        entry.save(update_fields=["status", "closed_at"])
        WaitlistOffer.objects.filter(pk__in=offers, status=WaitlistOffer.Status.OPEN).update(
            status=WaitlistOffer.Status.GONE
        )
        services.intake_link_send(booking=booking)
    return booking


# Emails: in the waiting client's language, never with anything about their health.


def _email(entry: WaitlistEntry, subject: str, template: str, context: dict) -> None:
    with translation.override(entry.language):
        render_email(
            template=template,
            context={"entry": entry, "studio": Studio.load(), **context},
            subject=subject,
            recipient=entry.email,
        ).send()


def offer_url(offer: WaitlistOffer) -> str:
    with translation.override(offer.entry.language):
        return absolute(reverse("bookings:waitlist_offer", kwargs={"token": offer.token}))


def _email_offer(offer: WaitlistOffer) -> None:
    with translation.override(offer.entry.language):
        subject = _("A time has come free: %(when)s") % {
            "when": timezone.localtime(offer.start_at, studio_tz()).strftime("%d/%m %H:%M")
        }
    _email(offer.entry, subject, "waitlist_offer", {"offer": offer, "url": offer_url(offer)})


def entry_url(entry: WaitlistEntry) -> str:
    with translation.override(entry.language):
        return absolute(reverse("bookings:waitlist_entry", kwargs={"token": entry.token}))


def _email_joined(entry: WaitlistEntry) -> None:
    with translation.override(entry.language):
        subject = _("You are on the waitlist")
    _email(entry, subject, "waitlist_joined", {"url": entry_url(entry)})


def _email_gone(offer: WaitlistOffer) -> None:
    with translation.override(offer.entry.language):
        subject = _("That time has gone")
    _email(offer.entry, subject, "waitlist_gone", {"offer": offer})


def waiting_on(day: date) -> list[WaitlistEntry]:
    """Return the clients waiting for a time on a local day, in the order they joined.

    One query: the days are filtered in the database, the weekdays here. The staff
    calendar's statement counts the same days' entries first (``selectors.calendar_window``
    with ``waiting_on``) and asks this only when the count is not 0: the two filters must
    stay the same, or a waiting client would drop off the day view.
    """
    entries = (
        WaitlistEntry.objects.filter(
            status=WaitlistEntry.Status.WAITING, first_day__lte=day, last_day__gte=day
        )
        .select_related("service", "length", "therapist")
        .order_by("created_at", "pk")
    )
    return [e for e in entries if not e.weekdays or day.weekday() in e.weekdays]
