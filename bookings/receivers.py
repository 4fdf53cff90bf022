"""Raise the calendar version whenever a model behind the free times is written.

Signals, not calls in each service, because the admin edits most of these models and the
stored weeks of free times must not outlive any of those edits (see ``times_cache``).
Every save or delete of these models counts, whatever the field: a cheap, safe over-count.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save

from bookings.models import Booking
from bookings.times_cache import calendar_changed
from studio.models import Room, Service, ServiceLength, Studio, Therapist, TimeOff, WorkingHours

MODELS = (Booking, Room, Service, ServiceLength, Studio, Therapist, TimeOff, WorkingHours)
RELATIONS = (Service.rooms.through, Therapist.services.through)


def _written(sender, **kwargs) -> None:
    calendar_changed()


def _relation_written(sender, action, **kwargs) -> None:
    if action.startswith("post_"):
        calendar_changed()


def connect() -> None:
    for model in MODELS:
        uid = f"calma-times-{model._meta.label_lower}"
        post_save.connect(_written, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_written, sender=model, dispatch_uid=f"{uid}-delete")
    for through in RELATIONS:
        m2m_changed.connect(
            _relation_written, sender=through, dispatch_uid=f"calma-times-{through.__name__}"
        )
