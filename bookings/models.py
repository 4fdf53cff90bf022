"""Clients and bookings. A hold is a booking in the HELD status, so it guards its slot too."""

import secrets
import uuid

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import RangeOperators
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from studio.models import Language, Room, Service, ServiceLength, Therapist, Weekday
from studio.ranges import TsTzRange


def new_manage_token() -> str:
    return secrets.token_urlsafe(32)


class Client(models.Model):
    """Somebody who books; an account is optional, so the email is what identifies them."""

    name = models.CharField(_("name"), max_length=120)
    email = models.EmailField(_("email"), db_index=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="client",
        verbose_name=_("account"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("client")
        verbose_name_plural = _("clients")

    def __str__(self):
        return self.name


class BookingStatus(models.TextChoices):
    HELD = "held", _("Held")
    AWAITING_REVIEW = "awaiting_review", _("Awaiting review")
    # Past the studio's no-show limit, a client's online booking waits for the front desk.
    AWAITING_DESK = "awaiting_desk", _("Awaiting confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    ON_HOLD = "on_hold", _("On hold")
    ARRIVED = "arrived", _("Arrived")
    COMPLETED = "completed", _("Completed")
    NO_SHOW = "no_show", _("No-show")
    CANCELLED = "cancelled", _("Cancelled")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Hold expired")
    STOPPED = "stopped", _("Stopped by screening")


class ScreeningLevel(models.TextChoices):
    """The outcome of a booking's newest health screening, as the intake app recorded it.

    Bookings keep the level only (never the answers or reasons), so the calendar and the
    therapist's day show it without reading health data; ``intake`` sets it when it triages.
    """

    CLEAR = "clear", _("Clear")
    REVIEW = "review", _("Review")
    STOP = "stop", _("Stop")


# Statuses that occupy the therapist's and the room's time.
ACTIVE_STATUSES = (
    BookingStatus.HELD,
    BookingStatus.AWAITING_REVIEW,
    BookingStatus.AWAITING_DESK,
    BookingStatus.CONFIRMED,
    BookingStatus.ON_HOLD,
    BookingStatus.ARRIVED,
    BookingStatus.COMPLETED,
)
# Statuses from which a client may still cancel or reschedule.
CHANGEABLE_STATUSES = (
    BookingStatus.AWAITING_REVIEW,
    BookingStatus.AWAITING_DESK,
    BookingStatus.CONFIRMED,
    BookingStatus.ON_HOLD,
)


class Booking(models.Model):
    Status = BookingStatus
    ACTIVE = ACTIVE_STATUSES
    CHANGEABLE = CHANGEABLE_STATUSES

    class Source(models.TextChoices):
        ONLINE = "online", _("Online")
        PHONE = "phone", _("Front desk")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    manage_token = models.CharField(max_length=64, unique=True, default=new_manage_token)
    # The manage link works until CALMA_MANAGE_LINK_DAYS after the later of the visit's end
    # and the link's reissue by staff, unless staff revoke it.
    manage_link_issued_at = models.DateTimeField(_("manage link reissued"), null=True, blank=True)
    manage_link_revoked_at = models.DateTimeField(_("manage link revoked"), null=True, blank=True)
    client = models.ForeignKey(
        Client,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bookings",
        verbose_name=_("client"),
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("service")
    )
    length = models.ForeignKey(
        ServiceLength, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("length")
    )
    therapist = models.ForeignKey(
        Therapist, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("therapist")
    )
    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("room")
    )
    start_at = models.DateTimeField(_("starts"), db_index=True)
    end_at = models.DateTimeField(_("ends"))
    # End of the session plus the service's buffer: the span the booking keeps free.
    blocked_until = models.DateTimeField(_("blocked until"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.HELD, db_index=True
    )
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.ONLINE
    )
    price = models.DecimalField(_("price"), max_digits=8, decimal_places=2)
    # The client's language: every later email, reminder and link is in it.
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=Language.choices,
        default=Language.EN,
        db_default=Language.EN,
    )
    hold_expires_at = models.DateTimeField(_("hold expires"), null=True, blank=True)
    sequence = models.PositiveIntegerField(
        _("revision"), default=0, help_text=_("Raised on every change of time (calendar files).")
    )
    # Blank until the client answers the health questions; then the newest screening's level.
    screening_level = models.CharField(
        _("screening"),
        max_length=10,
        choices=ScreeningLevel.choices,
        blank=True,
        default="",
        db_default="",
    )
    # When a screening first stopped this attempt: the front desk sees that a stop came
    # first even when changed answers later sent the same booking to review.
    screening_stopped_at = models.DateTimeField(_("stopped by screening"), null=True, blank=True)
    adaptations = models.TextField(_("adaptations"), blank=True)
    # The client's no-shows in the 12 months before an online booking that reached the
    # studio's limit: the booking waits for the front desk, who see why. Null below the limit.
    no_shows_counted = models.PositiveSmallIntegerField(
        _("no-shows when booked"), null=True, blank=True
    )
    # When the client confirmed from the reminder's link that they will come.
    client_confirmed_at = models.DateTimeField(_("confirmed by the client"), null=True, blank=True)
    staff_note = models.TextField(_("front desk note"), blank=True)
    cancel_reason = models.CharField(_("cancellation reason"), max_length=250, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    # Stamps of the periodic sweeps: each message is sent once, whatever runs twice.
    reminder_sent_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    review_alert_sent_at = models.DateTimeField(_("review alert sent"), null=True, blank=True)
    aftercare_sent_at = models.DateTimeField(_("after-care sent"), null=True, blank=True)

    class Meta:
        ordering = ["start_at"]
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        indexes = [
            models.Index(fields=["therapist", "start_at"], name="booking_therapist_start"),
            models.Index(fields=["room", "start_at"], name="booking_room_start"),
            # A client's history, and the reports' first and next visits (owner/reports.py).
            models.Index(fields=["client", "start_at"], name="booking_client_start"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_at__lt=F("end_at")) & Q(end_at__lte=F("blocked_until")),
                name="booking_times_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(status="held") | Q(hold_expires_at__isnull=False),
                name="booking_hold_has_expiry",
            ),
            ExclusionConstraint(
                name="booking_no_therapist_overlap",
                expressions=[
                    (TsTzRange("start_at", "blocked_until"), RangeOperators.OVERLAPS),
                    ("therapist", RangeOperators.EQUAL),
                ],
                condition=Q(status__in=ACTIVE_STATUSES),
                violation_error_message=_("That time was just taken."),
            ),
            ExclusionConstraint(
                name="booking_no_room_overlap",
                expressions=[
                    (TsTzRange("start_at", "blocked_until"), RangeOperators.OVERLAPS),
                    ("room", RangeOperators.EQUAL),
                ],
                condition=Q(status__in=ACTIVE_STATUSES),
                violation_error_message=_("That time was just taken."),
            ),
        ]

    def __str__(self):
        return f"{self.service} {self.start_at:%Y-%m-%d %H:%M} ({self.get_status_display()})"

    # Deliberately no get_absolute_url: whatever uses it generically (the admin's "View on
    # site" and its /admin/r/ redirect) would hand the client's manage link, a credential, to
    # whoever asks. The client's link is asked for by name; staff use the booking card.
    def get_manage_url(self) -> str:
        """Return the client's manage link: whoever holds it may see and change the booking."""
        return reverse("bookings:booking_manage", kwargs={"token": self.manage_token})

    @property
    def status_label(self) -> str:
        """The status in words, as ``get_status_display()``, by the enum rather than the choices.

        ``get_status_display()`` hashes every (lazy) choice label on each call, which costs a
        calendar of 80 bookings a fifth of its rendering time.
        """
        try:
            return str(BookingStatus(self.status).label)
        except ValueError:
            return self.status

    @property
    def desk_reason(self) -> str:
        """Why the booking awaits the front desk, for staff only ("" when it does not)."""
        if self.no_shows_counted is None:
            return ""
        return ngettext(
            "%(count)d no-show in the last 12 months",
            "%(count)d no-shows in the last 12 months",
            self.no_shows_counted,
        ) % {"count": self.no_shows_counted}

    @property
    def screening_label(self) -> str:
        """The screening level in the reader's words ("" before any screening)."""
        try:
            return str(ScreeningLevel(self.screening_level).label)
        except ValueError:
            return self.screening_level


class Notification(models.Model):
    """A message that was sent; the unique key makes a retried or repeated send a no-op."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="notifications")
    event = models.CharField(_("event"), max_length=40)
    # Tells apart the legitimate repeats of an event (a second reschedule, a second review).
    key = models.CharField(_("key"), max_length=40, blank=True)
    recipient = models.CharField(_("recipient"), max_length=254)
    sent_at = models.DateTimeField(_("sent"))

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["booking", "event", "key", "recipient"], name="notification_once"
            )
        ]

    def __str__(self):
        return f"{self.event} → {self.recipient}"


class WaitlistEntry(models.Model):
    """A client waiting for a time that suits them: a massage and length, a therapist or
    anyone, and the days and parts of the day they can come, in the order they joined.

    No account: the entry's own token is the link to see it or leave it.
    """

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        BOOKED = "booked", _("Booked from an offer")
        LEFT = "left", _("Left the waitlist")
        CLOSED = "closed", _("Closed: its days have passed")

    class PartOfDay(models.TextChoices):
        # The picker's periods (bookings/picker.py): local hours, the end excluded.
        MORNING = "morning", _("Morning")
        AFTERNOON = "afternoon", _("Afternoon")
        EVENING = "evening", _("Evening")

    service = models.ForeignKey(Service, on_delete=models.CASCADE, verbose_name=_("massage"))
    length = models.ForeignKey(ServiceLength, on_delete=models.CASCADE, verbose_name=_("length"))
    # None: anyone who offers the massage.
    therapist = models.ForeignKey(
        Therapist, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("therapist")
    )
    first_day = models.DateField(_("from"))
    last_day = models.DateField(_("until"))
    # Weekday numbers (Monday is 0) and parts of the day; empty means any.
    weekdays = models.JSONField(_("days of the week"), default=list, blank=True)
    parts = models.JSONField(_("parts of the day"), default=list, blank=True)
    name = models.CharField(_("name"), max_length=120)
    email = models.EmailField(_("email"))
    language = models.CharField(_("language"), max_length=5, choices=Language.choices)
    token = models.CharField(max_length=64, unique=True, default=new_manage_token)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.WAITING
    )
    created_at = models.DateTimeField(_("joined"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("waitlist entry")
        verbose_name_plural = _("waitlist")
        indexes = [models.Index(fields=["status", "created_at"], name="waitlist_waiting")]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_day__gte=F("first_day")), name="waitlist_days_in_order"
            ),
        ]

    def __str__(self):
        return f"{self.name} · {self.service} · {self.first_day}–{self.last_day}"

    @property
    def part_labels(self) -> list[str]:
        known = dict(self.PartOfDay.choices)
        return [str(known.get(part, part)) for part in self.parts]

    @property
    def weekday_labels(self) -> list[str]:
        """The days of the week that suit, in words (none: every day)."""
        known = dict(Weekday.choices)
        return [str(known.get(day, day)) for day in sorted(self.weekdays)]


class WaitlistOffer(models.Model):
    """One free time offered to one waiting client, by email, until it expires or is claimed.

    Unique per entry, start and therapist: a sweep run twice offers nothing twice.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLAIMED = "claimed", _("Claimed")
        GONE = "gone", _("Gone to someone else")
        EXPIRED = "expired", _("Expired")

    entry = models.ForeignKey(WaitlistEntry, on_delete=models.CASCADE, related_name="offers")
    start_at = models.DateTimeField(_("start"))
    therapist = models.ForeignKey(Therapist, on_delete=models.CASCADE, verbose_name=_("therapist"))
    token = models.CharField(max_length=64, unique=True, default=new_manage_token)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    booking = models.ForeignKey(
        Booking, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("offered"))
    expires_at = models.DateTimeField(_("expires"))

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("waitlist offer")
        verbose_name_plural = _("waitlist offers")
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "start_at", "therapist"], name="waitlist_offer_once"
            ),
        ]

    def __str__(self):
        return f"{self.entry.name} · {self.start_at:%Y-%m-%d %H:%M} · {self.get_status_display()}"
