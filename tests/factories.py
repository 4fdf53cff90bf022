"""factory_boy factories for the studio, bookings and intake models."""

from datetime import time, timedelta
from decimal import Decimal

import factory
from django.contrib.auth.models import User
from django.utils import timezone

from bookings.models import Booking, BookingStatus, Client
from studio.models import Room, Service, ServiceLength, Therapist, WorkingHours


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.django.Password("pw-for-tests")


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    name = factory.Sequence(lambda n: f"Room {n}")
    slug = factory.Sequence(lambda n: f"room-{n}")


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Massage {n}")
    slug = factory.Sequence(lambda n: f"massage-{n}")
    summary = "A calm session."
    description = "A wellness session."
    buffer_minutes = 10

    @factory.post_generation
    def rooms(self, create, extracted, **kwargs):
        if create and extracted:
            self.rooms.add(*extracted)


class ServiceLengthFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceLength

    service = factory.SubFactory(ServiceFactory)
    minutes = 60
    price = Decimal("50.00")


class TherapistFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Therapist
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    display_name = factory.Sequence(lambda n: f"Therapist {n}")
    slug = factory.Sequence(lambda n: f"therapist-{n}")

    @factory.post_generation
    def services(self, create, extracted, **kwargs):
        if create and extracted:
            self.services.add(*extracted)


class WorkingHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkingHours

    therapist = factory.SubFactory(TherapistFactory)
    weekday = 0
    starts = time(9, 0)
    ends = time(17, 0)


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    name = factory.Sequence(lambda n: f"Client {n}")
    email = factory.Sequence(lambda n: f"client{n}@example.com")
    phone = "+34 600 000 000"


class BookingFactory(factory.django.DjangoModelFactory):
    """A confirmed booking; pass ``start_at`` and the therapist, room and length to place it."""

    class Meta:
        model = Booking

    client = factory.SubFactory(ClientFactory)
    service = factory.SubFactory(ServiceFactory)
    length = factory.SubFactory(ServiceLengthFactory, service=factory.SelfAttribute("..service"))
    therapist = factory.SubFactory(TherapistFactory)
    room = factory.SubFactory(RoomFactory)
    start_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    end_at = factory.LazyAttribute(lambda o: o.start_at + timedelta(minutes=o.length.minutes))
    blocked_until = factory.LazyAttribute(
        lambda o: o.end_at + timedelta(minutes=o.service.buffer_minutes)
    )
    price = factory.LazyAttribute(lambda o: o.length.price)
    status = BookingStatus.CONFIRMED
    # A hold needs an expiry (a check constraint says so); other statuses have none.
    hold_expires_at = factory.LazyAttribute(
        lambda o: timezone.now() + timedelta(minutes=10) if o.status == BookingStatus.HELD else None
    )


# Intake. The models are named as strings and looked up lazily so this block stays an append.


def _current(name: str):
    """Return the current booking questionnaire or consent text, loaded by the migrations."""
    from intake import selectors

    return getattr(selectors, f"{name}_current")()


class ConsentFactory(factory.django.DjangoModelFactory):
    """Consent to the current consent text, given now."""

    class Meta:
        model = "intake.Consent"

    client = factory.SubFactory(ClientFactory)
    text = factory.LazyFunction(lambda: _current("consent_text"))
    given_at = factory.LazyFunction(timezone.now)


class SubmissionFactory(factory.django.DjangoModelFactory):
    """Answers to the current questionnaire that sent a booking to review for pregnancy."""

    class Meta:
        model = "intake.Submission"
        # The post-generation hook writes the booking, not the submission.
        skip_postgeneration_save = True

    booking = factory.SubFactory(BookingFactory, status=BookingStatus.AWAITING_REVIEW)
    client = factory.SelfAttribute("booking.client")
    questionnaire = factory.LazyFunction(lambda: _current("questionnaire"))
    consent = factory.SubFactory(ConsentFactory, client=factory.SelfAttribute("..client"))
    answers = factory.LazyFunction(lambda: {"pregnant": "yes", "pregnancy_complications": "no"})
    level = "review"
    reasons = factory.LazyFunction(
        lambda: [{"question": "pregnant", "level": "review", "text": "Pregnancy."}]
    )
    created_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def screening(self, create, extracted, **kwargs):
        """Record the level on the booking, as ``intake_submit`` does when it triages."""
        if not create:
            return
        from bookings.services import booking_screening_record

        booking_screening_record(
            booking=self.booking,
            level=self.level,
            stopped=self.level == "stop" and self.kind == "booking",
            now=self.created_at,
        )
        self.booking.refresh_from_db(fields=["screening_level", "screening_stopped_at"])


class WaitlistEntryFactory(factory.django.DjangoModelFactory):
    """A client waiting for any time on one day (pass ``service``, ``length`` and the day)."""

    class Meta:
        model = "bookings.WaitlistEntry"

    last_day = factory.SelfAttribute("first_day")
    name = "Joan Puig"
    email = "joan@example.com"
    language = "en"
    created_at = factory.LazyFunction(timezone.now)
