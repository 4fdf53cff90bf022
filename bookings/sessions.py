"""What a browser session remembers of a client without an account, in one place.

- the holds this browser started (it may fill in their details and health questions);
- the holds whose health questions alone it may answer: a phone booking's intake link, or
  the front desk's "fill in now", never the booking's details or manage page;
- the attempts the screening stopped in this browser (see ``intake.services``);
- the client whose emailed link was opened here (``permissions.proven_client_id``).

Each list keeps the newest ten entries, so a session cannot grow without bound.
"""

from bookings.models import Booking, Client
from studio import permissions

HOLDS = "calma_holds"
INTAKE_ONLY = "calma_intake_only"
SCREENING_STOPS = "calma_screening_stops"
# The client whose emailed link was opened in this browser: proof enough to prefill their details.
CLIENT = permissions.SESSION_CLIENT
KEPT = 10


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
