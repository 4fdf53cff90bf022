"""Raise the calendar version whenever a model behind the free times is written, and offer
the times that free up or appear to the waitlist.

Signals, not calls in each service, because the admin edits most of these models and the
stored weeks of free times must not outlive any of those edits (see ``times_cache``).
Every save or delete of these models counts, whatever the field: a cheap, safe over-count.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save

from bookings.messages.outbox import sweep_soon
from bookings.models import ACTIVE_STATUSES, Booking
from bookings.times_cache import calendar_changed
from studio.models import Room, Service, ServiceLength, Studio, Therapist, TimeOff, WorkingHours

MODELS = (Booking, Room, Service, ServiceLength, Studio, Therapist, TimeOff, WorkingHours)
RELATIONS = (Service.rooms.through, Therapist.services.through)
# A booking's time frees up when it leaves the active statuses (cancelled, declined, stopped
# by the screening, expired) or moves; hours added and time off removed make new times.
MOVED = frozenset({"start_at", "therapist", "room"})


def _written(sender, **kwargs) -> None:
    calendar_changed()


def _booking_saved(sender, instance, created, update_fields=None, **kwargs) -> None:
    if created:
        return
    if instance.status not in ACTIVE_STATUSES or (update_fields and MOVED & set(update_fields)):
        sweep_soon()


def _hours_or_time_off_written(sender, **kwargs) -> None:
    sweep_soon()


def _relation_written(sender, action, **kwargs) -> None:
    if action.startswith("post_"):
        calendar_changed()


def connect() -> None:
    for model in MODELS:
        uid = f"calma-times-{model._meta.label_lower}"
        post_save.connect(_written, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_written, sender=model, dispatch_uid=f"{uid}-delete")
    post_save.connect(_booking_saved, sender=Booking, dispatch_uid="calma-waitlist-booking")
    post_save.connect(
        _hours_or_time_off_written, sender=WorkingHours, dispatch_uid="calma-waitlist-hours"
    )
    post_delete.connect(
        _hours_or_time_off_written, sender=TimeOff, dispatch_uid="calma-waitlist-time-off"
    )
    post_delete.connect(
        _hours_or_time_off_written, sender=WorkingHours, dispatch_uid="calma-waitlist-hours-gone"
    )
    for through in RELATIONS:
        m2m_changed.connect(
            _relation_written, sender=through, dispatch_uid=f"calma-times-{through.__name__}"
        )
