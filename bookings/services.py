"""Write-side booking functions: holds, booking, cancel and reschedule.

Every write that takes time on a calendar runs in one transaction that locks the calendars
it could take (each therapist and room, by the hour, or whole for a long span, in one
fixed order: see ``calendar_lock_keys``), re-reads availability under the locks and only
then writes. On PostgreSQL the exclusion constraints are the last line of defence; their
violation becomes the same friendly refusal as a lost re-check.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from bookings import selectors, times_cache
from bookings.availability import pick_therapist
from bookings.errors import BookingRefused
from bookings.messages.outbox import notify, sweep_soon
from bookings.models import (
    ACTIVE_STATUSES,
    CHANGEABLE_STATUSES,
    Booking,
    BookingStatus,
    Client,
    ScreeningLevel,
    new_manage_token,
)
from studio import page_cache
from studio.models import (
    Room,
    Service,
    ServiceLength,
    Studio,
    Therapist,
    TimeOff,
    new_calendar_token,
)
from studio.timezones import studio_tz

_OVERLAP_CONSTRAINTS = {"booking_no_therapist_overlap", "booking_no_room_overlap"}


def _slot_taken() -> BookingRefused:
    return BookingRefused(
        _("Sorry, that time was just taken. Here are the times still free."),
        code=BookingRefused.SLOT_TAKEN,
    )


def not_free(therapist: Therapist | None) -> BookingRefused:
    """Return the front desk's version of "just taken": it names what may be in the way."""
    if therapist is None:
        return BookingRefused(
            _(
                "Nobody is free then: the time is outside everyone's hours, in their time "
                "off, or overlaps other bookings or the rooms' use."
            ),
            code=BookingRefused.SLOT_TAKEN,
        )
    return BookingRefused(
        _(
            "%(therapist)s is not free then: the time is outside their hours, in their time "
            "off, or overlaps another booking or the room's use."
        )
        % {"therapist": therapist.display_name},
        code=BookingRefused.SLOT_TAKEN,
    )


def intake_link_send(*, booking: Booking) -> None:
    """Email the client of a phone booking the link to the health questions."""
    notify("intake_link", booking, key=str(booking.pk))


def _is_overlap_violation(error: IntegrityError) -> bool:
    cause = error.__cause__
    diag = getattr(cause, "diag", None)
    return getattr(diag, "constraint_name", None) in _OVERLAP_CONSTRAINTS


def _check_horizon(*, studio: Studio, start_at: datetime, now: datetime) -> None:
    """Refuse a start past the horizon, before any arithmetic on it could overflow."""
    if start_at > now + timedelta(days=studio.horizon_days):
        raise BookingRefused(_("That date is further ahead than we take bookings for."))


def _check_start(
    *, studio: Studio, start_at: datetime, now: datetime, enforce_notice: bool = True
) -> None:
    """Refuse a start in the past, inside the minimum notice, past the horizon or off-grid."""
    if timezone.is_naive(start_at):
        raise BookingRefused(_("That start time is not valid."))
    if start_at <= now:
        raise BookingRefused(_("That time has already passed. Please choose another."))
    if enforce_notice and start_at < now + timedelta(minutes=studio.min_notice_minutes):
        raise BookingRefused(
            _("That time is too soon to book online. Please choose a later time or call us.")
        )
    _check_horizon(studio=studio, start_at=start_at, now=now)
    local = timezone.localtime(start_at, studio_tz())
    minute_of_day = local.hour * 60 + local.minute
    if local.second or local.microsecond or minute_of_day % studio.slot_step_minutes:
        raise BookingRefused(_("That start time is not one we offer."))


def _check_offer(
    *,
    service: Service,
    length: ServiceLength,
    therapist: Therapist | None,
    new: bool = True,
    therapists: Sequence[Therapist] | None = None,
):
    """Refuse what the studio does not offer. A withdrawn length is refused to ``new``
    bookings only: one booked before the withdrawal keeps its length, and may still move.
    ``therapists``, when given, are the service's active therapists, read already."""
    if not service.is_active:
        raise BookingRefused(_("That massage is not open for booking."))
    if length.service_id != service.pk:
        raise BookingRefused(_("That length is not offered for this massage."))
    if new and not length.is_active:
        raise BookingRefused(_("That length is no longer offered for this massage."))
    if therapist is None:
        return
    if therapists is not None:
        offers = any(t.pk == therapist.pk for t in therapists)
    else:
        offers = therapist.is_active and therapist.services.filter(pk=service.pk).exists()
    if not offers:
        raise BookingRefused(_("That therapist does not offer this massage."))


@dataclass(frozen=True)
class Locked:
    """The therapists and rooms a write may take, and the span it may take them for."""

    therapist_ids: list[int]
    room_ids: list[int]
    start_at: datetime
    end_at: datetime


