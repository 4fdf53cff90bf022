"""The studio itself: its policies, services and their lengths, therapists, rooms and hours."""

import secrets
import threading
from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import RangeOperators
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from studio.ranges import TsTzRange
from studio.translated import translated


class Language(models.TextChoices):
    """The languages Calma speaks, each in its own name (``settings.LANGUAGES`` matches)."""

    CA = "ca", "Català"
    ES = "es", "Español"
    EN = "en", "English"


# The studio row as this thread (a request, a task) last read it; see ``Studio.load``.
_loaded = threading.local()


class Studio(models.Model):
    """The one studio this installation serves, with its booking policies."""

    name = models.CharField(_("name"), max_length=120, default="Calma")
    tagline = translated(models.CharField(_("tagline"), max_length=200, blank=True))
    address = models.CharField(_("address"), max_length=250, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    default_language = models.CharField(
        _("default language"),
        max_length=8,
        choices=Language.choices,
        default=Language.EN,
        help_text=_(
            "The language of pages for a visitor whose browser asks for none Calma speaks, "
            "and of the messages to the front desk."
        ),
    )
    min_notice_minutes = models.PositiveIntegerField(
        _("minimum notice (minutes)"),
        default=120,
        help_text=_("How long before a session it can still be booked online."),
    )
    horizon_days = models.PositiveIntegerField(
        _("booking horizon (days)"),
        default=60,
        help_text=_("How far ahead clients can book."),
    )
    hold_minutes = models.PositiveIntegerField(
        _("hold (minutes)"),
        default=10,
        help_text=_("How long a chosen time is kept while the client fills in the intake."),
    )
    cancel_window_hours = models.PositiveIntegerField(
        _("cancellation window (hours)"),
        default=24,
        help_text=_("Until how many hours before the session a client may cancel online."),
    )
    reminder_hours = models.PositiveIntegerField(
        _("reminder lead time (hours)"),
        default=24,
        help_text=_(
            "How many hours before a session the client is reminded and asked the "
            "pre-visit health questions; unanswered reviews are flagged to staff then too."
        ),
    )
    phone_hold_hours = models.PositiveIntegerField(
        _("phone booking hold (hours)"),
        default=48,
        help_text=_(
            "How long a time booked by the front desk is kept for the client's answers to "
            "the health questions (never past the session's start)."
        ),
    )
    slot_step_minutes = models.PositiveIntegerField(
        _("slot step (minutes)"),
        default=15,
        help_text=_("The grid on which start times are offered."),
    )
    waitlist_offer_minutes = models.PositiveIntegerField(
        _("waitlist offer (minutes)"),
        default=120,
        help_text=_("How long a freed time offered to the waitlist can be claimed."),
    )
    no_show_limit = models.PositiveSmallIntegerField(
        _("no-show limit"),
        default=2,
        help_text=_(
            "After this many no-shows in the last 12 months, a client's online bookings wait "
            "for the front desk to confirm them. 0 turns this off."
        ),
    )

    class Meta:
        verbose_name = _("studio")
        verbose_name_plural = _("studio")
        constraints = [
            models.CheckConstraint(
                condition=Q(slot_step_minutes__gte=5)
                & Q(hold_minutes__gte=1)
                & Q(phone_hold_hours__gte=1),
                name="studio_sane_steps",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def reminder_lead(self) -> timedelta:
        """How long before a session the reminder (and the re-screen) is due."""
        return timedelta(hours=self.reminder_hours)

    @property
    def phone_hold(self) -> timedelta:
        """How long a front-desk booking waits at most for the client's health answers."""
        return timedelta(hours=self.phone_hold_hours)

    @property
    def cancel_window(self) -> timedelta:
        """Until how long before a session a client may still cancel or move it online."""
        return timedelta(hours=self.cancel_window_hours)

    @classmethod
    def load(cls) -> "Studio":
        """Return the studio row, creating it with defaults on first use.

        Read once per request or task: the row is kept until ``Studio.forget()``, which runs
        when a request starts, when a task starts and whenever the row is saved (see
        ``studio.apps``), so an edited policy applies from the next request on.
        """
        studio = getattr(_loaded, "studio", None)
        if studio is None:
            studio, _created = cls.objects.get_or_create(pk=1)
            _loaded.studio = studio
        return studio

    @classmethod
    def keep(cls, studio: "Studio") -> None:
        """Keep a studio row read with other rows in one query as ``load`` would keep it."""
        _loaded.studio = studio

    @classmethod
    def forget(cls, **kwargs) -> None:
        """Drop the row ``load`` kept, so the next ``load`` reads it again (a signal receiver)."""
        _loaded.studio = None


class Room(models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(_("slug"), unique=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("room")
        verbose_name_plural = _("rooms")

    def __str__(self):
        return self.name


class Service(models.Model):
    name = translated(models.CharField(_("name"), max_length=120, unique=True), unique_source=True)
    slug = models.SlugField(_("slug"), unique=True)
    summary = translated(models.CharField(_("summary"), max_length=300))
    description = translated(models.TextField(_("what it is")))
    who_it_may_suit = translated(models.TextField(_("who it may suit"), blank=True))
    what_to_expect = translated(models.TextField(_("what a session is like"), blank=True))
    precautions = translated(models.TextField(_("precautions"), blank=True))
    aftercare = translated(models.TextField(_("after the session"), blank=True))
    buffer_minutes = models.PositiveSmallIntegerField(
        _("buffer after (minutes)"),
        default=10,
        help_text=_("Cleaning and turnover time kept free after each session."),
    )
    requires_assessment = models.BooleanField(
        _("needs a therapist's assessment"),
        default=False,
        help_text=_("Every booking goes to a therapist's review until they approve the client."),
    )
    rooms = models.ManyToManyField(Room, related_name="services", verbose_name=_("rooms"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "name_en"]
        verbose_name = _("service")
        verbose_name_plural = _("services")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("studio:service_detail", kwargs={"slug": self.slug})

    def blocks(self, length: "ServiceLength") -> timedelta:
        """Return how long a booking of this length keeps its therapist and room: the session
        and the buffer after it."""
        return timedelta(minutes=length.minutes + self.buffer_minutes)


class ServiceLength(models.Model):
    """One bookable length of a service, with its price."""

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="lengths", verbose_name=_("service")
    )
    minutes = models.PositiveSmallIntegerField(_("minutes"))
    price = models.DecimalField(_("price"), max_digits=8, decimal_places=2)
    # Withdrawn lengths are offered nowhere, but the bookings made with them keep them.
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["service", "minutes"]
        verbose_name = _("length")
        verbose_name_plural = _("lengths")
        constraints = [
            models.UniqueConstraint(fields=["service", "minutes"], name="length_unique_minutes"),
            models.CheckConstraint(
                condition=Q(minutes__gt=0),
                name="length_minutes_positive",
                violation_error_message=_("A length must be longer than zero minutes."),
            ),
            models.CheckConstraint(
                condition=Q(price__gte=0),
                name="length_price_not_negative",
                violation_error_message=_("A price cannot be negative."),
            ),
        ]

    def __str__(self):
        return _("%(service)s, %(minutes)s min") % {
            "service": self.service.name,
            "minutes": self.minutes,
        }


def new_calendar_token() -> str:
    return secrets.token_urlsafe(32)


class Therapist(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="therapist",
        verbose_name=_("user"),
    )
    display_name = models.CharField(_("display name"), max_length=120)
    slug = models.SlugField(_("slug"), unique=True)
    bio = translated(models.TextField(_("about"), blank=True))
    services = models.ManyToManyField(
        Service, related_name="therapists", blank=True, verbose_name=_("services offered")
    )
    is_active = models.BooleanField(_("active"), default=True)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=Language.choices,
        default=Language.EN,
        help_text=_("The language of the emails and calendar feed the therapist gets."),
    )
    # Secret for the private calendar feed; regenerating it revokes the old address.
    calendar_token = models.CharField(
        _("calendar feed token"), max_length=64, unique=True, default=new_calendar_token
    )

    class Meta:
        ordering = ["display_name"]
        verbose_name = _("therapist")
        verbose_name_plural = _("therapists")

    def __str__(self):
        return self.display_name

    def get_absolute_url(self):
        return reverse("studio:therapist_list") + f"#{self.slug}"


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class WorkingHours(models.Model):
    """A weekly stretch of work, in the studio's local time."""

    therapist = models.ForeignKey(
        Therapist, on_delete=models.CASCADE, related_name="hours", verbose_name=_("therapist")
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    starts = models.TimeField(_("starts"))
    ends = models.TimeField(_("ends"))

    class Meta:
        ordering = ["therapist", "weekday", "starts"]
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")
        constraints = [
            models.CheckConstraint(
                condition=Q(starts__lt=F("ends")),
                name="hours_start_before_end",
                violation_error_message=_("Working hours must end after they start."),
            ),
        ]

    def __str__(self):
        return (
            f"{self.therapist} {self.get_weekday_display()} {self.starts:%H:%M}–{self.ends:%H:%M}"
        )

    def clean(self):
        super().clean()
        if not (self.starts and self.ends and self.therapist_id is not None):
            return
        if self.starts >= self.ends:
            return  # the check constraint reports it
        overlapping = WorkingHours.objects.filter(
            therapist_id=self.therapist_id,
            weekday=self.weekday,
            starts__lt=self.ends,
            ends__gt=self.starts,
        ).exclude(pk=self.pk)
        if overlapping.exists():
            raise ValidationError(
                _("These hours overlap other hours of the same therapist on that day.")
            )


class TimeOff(models.Model):
    """Time a therapist is not available: leave, or a shorter block of the day."""

    class Kind(models.TextChoices):
        TIME_OFF = "time_off", _("Time off")
        BLOCK = "block", _("Blocked time")

    therapist = models.ForeignKey(
        Therapist, on_delete=models.CASCADE, related_name="time_off", verbose_name=_("therapist")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.TIME_OFF)
    start_at = models.DateTimeField(_("starts"))
    end_at = models.DateTimeField(_("ends"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start_at"]
        verbose_name = _("time off")
        verbose_name_plural = _("time off")
        constraints = [
            models.CheckConstraint(
                condition=Q(start_at__lt=F("end_at")),
                name="time_off_start_before_end",
                violation_error_message=_("Time off must end after it starts."),
            ),
            ExclusionConstraint(
                name="time_off_no_overlap",
                expressions=[
                    (TsTzRange("start_at", "end_at"), RangeOperators.OVERLAPS),
                    ("therapist", RangeOperators.EQUAL),
                ],
                violation_error_message=_("This overlaps time off already recorded."),
            ),
        ]

    def __str__(self):
        return f"{self.therapist}: {self.get_kind_display()} {self.start_at:%Y-%m-%d %H:%M}"

    def clean(self):
        super().clean()
        if not (self.start_at and self.end_at and self.therapist_id is not None):
            return
        overlapping = TimeOff.objects.filter(
            therapist_id=self.therapist_id,
            start_at__lt=self.end_at,
            end_at__gt=self.start_at,
        ).exclude(pk=self.pk)
        if overlapping.exists():
            raise ValidationError(_("This overlaps time off already recorded for this therapist."))

    def validate_constraints(self, exclude=None):
        # The exclusion constraint's own check needs PostgreSQL range operators; clean()
        # covers overlaps on every database, so only the portable constraints run here.
        errors = []
        for constraint in self._meta.constraints:
            if isinstance(constraint, ExclusionConstraint):
                continue
            try:
                constraint.validate(type(self), self, exclude=exclude)
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
