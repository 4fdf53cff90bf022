"""factory_boy factories for the studio, bookings and intake models."""

from datetime import time
from decimal import Decimal

import factory
from django.contrib.auth.models import User

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