# Calendars are locked by the hour: two writes can clash only where their spans overlap in
# time on one therapist or room, and two spans that overlap touch at least one hour in common.
LOCK_BUCKET_SECONDS = 3600
# A span touching more hours than this (a long time off) locks the resource's whole calendar
# instead, with one key: a lock per hour of a two-year leave would exhaust PostgreSQL's
# shared lock table. Every booking (a day at most) stays under it and locks by the hour.
LOCK_MAX_BUCKETS = 48
# The bucket of a resource's whole calendar. Hour buckets count from 1, so none is 0.
_WHOLE_CALENDAR = 0


def _advisory_key(kind: int, pk: int, bucket: int) -> int:
    # kind (1 therapist, 2 room) | id | hour since 1970 (UTC) plus one, or 0 for the whole
    # calendar: distinct for any id below 2**32 until the year 3800, and below 2**63.
    return (kind << 56) | (pk << 24) | bucket


def calendar_lock_keys(locked: Locked) -> list[tuple[int, bool]]:
    """Return the advisory locks a write takes, as (key, shared), in ascending key order.

    A span of at most ``LOCK_MAX_BUCKETS`` hours takes each of its hours exclusively and
    the resource's whole-calendar key shared; a longer one takes the whole-calendar key
    exclusively. Two writes that could clash share a key at least one of them holds
    exclusively: two short ones an hour they both touch, a long one the whole calendar.
    Short writes at other hours share only the whole-calendar key, and go ahead together.
    """
    start_at, end_at = locked.start_at, locked.end_at
    first = int(start_at.timestamp()) // LOCK_BUCKET_SECONDS + 1
    last = (
        int(max(start_at, end_at - timedelta(microseconds=1)).timestamp()) // (LOCK_BUCKET_SECONDS)
        + 1
    )
    resources = [(1, pk) for pk in locked.therapist_ids] + [(2, pk) for pk in locked.room_ids]
    keys: dict[int, bool] = {}
    for kind, pk in resources:
        if last - first + 1 > LOCK_MAX_BUCKETS:
            keys[_advisory_key(kind, pk, _WHOLE_CALENDAR)] = False
            continue
        keys[_advisory_key(kind, pk, _WHOLE_CALENDAR)] = True
        for bucket in range(first, last + 1):
            keys[_advisory_key(kind, pk, bucket)] = False
    return sorted(keys.items())


def _lock_calendar(locked: Locked, *, catalogue_print: int | None = None) -> None:
    """Let one writer at a time change a therapist's or room's calendar in a given hour.

    On PostgreSQL transaction-scoped advisory locks (see ``calendar_lock_keys``), all taken
    in one ascending order, so writers never wait on each other in a cycle. Two writes that
    could clash overlap in time on one therapist or room, so they meet on a lock and the
    second re-reads the calendar after the first commits; writes at other times or on
    other resources go ahead side by side. The number of locks does not grow with the span.
    SQLite lets one writer in at a time (IMMEDIATE transactions): nothing to take there.

    With ``catalogue_print`` (a kept catalogue's, ``selectors.kept_catalogue``), the same
    statement reads the catalogue's print before it takes the first lock, and a different
    one raises ``selectors.CatalogueChanged``: the check costs the locked span nothing.
    """
    if connection.vendor != "postgresql":
        return
    pairs = calendar_lock_keys(locked)
    # Nothing to lock, nothing to hold: the re-check refuses it without reading anything.
    printed = catalogue_print is not None and bool(pairs)
    # The same statement for every write: planned once per connection, as the reads are.
    with selectors.planned_once_cursor() as cursor:
        # unnest yields the arrays in order, and each lock is taken as its row is produced;
        # the print, a materialised row every lock's row is joined to, is read first.
        cursor.execute(
            _LOCKS_PRINTED if printed else _LOCKS,
            [[key for key, _shared in pairs], [shared for _key, shared in pairs]],
        )
        if printed and cursor.fetchone()[0] != catalogue_print:
            raise selectors.catalogue_changed()


_TAKE_LOCKS = (
    "CASE WHEN shared THEN pg_advisory_xact_lock_shared(key) ELSE pg_advisory_xact_lock(key) END"
)
_LOCK_ROWS = "unnest(%s::bigint[], %s::boolean[]) AS locks(key, shared)"
# Fixed text only (no value goes into it): the keys are parameters.
_LOCKS = f"SELECT {_TAKE_LOCKS} FROM {_LOCK_ROWS}"  # noqa: S608
_LOCKS_PRINTED = (
    f"WITH printed AS MATERIALIZED (SELECT {selectors.catalogue_print_sql()} AS print)"  # noqa: S608
    f" SELECT printed.print, {_TAKE_LOCKS} FROM printed CROSS JOIN {_LOCK_ROWS}"
)


def _lock_resources(
    *,
    service: Service,
    therapist: Therapist | None,
    start_at: datetime,
    end_at: datetime,
    therapists: Sequence[Therapist] | None = None,
    room_ids: Sequence[int] | None = None,
    catalogue_print: int | None = None,
) -> Locked:
    """Lock the calendars a booking of this service could take over [start_at, end_at).

    Return what was locked, so the transaction touches only the holds those locks guard.
    ``therapists`` are the service's active therapists and ``room_ids`` its active rooms'
    ids, when the caller read them already; ``catalogue_print`` as for ``_lock_calendar``.
    """
    therapist_ids, room_ids = selectors.bookable_resources(
        service=service, therapist=therapist, therapists=therapists, room_ids=room_ids
    )
    locked = Locked(therapist_ids, room_ids, start_at=start_at, end_at=end_at)
    _lock_calendar(locked, catalogue_print=catalogue_print)
    return locked


