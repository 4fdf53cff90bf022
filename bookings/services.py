"""Write-side booking functions: holds, booking, cancel and reschedule.

Every write that takes time on a calendar runs in one transaction that locks the therapist
and room rows in a fixed order (therapists, then rooms, each by id), re-reads availability
under the lock and only then writes. On PostgreSQL the exclusion constraints are the last
line of defence; their violation becomes the same friendly refusal as a lost re-check.
"""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings import selectors
from bookings.availability import pick_therapist
from bookings.errors import BookingRefused
from bookings.models import CHANGEABLE_STATUSES, Booking, BookingStatus, Client
from studio.models import Room, Service, ServiceLength, Studio, Therapist

_OVERLAP_CONSTRAINTS = {"booking_no_therapist_overlap", "booking_no_room_overlap"}


def _slot_taken() -> BookingRefused:
    return BookingRefused(
        _("Sorry, that time was just taken. Here are the times still free."),
        code=BookingRefused.SLOT_TAKEN,
    )


def _is_overlap_violation(error: IntegrityError) -> bool:
    cause = error.__cause__
    diag = getattr(cause, "diag", None)
    return getattr(diag, "constraint_name", None) in _OVERLAP_CONSTRAINTS


def _check_start(*, studio: Studio, start_at: datetime, now: datetime) -> None:
    """Refuse a start in the past, inside the minimum notice, past the horizon or off-grid."""
    if timezone.is_naive(start_at):
        raise BookingRefused(_("That start time is not valid."))
    if start_at <= now:
        raise BookingRefused(_("That time has already passed. Please choose another."))
    if start_at < now + timedelta(minutes=studio.min_notice_minutes):
        raise BookingRefused(
            _("That time is too soon to book online. Please choose a later time or call us.")
        )
    if start_at > now + timedelta(days=studio.horizon_days):
        raise BookingRefused(_("That date is further ahead than we take bookings for."))
    local = timezone.localtime(start_at, selectors.studio_tz())
    minute_of_day = local.hour * 60 + local.minute
    if local.second or local.microsecond or minute_of_day % studio.slot_step_minutes:
        raise BookingRefused(_("That start time is not one we offer."))


def _check_offer(*, service: Service, length: ServiceLength, therapist: Therapist | None):
    if not service.is_active:
        raise BookingRefused(_("That massage is not open for booking."))
    if length.service_id != service.pk:
        raise BookingRefused(_("That length is not offered for this massage."))
    if therapist is not None and not (
        therapist.is_active and therapist.services.filter(pk=service.pk).exists()
    ):
        raise BookingRefused(_("That therapist does not offer this massage."))


def _lock_resources(*, service: Service, therapist: Therapist | None) -> None:
    """Lock the therapist and room rows a booking of this service could take, in fixed order."""
    therapists = Therapist.objects.filter(services=service, is_active=True)
    if therapist is not None:
        therapists = therapists.filter(pk=therapist.pk)
    list(therapists.order_by("pk").select_for_update(of=("self",)).values_list("pk", flat=True))
    list(
        Room.objects.filter(services=service, is_active=True)
        .order_by("pk")
        .select_for_update(of=("self",))
        .values_list("pk", flat=True)
    )


def _expire_dead_holds(*, now: datetime) -> int:
    return Booking.objects.filter(status=BookingStatus.HELD, hold_expires_at__lte=now).update(
        status=BookingStatus.EXPIRED, updated_at=now
    )


def _choose(
    *,
    service: Service,
    length: ServiceLength,
    therapist: Therapist | None,
    start_at: datetime,
    now: datetime,
    studio: Studio,
    exclude_booking_id: int | None = None,
) -> tuple[int, int]:
    """Re-read availability for the start's day and return a free (therapist id, room id)."""
    day = timezone.localtime(start_at, selectors.studio_tz()).date()
    result = selectors.availability(
        service=service,
        length=length,
        therapist=therapist,
        first_day=day,
        days=1,
        now=now,
        studio=studio,
        exclude_booking_id=exclude_booking_id,
    )
    slot = next((slot for slot in result.slots if slot.start == start_at), None)
    if slot is None:
        raise _slot_taken()
    booked = {pk: minutes for (d, pk), minutes in result.booked_minutes.items() if d == day}
    return pick_therapist(slot.therapist_ids, booked), slot.room_ids[0]


