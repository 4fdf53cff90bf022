"""What a browser session remembers of a client without an account, in one place.

- the holds this browser started (it may fill in their details and health questions);
- the holds whose health questions alone it may answer: a phone booking's intake link, or
  the front desk's "fill in now", never the booking's details or manage page;
- the attempts the screening stopped in this browser (see ``intake.services``);
- the client whose emailed link was opened here (``permissions.proven_client_id``);
- what the client typed into a hold that ran out (details, health answers), for an hour, so
  that holding the time again, or another one instead, loses nothing. It goes once the
  answers are in.

Each list keeps the newest ten entries, so a session cannot grow without bound.
"""

from datetime import datetime, timedelta

from django.utils import timezone

from bookings.models import Booking, Client
from studio import permissions

HOLDS = "calma_holds"
INTAKE_ONLY = "calma_intake_only"
SCREENING_STOPS = "calma_screening_stops"
# The client whose emailed link was opened in this browser: proof enough to prefill their details.
CLIENT = permissions.SESSION_CLIENT
DRAFT = "calma_draft"
KEPT = 10
DRAFT_KEPT_FOR = timedelta(hours=1)
# What a draft keeps of a form: its own fields, each value cut to a sane length.
_DRAFT_VALUE_LENGTH = 1000
_DRAFT_FIELDS = 60


def _remember(request, key: str, booking: Booking) -> None:
    """Add the booking's public id to the session's list under ``key`` (once, newest last)."""
    shown = str(booking.public_id)
    kept = [value for value in request.session.get(key, []) if value != shown][-(KEPT - 1) :]
    request.session[key] = [*kept, shown]


def _remembered(request, key: str) -> list[str]:
    value = request.session.get(key, [])
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def hold_remember(request, booking: Booking) -> None:
    """Let this browser go on with a hold it started: details, then health questions."""
    _remember(request, HOLDS, booking)


def holds(request) -> list[str]:
    """Return the public ids of the holds this browser started, oldest first."""
    return _remembered(request, HOLDS)


def intake_only_allow(request, booking: Booking) -> None:
    """Let this browser answer the booking's health questions, and nothing more."""
    _remember(request, INTAKE_ONLY, booking)


def intake_only(request) -> list[str]:
    return _remembered(request, INTAKE_ONLY)


def screening_stop_remember(request, booking: Booking) -> None:
    """Remember that the screening stopped this attempt in this browser."""
    _remember(request, SCREENING_STOPS, booking)


def screening_stops(request) -> list[str]:
    """Return the public ids of the attempts the screening stopped in this browser."""
    return _remembered(request, SCREENING_STOPS)


def client_proven_remember(request, booking: Booking) -> None:
    """Record that this browser opened a link emailed to the booking's client."""
    request.session[CLIENT] = booking.client_id


def client_proven(request, booking: Booking) -> bool:
    """Return True once this browser proved to be the booking's client (see permissions)."""
    return permissions.is_client_of(
        request.user, booking.client, proven_client_id=permissions.proven_client_id(request)
    )


def proven_client(request) -> Client | None:
    """Return the client whose emailed link this browser opened, unless since erased."""
    client_id = permissions.proven_client_id(request)
    if client_id is None:
        return None
    return Client.objects.filter(pk=client_id, erased_at__isnull=True).first()


def draft_keep(request, *, booking: Booking, data, prefix: str = "", names=()) -> None:
    """Keep what was typed into a hold's form, when the hold ran out before it was sent.

    ``data`` is the posted form: the fields named in ``names`` and those starting with
    ``prefix`` are kept (lists for fields with several values). The draft belongs to this
    hold alone, or to the time chosen instead of it (``draft_follow``), never to a later
    booking made in the same browser: on a shared device that would be someone else's.
    """
    kept = draft(request, booking=booking)
    wanted = [name for name in data if name in names or (prefix and name.startswith(prefix))]
    fields = {
        name: [str(value)[:_DRAFT_VALUE_LENGTH] for value in data.getlist(name)]
        for name in wanted[:_DRAFT_FIELDS]
    }
    kept.update(fields)
    request.session[DRAFT] = {
        "booking": str(booking.public_id),
        "saved_at": timezone.now().isoformat(),
        "fields": kept,
    }


def draft_follow(request, *, from_id: str, to_booking: Booking) -> None:
    """Hand a run-out hold's draft to the time the client chose instead of it."""
    value = request.session.get(DRAFT)
    if isinstance(value, dict) and from_id and value.get("booking") == from_id:
        request.session[DRAFT] = {**value, "booking": str(to_booking.public_id)}


def draft(request, *, booking: Booking) -> dict[str, list[str]]:
    """Return what was typed into this hold (or the one it replaced), in the last hour."""
    value = request.session.get(DRAFT)
    if not isinstance(value, dict) or value.get("booking") != str(booking.public_id):
        return {}
    try:
        saved_at = datetime.fromisoformat(value["saved_at"])
    except (KeyError, TypeError, ValueError):
        return {}
    if timezone.now() - saved_at > DRAFT_KEPT_FOR or not isinstance(value.get("fields"), dict):
        return {}
    return {
        name: values
        for name, values in value["fields"].items()
        if isinstance(values, list) and all(isinstance(item, str) for item in values)
    }


def draft_initial(request, *, booking: Booking, names=(), prefix: str = "") -> dict:
    """Return a draft as a form's initial values: one value, or a list where there were more."""
    return {
        name: values if len(values) > 1 else values[0]
        for name, values in draft(request, booking=booking).items()
        if values and (name in names or (prefix and name.startswith(prefix)))
    }


def draft_forget(request) -> None:
    """Forget a draft once what it kept has been sent."""
    request.session.pop(DRAFT, None)