@contextmanager
def _calendar_write(
    *,
    service: Service,
    therapist: Therapist | None,
    start_at: datetime,
    end_at: datetime,
    therapists: Sequence[Therapist] | None = None,
    room_ids: Sequence[int] | None = None,
    catalogue_print: int | None = None,
) -> Iterator[Locked]:
    """Run a write that takes calendar time: one transaction holding the calendar locks.

    Yield what ``_lock_resources`` locked (``catalogue_print`` checked as it locks). A clash
    the exclusion constraints catch (the last line of defence) reaches the caller as the
    same "just taken" refusal.
    """
    try:
        with transaction.atomic():
            yield _lock_resources(
                service=service,
                therapist=therapist,
                start_at=start_at,
                end_at=end_at,
                therapists=therapists,
                room_ids=room_ids,
                catalogue_print=catalogue_print,
            )
    except IntegrityError as error:
        if _is_overlap_violation(error):
            raise _slot_taken() from error
        raise


@contextmanager
def _own_time_again(booking: Booking) -> Iterator[tuple[Booking, Locked]]:
    """Take a booking's own time again: a calendar write over its span, the row locked anew.

    Yield the booking as it is now, and what ``_lock_resources`` locked.
    """
    with _calendar_write(
        service=booking.service,
        therapist=booking.therapist,
        start_at=booking.start_at,
        end_at=_blocked_until(booking, booking.start_at),
    ) as locked:
        yield (
            Booking.objects.select_for_update()
            .select_related("service", "length", "therapist")
            .get(pk=booking.pk),
            locked,
        )


def _free_room_again(booking: Booking, *, locked: Locked, studio: Studio, now: datetime) -> int:
    """Check a booking's own start is still free for it, and return the room to take.

    Inside ``_own_time_again``: the start must still be allowed, dead holds in the way are
    expired, and the room may have been taken meanwhile, in which case a free one is found.
    """
    _check_start(studio=studio, start_at=booking.start_at, now=now)
    _expire_dead_holds(now=now, locked=locked)
    _therapist_id, room_id = _choose(
        service=booking.service,
        length=booking.length,
        start_at=booking.start_at,
        now=now,
        studio=studio,
        locked=locked,
        exclude_booking_id=booking.pk,
    )
    return room_id


def _expire_dead_holds(*, now: datetime, locked: Locked | None = None) -> int:
    """Mark holds past their expiry as expired: all of them, or those a write could meet.

    Inside a booking transaction only the dead holds on the locked therapists and rooms
    over the locked span are touched: the ones the exclusion constraints would otherwise
    count. Rows are locked in id order and, for the sweep, skipped if a booking has them.
    """
    holds = Booking.objects.filter(status=BookingStatus.HELD, hold_expires_at__lte=now)
    if locked is not None:
        holds = holds.filter(
            Q(therapist_id__in=locked.therapist_ids) | Q(room_id__in=locked.room_ids),
            start_at__lt=locked.end_at,
            blocked_until__gt=locked.start_at,
        )
    ids = list(
        holds.order_by("pk")
        .select_for_update(of=("self",), skip_locked=locked is None)
        .values_list("pk", flat=True)
    )
    if not ids:
        return 0
    # No calendar_changed(): a hold past its expiry already frees its slot for every reader.
    return Booking.objects.filter(pk__in=ids).update(status=BookingStatus.EXPIRED, updated_at=now)


def _blocked_until(booking: Booking, start_at: datetime) -> datetime:
    """Return when a booking's session and buffer would end if it started at ``start_at``."""
    return start_at + booking.service.blocks(booking.length)


def _choose(
    *,
    service: Service,
    length: ServiceLength,
    start_at: datetime,
    now: datetime,
    studio: Studio,
    locked: Locked,
    exclude_booking_id: int | None = None,
    room: Room | None = None,
    enforce_notice: bool = True,
    expire_dead_holds: bool = False,
) -> tuple[int, int]:
    """Re-read availability for the start's day and return a free (therapist id, room id).

    With ``room``, that room must suit the service and be free; otherwise the first free
    suitable room is taken. Front-desk changes pass ``enforce_notice=False``: the minimum
    notice is an online-booking policy, not a rule of the calendar. With
    ``expire_dead_holds`` (a new booking, none excluded), the dead holds the insert could
    meet are marked expired, if this read met any: ``_expire_dead_holds`` then runs.
    """
    found = selectors.start_choices(
        service=service,
        length=length,
        start_at=start_at,
        resources=(locked.therapist_ids, locked.room_ids),
        now=now,
        studio=studio,
        exclude_booking_id=exclude_booking_id,
        enforce_notice=enforce_notice,
        dead_holds=expire_dead_holds,
    )
    if room is not None and not service.rooms.filter(pk=room.pk, is_active=True).exists():
        raise BookingRefused(_("That room does not suit this massage."))
    slot = found.slot
    if slot is None or (room is not None and room.pk not in slot.room_ids):
        raise _slot_taken()
    if found.dead_holds:
        # The read covers every booking on the locked therapists and rooms that meets the
        # locked span, and nobody can add a hold there while the locks are held: with none
        # dead in it, _expire_dead_holds would find nothing, and its query is saved.
        _expire_dead_holds(now=now, locked=locked)
    room_id = room.pk if room is not None else slot.room_ids[0]
    return pick_therapist(slot.therapist_ids, found.booked_minutes), room_id