def hold_create(
    *,
    service: Service,
    length: ServiceLength,
    therapist: Therapist | None,
    start_at: datetime,
    now: datetime | None = None,
) -> Booking:
    """Hold a free start for the studio's hold time while the client finishes booking."""
    now = now or timezone.now()
    studio = Studio.load()
    _check_offer(service=service, length=length, therapist=therapist)
    _check_start(studio=studio, start_at=start_at, now=now)
    try:
        with transaction.atomic():
            _lock_resources(service=service, therapist=therapist)
            _expire_dead_holds(now=now)
            therapist_id, room_id = _choose(
                service=service,
                length=length,
                therapist=therapist,
                start_at=start_at,
                now=now,
                studio=studio,
            )
            end_at = start_at + timedelta(minutes=length.minutes)
            return Booking.objects.create(
                service=service,
                length=length,
                therapist_id=therapist_id,
                room_id=room_id,
                start_at=start_at,
                end_at=end_at,
                blocked_until=end_at + timedelta(minutes=service.buffer_minutes),
                price=length.price,
                status=BookingStatus.HELD,
                hold_expires_at=now + timedelta(minutes=studio.hold_minutes),
            )
    except IntegrityError as error:
        if _is_overlap_violation(error):
            raise _slot_taken() from error
        raise


def hold_check(*, booking: Booking, now: datetime | None = None) -> None:
    """Refuse to go on with a hold that has expired or was already used."""
    now = now or timezone.now()
    if booking.status != BookingStatus.HELD:
        raise BookingRefused(
            _("This booking has already been submitted."), code=BookingRefused.INVALID
        )
    if booking.hold_expires_at <= now:
        raise BookingRefused(
            _(
                "We could only keep that time for a few minutes, and it has been released. "
                "Please choose a time again."
            ),
            code=BookingRefused.HOLD_EXPIRED,
        )


def hold_release(*, booking: Booking, status: str = BookingStatus.EXPIRED) -> None:
    """Free a hold's slot, marking it expired (abandoned) or stopped (screening)."""
    Booking.objects.filter(pk=booking.pk, status=BookingStatus.HELD).update(
        status=status, updated_at=timezone.now()
    )
    booking.refresh_from_db(fields=["status"])


def holds_expire(*, now: datetime | None = None) -> int:
    """Mark every hold past its expiry as expired; return how many. Idempotent."""
    return _expire_dead_holds(now=now or timezone.now())


def client_upsert(*, name: str, email: str, phone: str = "", user=None) -> Client:
    """Return the client with this email, updating their contact details, or a new one."""
    email = email.strip().lower()
    client = Client.objects.filter(email=email, erased_at__isnull=True).order_by("pk").first()
    if client is None:
        return Client.objects.create(name=name.strip(), email=email, phone=phone.strip(), user=user)
    client.name = name.strip()
    if phone:
        client.phone = phone.strip()
    if user is not None and client.user_id is None:
        client.user = user
    client.save(update_fields=["name", "phone", "user"])
    return client


@transaction.atomic
def hold_attach_client(
    *, booking: Booking, name: str, email: str, phone: str, now: datetime | None = None
) -> Booking:
    """Record who the held booking is for."""
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    hold_check(booking=booking, now=now)
    booking.client = client_upsert(name=name, email=email, phone=phone)
    booking.save(update_fields=["client", "updated_at"])
    return booking


@transaction.atomic
def booking_settle(*, booking: Booking, status: str, now: datetime | None = None) -> Booking:
    """Turn a live hold into a booking awaiting review or confirmed (or stop it)."""
    now = now or timezone.now()
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    hold_check(booking=booking, now=now)
    if booking.client_id is None:
        raise BookingRefused(_("Please tell us who the booking is for first."))
    booking.status = status
    booking.hold_expires_at = None
    if status == BookingStatus.CONFIRMED:
        booking.confirmed_at = now
    booking.save(update_fields=["status", "hold_expires_at", "confirmed_at", "updated_at"])
    return booking


