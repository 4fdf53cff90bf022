"""The catalogue's models, constraints and the admin's refusals."""

from datetime import UTC, datetime, time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from studio.models import ServiceLength, TimeOff, WorkingHours
from tests.factories import ServiceFactory, ServiceLengthFactory, TherapistFactory

pytestmark = pytest.mark.django_db


def test_a_length_of_zero_minutes_is_refused_by_the_database():
    service = ServiceFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceLength.objects.create(service=service, minutes=0, price=Decimal("10"))


def test_a_negative_price_is_refused_by_the_database():
    service = ServiceFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceLength.objects.create(service=service, minutes=30, price=Decimal("-1"))


def test_a_length_of_zero_gets_a_clear_validation_message():
    length = ServiceLength(service=ServiceFactory(), minutes=0, price=Decimal("10"))
    with pytest.raises(ValidationError) as excinfo:
        length.full_clean()
    assert "longer than zero minutes" in str(excinfo.value)


def test_a_negative_price_gets_a_clear_validation_message():
    length = ServiceLength(service=ServiceFactory(), minutes=30, price=Decimal("-5"))
    with pytest.raises(ValidationError) as excinfo:
        length.full_clean()
    assert "cannot be negative" in str(excinfo.value)


def test_the_same_length_twice_for_one_service_is_refused():
    length = ServiceLengthFactory(minutes=45)
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceLength.objects.create(service=length.service, minutes=45, price=Decimal("1"))


def test_working_hours_that_end_before_they_start_are_refused():
    hours = WorkingHours(therapist=TherapistFactory(), weekday=0, starts=time(18), ends=time(9))
    with pytest.raises(ValidationError) as excinfo:
        hours.full_clean()
    assert "end after they start" in str(excinfo.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        hours.save()


def test_overlapping_working_hours_on_one_day_are_refused():
    therapist = TherapistFactory()
    WorkingHours.objects.create(therapist=therapist, weekday=2, starts=time(9), ends=time(13))
    clash = WorkingHours(therapist=therapist, weekday=2, starts=time(12), ends=time(15))
    with pytest.raises(ValidationError) as excinfo:
        clash.full_clean()
    assert "overlap" in str(excinfo.value)
    other_day = WorkingHours(therapist=therapist, weekday=3, starts=time(12), ends=time(15))
    other_day.full_clean()


def _time_off(therapist, start_hour, end_hour):
    return TimeOff(
        therapist=therapist,
        start_at=datetime(2026, 5, 4, start_hour, tzinfo=UTC),
        end_at=datetime(2026, 5, 4, end_hour, tzinfo=UTC),
    )


def test_overlapping_time_off_gets_a_clear_message():
    therapist = TherapistFactory()
    _time_off(therapist, 9, 12).save()
    with pytest.raises(ValidationError) as excinfo:
        _time_off(therapist, 11, 14).full_clean()
    assert "overlaps time off" in str(excinfo.value)
    # Back to back is fine: the ranges are half-open.
    _time_off(therapist, 12, 14).full_clean()


def test_time_off_that_ends_before_it_starts_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        _time_off(TherapistFactory(), 12, 9).full_clean()
    assert "end after it starts" in str(excinfo.value)


@pytest.mark.postgres
def test_the_database_itself_refuses_overlapping_time_off():
    therapist = TherapistFactory()
    _time_off(therapist, 9, 12).save()
    with pytest.raises(IntegrityError), transaction.atomic():
        _time_off(therapist, 11, 14).save()
    # Another therapist's time off at the same hours is not a clash.
    _time_off(TherapistFactory(), 9, 12).save()