def hold_create(
    *,
    service: Service,
    length: ServiceLength,
    therapist: Therapist | None,
    start_at: datetime,
    now: datetime | None = None,
    client: Client | None = None,
    room: Room | None = None,
    source: str = Booking.Source.ONLINE,
    language: str | None = None,
    therapists: Sequence[Therapist] | None = None,
    room_ids: Sequence[int] | None = None,
    catalogue_print: int | None = None,
) -> Booking:
    """Hold a free start while the client finishes booking (details and health questions).

    Online, the hold lasts the studio's hold time. The front desk books for a client on the
    phone with ``source=PHONE``: the minimum notice does not apply, and the hold lasts the
    studio's phone hold (until the client has answered the questions sent to them). No hold
    outlives the session's start. ``language`` is the client's (by default the language the
    request is served in): every later email and link is in it. ``therapists`` are the
    service's active therapists in their order, when the caller has read them already
    (``selectors.kept_catalogue``): they are not read again. ``room_ids``, the
    ids of the service's active rooms in their order (``selectors.kept_catalogue``), are
    likewise not read again. Read before the transaction, they are as safe as read in it:
    no edit of a therapist, a room or which serve a service takes the calendar locks, so an
    edit may commit between the read and the locks wherever the read is (each statement sees
    what is committed when it starts). The locks guard the bookings, and the re-check and
    the exclusion constraints still see every booking on the rooms read. With
    ``catalogue_print``, the catalogue they came from was kept (``selectors.kept_catalogue``)
    and the statement that takes the locks reads its print first: if it was edited since,
    ``selectors.CatalogueChanged`` is raised, and nothing is held.
    """
    now = now or timezone.now()
    studio = Studio.load()
    by_front_desk = source == Booking.Source.PHONE
    _check_offer(service=service, length=length, therapist=therapist, therapists=therapists)
    _check_start(studio=studio, start_at=start_at, now=now, enforce_notice=not by_front_desk)
    hold_for = studio.phone_hold if by_front_desk else timedelta(minutes=studio.hold_minutes)
    end_at = start_at + timedelta(minutes=length.minutes)
    blocked_until = start_at + service.blocks(length)
    # The insert ends a transaction of the hold's own (none was open around it): the stored
    # weeks of times go stale when it commits, once the calendar locks are released, not
    # while they are held (``page_cache.last_write``).
    own_transaction = not transaction.get_connection().in_atomic_block
    # Built before the locks are taken: under them, only its therapist and room are chosen.
    booking = Booking(
        client=client,
        service=service,
        length=length,
        start_at=start_at,
        end_at=end_at,
        blocked_until=blocked_until,
        price=length.price,
        status=BookingStatus.HELD,
        source=source,
        hold_expires_at=min(now + hold_for, start_at),
        language=language or translation.get_language(),
    )
    with _calendar_write(
        service=service,
        therapist=therapist,
        start_at=start_at,
        end_at=blocked_until,
        therapists=therapists,
        room_ids=room_ids,
        catalogue_print=catalogue_print,
    ) as locked:
        booking.therapist_id, booking.room_id = _choose(
            service=service,
            length=length,
            start_at=start_at,
            now=now,
            studio=studio,
            locked=locked,
            room=room,
            enforce_notice=not by_front_desk,
            expire_dead_holds=True,
        )
        with page_cache.last_write() if own_transaction else nullcontext():
            booking.save(force_insert=True)
    return booking


def hold_check(*, booking: Booking, now: datetime | None = None) -> None:
    """Refuse to go on with a hold that has expired or was already used."""
    now = now or timezone.now()
    # A hold the sweep already marked expired is as gone as one past its time.
    if booking.status not in (BookingStatus.HELD, BookingStatus.EXPIRED):
        raise BookingRefused(
            _("This booking has already been submitted."), code=BookingRefused.INVALID
        )
    if booking.status == BookingStatus.EXPIRED or booking.hold_expires_at <= now:
        raise BookingRefused(
            _(
                "We could only keep that time for a few minutes, and it has been released. "
                "Please choose a time again."
            ),
            code=BookingRefused.HOLD_EXPIRED,
        )