def client_can_change(*, booking: Booking, now: datetime | None = None) -> bool:
    """Return True while the client may still cancel or reschedule online."""
    now = now or timezone.now()
    window = timedelta(hours=Studio.load().cancel_window_hours)
    return booking.status in CHANGEABLE_STATUSES and now <= booking.start_at - window


def _check_client_window(*, booking: Booking, now: datetime) -> None:
    if booking.status not in CHANGEABLE_STATUSES:
        raise BookingRefused(
            _("This booking can no longer be changed."), code=BookingRefused.POLICY
        )
    if not client_can_change(booking=booking, now=now):
        raise BookingRefused(
            _("It is too close to your session to change it online. Please call the studio."),
            code=BookingRefused.POLICY,
        )


@transaction.atomic
def booking_cancel(
    *, booking: Booking, reason: str = "", by_client: bool = True, now: datetime | None = None
) -> Booking:
    """Cancel a booking, within the policy window when the client asks."""
    now = now or timezone.now()
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if by_client:
        _check_client_window(booking=booking, now=now)
    elif booking.status not in (*CHANGEABLE_STATUSES, BookingStatus.HELD):
        raise BookingRefused(_("This booking can no longer be cancelled."))
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = now
    booking.cancel_reason = reason[:250]
    booking.sequence += 1
    booking.save(
        update_fields=["status", "cancelled_at", "cancel_reason", "sequence", "updated_at"]
    )
    return booking


def booking_reschedule(
    *,
    booking: Booking,
    start_at: datetime,
    therapist: Therapist | None = None,
    by_client: bool = True,
    now: datetime | None = None,
) -> Booking:
    """Move a booking to another free start, with the same guarantees as a new booking."""
    now = now or timezone.now()
    studio = Studio.load()
    try:
        with transaction.atomic():
            _lock_resources(service=booking.service, therapist=therapist)
            booking = (
                Booking.objects.select_for_update()
                .select_related("service", "length")
                .get(pk=booking.pk)
            )
            if by_client:
                _check_client_window(booking=booking, now=now)
            _check_start(studio=studio, start_at=start_at, now=now)
            _expire_dead_holds(now=now)
            therapist_id, room_id = _choose(
                service=booking.service,
                length=booking.length,
                therapist=therapist,
                start_at=start_at,
                now=now,
                studio=studio,
                exclude_booking_id=booking.pk,
            )
            booking.start_at = start_at
            booking.end_at = start_at + timedelta(minutes=booking.length.minutes)
            booking.blocked_until = booking.end_at + timedelta(
                minutes=booking.service.buffer_minutes
            )
            booking.therapist_id = therapist_id
            booking.room_id = room_id
            booking.sequence += 1
            booking.save(
                update_fields=[
                    "start_at",
                    "end_at",
                    "blocked_until",
                    "therapist",
                    "room",
                    "sequence",
                    "updated_at",
                ]
            )
            return booking
    except IntegrityError as error:
        if _is_overlap_violation(error):
            raise _slot_taken() from error
        raise


def booking_reactivate(*, booking: Booking, status: str, now: datetime | None = None) -> Booking:
    """Take a stopped attempt's slot again, if still free, in the given active status."""
    now = now or timezone.now()
    studio = Studio.load()
    try:
        with transaction.atomic():
            _lock_resources(service=booking.service, therapist=booking.therapist)
            booking = (
                Booking.objects.select_for_update()
                .select_related("service", "length", "therapist")
                .get(pk=booking.pk)
            )
            if booking.status != BookingStatus.STOPPED:
                raise BookingRefused(_("This booking has already been submitted."))
            _check_start(studio=studio, start_at=booking.start_at, now=now)
            _expire_dead_holds(now=now)
            _choose(
                service=booking.service,
                length=booking.length,
                therapist=booking.therapist,
                start_at=booking.start_at,
                now=now,
                studio=studio,
                exclude_booking_id=booking.pk,
            )
            booking.status = status
            booking.confirmed_at = now if status == BookingStatus.CONFIRMED else None
            booking.save(update_fields=["status", "confirmed_at", "updated_at"])
            return booking
    except IntegrityError as error:
        if _is_overlap_violation(error):
            raise _slot_taken() from error
        raise