def hold_renew(*, booking: Booking, now: datetime | None = None) -> Booking:
    """Hold a run-out online hold's time again, for the studio's hold time, if still free.

    The client who let the minutes run out keeps their place in the flow: the same booking,
    with what they already gave. A time taken since, or now too close, is refused.
    """
    now = now or timezone.now()
    studio = Studio.load()
    with _own_time_again(booking) as (booking, locked):
        if booking.source != Booking.Source.ONLINE or booking.status not in (
            BookingStatus.HELD,
            BookingStatus.EXPIRED,
        ):
            raise BookingRefused(
                _("This booking has already been submitted."), code=BookingRefused.INVALID
            )
        if booking.status == BookingStatus.HELD and booking.hold_expires_at > now:
            return booking
        booking.room_id = _free_room_again(booking, locked=locked, studio=studio, now=now)
        booking.status = BookingStatus.HELD
        booking.hold_expires_at = min(
            now + timedelta(minutes=studio.hold_minutes), booking.start_at
        )
        booking.save(update_fields=["status", "hold_expires_at", "room", "updated_at"])
        return booking


def hold_release(*, booking: Booking, status: str = BookingStatus.EXPIRED) -> None:
    """Free a hold's slot, marking it expired (abandoned) or stopped (screening)."""
    Booking.objects.filter(pk=booking.pk, status=BookingStatus.HELD).update(
        status=status, updated_at=timezone.now()
    )
    # An update sends no signal: say so, since the slot is free again.
    times_cache.calendar_changed()
    sweep_soon()
    booking.refresh_from_db(fields=["status"])


def holds_expire(*, now: datetime | None = None) -> int:
    """Mark every hold past its expiry as expired; return how many. Idempotent."""
    with transaction.atomic():
        expired = _expire_dead_holds(now=now or timezone.now())
        if expired:
            sweep_soon()
        return expired


def client_upsert(
    *, name: str, email: str, phone: str = "", user=None, may_update: bool = True
) -> Client:
    """Return the client with this email, or a new one.

    An existing client's name and phone are updated only with ``may_update``: an online
    form proves nothing about who typed the email, so it must not rewrite their record.
    """
    email = email.strip().lower()
    client = Client.objects.filter(email=email, erased_at__isnull=True).order_by("pk").first()
    if client is None:
        return Client.objects.create(name=name.strip(), email=email, phone=phone.strip(), user=user)
    if not may_update:
        return client
    client.name = name.strip()
    if phone:
        client.phone = phone.strip()
    if user is not None and client.user_id is None:
        client.user = user
    client.save(update_fields=["name", "phone", "user"])
    return client


def phone_booking_create(
    *,
    client: Client | None,
    name: str = "",
    email: str = "",
    phone: str = "",
    service: Service,
    length: ServiceLength,
    therapist: Therapist | None,
    start_at: datetime,
    language: str | None = None,
    now: datetime | None = None,
) -> Booking:
    """Hold a time the front desk books by phone, for an existing client or a new one.

    One transaction: the client is created (or their name and phone updated) only once the
    time is held, so a refused booking leaves the client list as it was.
    """
    with transaction.atomic():
        booking = hold_create(
            service=service,
            length=length,
            therapist=therapist,
            start_at=start_at,
            now=now,
            source=Booking.Source.PHONE,
            language=language,
        )
        booking.client = client or client_upsert(name=name, email=email, phone=phone)
        booking.save(update_fields=["client", "updated_at"])
    return booking


@transaction.atomic
def hold_attach_client(
    *,
    booking: Booking,
    name: str,
    email: str,
    phone: str,
    may_update: bool = False,
    now: datetime | None = None,
) -> Booking:
    """Record who the held booking is for (see ``client_upsert`` for ``may_update``)."""
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    hold_check(booking=booking, now=now)
    booking.client = client_upsert(name=name, email=email, phone=phone, may_update=may_update)
    booking.save(update_fields=["client", "updated_at"])
    return booking


def _desk_gate(booking: Booking, status: str, *, now: datetime) -> str:
    """Return the status an online booking takes, past the studio's no-show limit or not.

    A client who missed ``no_show_limit`` sessions in the last 12 months books online only
    as "awaiting confirmation": the front desk confirms it, seeing why (``no_shows_counted``).
    A booking the front desk made by phone is theirs already, and a stop stays a stop.
    """
    booking.no_shows_counted = None
    limit = Studio.load().no_show_limit
    if (
        not limit
        or booking.source != Booking.Source.ONLINE
        or status not in (BookingStatus.CONFIRMED, BookingStatus.AWAITING_REVIEW)
    ):
        return status
    missed = selectors.no_shows_counted(client_id=booking.client_id, now=now)
    if missed < limit:
        return status
    booking.no_shows_counted = missed
    return BookingStatus.AWAITING_DESK if status == BookingStatus.CONFIRMED else status


def status_after_review(booking: Booking) -> str:
    """Return the status a booking approved by its therapist takes: the front desk's turn may
    still come (``_desk_gate``)."""
    if booking.no_shows_counted is not None:
        return BookingStatus.AWAITING_DESK
    return BookingStatus.CONFIRMED


@transaction.atomic
def booking_settle(*, booking: Booking, status: str, now: datetime | None = None) -> Booking:
    """Turn a live hold into a booking awaiting review, the front desk, or confirmed."""
    now = now or timezone.now()
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    hold_check(booking=booking, now=now)
    if booking.client_id is None:
        raise BookingRefused(_("Please tell us who the booking is for first."))
    booking.status = _desk_gate(booking, status, now=now)
    booking.hold_expires_at = None
    if booking.status == BookingStatus.CONFIRMED:
        booking.confirmed_at = now
    booking.save(
        update_fields=[
            "status",
            "hold_expires_at",
            "confirmed_at",
            "no_shows_counted",
            "updated_at",
        ]
    )
    return booking


@transaction.atomic
def booking_desk_confirm(*, booking: Booking, now: datetime | None = None) -> Booking:
    """The front desk confirms a booking that waited for them; the client is told."""
    now = now or timezone.now()
    booking = Booking.objects.select_for_update(of=("self",)).get(pk=booking.pk)
    if booking.status != BookingStatus.AWAITING_DESK:
        raise BookingRefused(
            _("This booking is not awaiting confirmation: its status is “%(status)s”.")
            % {"status": booking.status_label}
        )
    if booking.start_at <= now:
        raise BookingRefused(_("This booking has already started."))
    booking.status = BookingStatus.CONFIRMED
    booking.confirmed_at = now
    booking.save(update_fields=["status", "confirmed_at", "updated_at"])
    notify("confirmed", booking, key="desk")
    return booking


def booking_screening_record(*, booking: Booking, level: str, stopped: bool, now: datetime) -> None:
    """Record the level of the booking's newest screening (and when one first stopped it).

    Called by the intake when it triages answers, in the same transaction: the booking keeps
    the outcome, never the answers, so the pages that list bookings need no health data.
    """
    changes = {"screening_level": ScreeningLevel(level)}
    if stopped:
        changes["screening_stopped_at"] = Coalesce("screening_stopped_at", Value(now))
    Booking.objects.filter(pk=booking.pk).update(**changes)


def client_can_change(*, booking: Booking, now: datetime | None = None) -> bool:
    """Return True while the client may still cancel or reschedule online."""
    now = now or timezone.now()
    window = Studio.load().cancel_window
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
    return _cancel(booking, reason=reason, now=now)


def _cancel(booking: Booking, *, reason: str, now: datetime) -> Booking:
    """Write a locked booking's cancellation and tell the client; the save tells the waitlist."""
    previous_status = booking.status
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = now
    booking.cancel_reason = reason[:250]
    booking.sequence += 1
    booking.save(
        update_fields=["status", "cancelled_at", "cancel_reason", "sequence", "updated_at"]
    )
    if booking.client_id is not None and previous_status != BookingStatus.HELD:
        notify("cancelled", booking, key=str(booking.sequence))
    return booking


# The reminder's answer: "I'll be there" or "I can't come", through its signed link.


def reminder_answer_refusal(
    *, booking: Booking, sequence: int, now: datetime | None = None
) -> BookingRefused | None:
    """Return why the reminder's link may no longer confirm or cancel this booking, or None.

    ``sequence`` is the revision of the booking's time the reminder was sent for.
    """
    now = now or timezone.now()
    if booking.status == BookingStatus.CANCELLED:
        return BookingRefused(
            _("This booking is cancelled. We hope to see you another time."),
            code=BookingRefused.POLICY,
        )
    if booking.start_at <= now:
        return BookingRefused(
            _("The time of this session has come, so it can no longer be changed here."),
            code=BookingRefused.POLICY,
        )
    if booking.status not in CHANGEABLE_STATUSES:
        return BookingRefused(
            _("This booking can no longer be changed."), code=BookingRefused.POLICY
        )
    if booking.sequence != sequence:
        return BookingRefused(
            _("Your booking has changed since we sent this reminder. Please see its new time."),
            code=BookingRefused.MOVED,
        )
    return None


def reminder_confirm_refusal(booking: Booking) -> str | None:
    """Return why a client may not say "I'll be there" to a booking's status yet, or None."""
    # The first two say what the booking page says of these statuses (the same msgids).
    if booking.status == BookingStatus.AWAITING_REVIEW:
        return _(
            "Your time is reserved. Your therapist will read your answers and confirm the "
            "session, or get in touch, before your visit. We will email you."
        )
    if booking.status == BookingStatus.ON_HOLD:
        return _(
            "Your booking is on hold. Please do not come for your massage until the studio "
            "has been in touch."
        )
    if booking.status == BookingStatus.AWAITING_DESK:
        return _(
            "Your booking is waiting for the studio to confirm it. We will email you as soon "
            "as they have."
        )
    return None


@transaction.atomic
def booking_client_confirm(
    *, booking: Booking, sequence: int, now: datetime | None = None
) -> Booking:
    """Record, once, that the client will come to the time they were reminded of."""
    now = now or timezone.now()
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if refusal := reminder_answer_refusal(booking=booking, sequence=sequence, now=now):
        raise refusal
    if message := reminder_confirm_refusal(booking):
        raise BookingRefused(message, code=BookingRefused.POLICY)
    if booking.client_confirmed_at is None:
        booking.client_confirmed_at = now
        booking.save(update_fields=["client_confirmed_at", "updated_at"])
    return booking


@transaction.atomic
def booking_cancel_from_reminder(
    *, booking: Booking, sequence: int, late_ok: bool = False, now: datetime | None = None
) -> Booking:
    """Cancel from the reminder's link, until the session starts.

    Inside the cancellation window it counts as a late cancellation, and is refused unless
    ``late_ok`` says the client was told so: a late cancellation still beats a no-show, and
    frees the time for the waitlist.
    """
    now = now or timezone.now()
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if refusal := reminder_answer_refusal(booking=booking, sequence=sequence, now=now):
        raise refusal
    if not late_ok and not client_can_change(booking=booking, now=now):
        raise BookingRefused(
            _("Cancelling this close to your session counts as a late cancellation."),
            code=BookingRefused.LATE,
        )
    return _cancel(booking, reason="", now=now)


def _place(booking: Booking, *, start_at: datetime, therapist_id: int, room_id: int) -> Booking:
    """Write a booking's new time and place, raise its revision and tell the client."""
    booking.start_at = start_at
    booking.end_at = start_at + timedelta(minutes=booking.length.minutes)
    booking.blocked_until = _blocked_until(booking, start_at)
    booking.therapist_id = therapist_id
    booking.room_id = room_id
    booking.sequence += 1
    # The client confirmed the time they were reminded of, not this one.
    booking.client_confirmed_at = None
    booking.save(
        update_fields=[
            "start_at",
            "end_at",
            "blocked_until",
            "therapist",
            "room",
            "sequence",
            "client_confirmed_at",
            "updated_at",
        ]
    )
    if booking.status in CHANGEABLE_STATUSES:
        notify("rescheduled", booking, key=str(booking.sequence))
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
    _check_horizon(studio=studio, start_at=start_at, now=now)
    with _calendar_write(
        service=booking.service,
        therapist=therapist,
        start_at=start_at,
        end_at=_blocked_until(booking, start_at),
    ) as locked:
        booking = (
            Booking.objects.select_for_update()
            .select_related("service", "length")
            .get(pk=booking.pk)
        )
        if by_client:
            _check_client_window(booking=booking, now=now)
        _check_start(studio=studio, start_at=start_at, now=now)
        _expire_dead_holds(now=now, locked=locked)
        therapist_id, room_id = _choose(
            service=booking.service,
            length=booking.length,
            start_at=start_at,
            now=now,
            studio=studio,
            locked=locked,
            exclude_booking_id=booking.pk,
        )
        return _place(booking, start_at=start_at, therapist_id=therapist_id, room_id=room_id)


def booking_reactivate(*, booking: Booking, status: str, now: datetime | None = None) -> Booking:
    """Take a stopped attempt's slot again, if still free, in the given active status."""
    now = now or timezone.now()
    studio = Studio.load()
    with _own_time_again(booking) as (booking, locked):
        if booking.status != BookingStatus.STOPPED:
            raise BookingRefused(_("This booking has already been submitted."))
        booking.room_id = _free_room_again(booking, locked=locked, studio=studio, now=now)
        booking.status = _desk_gate(booking, status, now=now)
        booking.confirmed_at = now if booking.status == BookingStatus.CONFIRMED else None
        booking.save(
            update_fields=["status", "confirmed_at", "no_shows_counted", "room", "updated_at"]
        )
        return booking


# The front desk can move a booking that has not happened yet, and mark what happened.
MOVABLE_STATUSES = (
    BookingStatus.HELD,
    BookingStatus.AWAITING_REVIEW,
    BookingStatus.AWAITING_DESK,
    BookingStatus.CONFIRMED,
    BookingStatus.ON_HOLD,
)
_MARK_FROM = {
    BookingStatus.ARRIVED: (BookingStatus.CONFIRMED,),
    BookingStatus.COMPLETED: (BookingStatus.CONFIRMED, BookingStatus.ARRIVED),
    BookingStatus.NO_SHOW: (BookingStatus.CONFIRMED,),
}


def booking_move(
    *,
    booking: Booking,
    start_at: datetime,
    therapist: Therapist,
    room: Room | None = None,
    now: datetime | None = None,
) -> Booking:
    """Move a booking to another time, therapist or room, refusing any clash with the reason."""
    now = now or timezone.now()
    studio = Studio.load()
    _check_horizon(studio=studio, start_at=start_at, now=now)
    with _calendar_write(
        service=booking.service,
        therapist=therapist,
        start_at=start_at,
        end_at=_blocked_until(booking, start_at),
    ) as locked:
        booking = (
            Booking.objects.select_for_update(of=("self",))
            .select_related("service", "length")
            .get(pk=booking.pk)
        )
        if booking.status not in MOVABLE_STATUSES:
            raise BookingRefused(
                _("This booking cannot be moved: its status is “%(status)s”.")
                % {"status": booking.get_status_display()}
            )
        if (
            booking.start_at == start_at
            and booking.therapist_id == therapist.pk
            and (room is None or booking.room_id == room.pk)
        ):
            return booking  # a repeated submit of the same move: nothing to change
        if booking.start_at <= now:
            raise BookingRefused(_("This booking has already started and cannot be moved."))
        _check_offer(service=booking.service, length=booking.length, therapist=therapist, new=False)
        _check_start(studio=studio, start_at=start_at, now=now, enforce_notice=False)
        _expire_dead_holds(now=now, locked=locked)
        try:
            therapist_id, room_id = _choose(
                service=booking.service,
                length=booking.length,
                start_at=start_at,
                now=now,
                studio=studio,
                locked=locked,
                exclude_booking_id=booking.pk,
                room=room,
                enforce_notice=False,
            )
        except BookingRefused as refusal:
            if refusal.code != BookingRefused.SLOT_TAKEN:
                raise
            raise not_free(therapist) from refusal
        return _place(booking, start_at=start_at, therapist_id=therapist_id, room_id=room_id)


@transaction.atomic
def booking_mark(*, booking: Booking, status: str, now: datetime | None = None) -> Booking:
    """Record that the client arrived, completed the session or did not come."""
    now = now or timezone.now()
    booking = Booking.objects.select_for_update(of=("self",)).get(pk=booking.pk)
    allowed_from = _MARK_FROM.get(status)
    if allowed_from is None:
        raise BookingRefused(_("That is not something a booking can be marked as."))
    if booking.status not in allowed_from:
        raise BookingRefused(
            _("This booking cannot be marked that way: its status is “%(status)s”.")
            % {"status": booking.get_status_display()}
        )
    if status == BookingStatus.NO_SHOW and now < booking.start_at:
        raise BookingRefused(_("A client can only be marked as not coming once the time has come."))
    if status in (BookingStatus.ARRIVED, BookingStatus.COMPLETED) and now < (
        booking.start_at - timedelta(hours=12)
    ):
        raise BookingRefused(_("This booking is not today."))
    booking.status = status
    booking.save(update_fields=["status", "updated_at"])
    return booking


def time_block_create(
    *,
    therapist: Therapist,
    start_at: datetime,
    end_at: datetime,
    kind: str = TimeOff.Kind.BLOCK,
    reason: str = "",
) -> TimeOff:
    """Block a therapist's time or record time off, refusing overlaps with bookings or leave."""
    if end_at <= start_at:
        raise BookingRefused(_("The end must be after the start."))
    with transaction.atomic():
        _lock_calendar(Locked([therapist.pk], [], start_at=start_at, end_at=end_at))
        clash = Booking.objects.filter(
            therapist=therapist,
            status__in=ACTIVE_STATUSES,
            start_at__lt=end_at,
            blocked_until__gt=start_at,
        ).first()
        if clash is not None:
            raise BookingRefused(
                _("There is a booking at %(time)s in that time. Move or cancel it first.")
                % {"time": timezone.localtime(clash.start_at).strftime("%d/%m %H:%M")}
            )
        time_off = TimeOff(
            therapist=therapist, start_at=start_at, end_at=end_at, kind=kind, reason=reason
        )
        try:
            time_off.full_clean()
        except ValidationError as error:
            raise BookingRefused(" ".join(error.messages)) from error
        try:
            with transaction.atomic():
                time_off.save()
        except IntegrityError as error:
            raise BookingRefused(_("This overlaps time off already recorded.")) from error
        return time_off


def calendar_token_renew(*, therapist: Therapist) -> str:
    """Give the therapist a new feed address; the old one stops working at once."""
    therapist.calendar_token = new_calendar_token()
    therapist.save(update_fields=["calendar_token"])
    return therapist.calendar_token


@transaction.atomic
def booking_manage_link_revoke(*, booking: Booking, now: datetime | None = None) -> Booking:
    """Stop a booking's manage link from working, at once (staff, from the booking card)."""
    now = now or timezone.now()
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if booking.manage_link_revoked_at is None:
        booking.manage_link_revoked_at = now
        booking.save(update_fields=["manage_link_revoked_at", "updated_at"])
    return booking


@transaction.atomic
def booking_manage_link_renew(*, booking: Booking, now: datetime | None = None) -> Booking:
    """Give a booking a fresh manage link, email it to the client, and kill the old one.

    The fresh link works for the usual while from now, even for a visit long past: a client
    may still need it to download or erase their data.
    """
    now = now or timezone.now()
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if booking.client is None or booking.client.erased_at is not None:
        raise BookingRefused(_("This booking has no client to send a link to."))
    booking.manage_token = new_manage_token()
    booking.manage_link_issued_at = now
    booking.manage_link_revoked_at = None
    booking.save(
        update_fields=[
            "manage_token",
            "manage_link_issued_at",
            "manage_link_revoked_at",
            "updated_at",
        ]
    )
    notify("manage_link", booking, key=f"renew-{int(now.timestamp())}")
    return booking
