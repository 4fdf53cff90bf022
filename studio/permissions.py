"""Who may see and do what: DESIGN.md's "Who sees what", answered in one place.

Views, admin pages, forms and the links they show all ask these functions; none of them
decides on its own. A viewer is the signed-in user (anonymous included) and, for a client
without an account, the proof they brought:

- ``link``: they opened the booking's manage link. The link is the credential for that
  booking's time, service, status and the therapist's adaptations, and for changing it;
- ``proven_client_id``: this browser opened a link emailed to the client (see
  ``bookings.messages.links.client_proof``), which proves their mailbox and so who they are.
  Only that proof, or an account the owner linked to the client, opens their health answers.

A therapist sees what belongs to their own bookings ("their own clients" in the table); the
front desk sees every booking and its level but no adaptations, answers or reasons; the owner
sees everything. Whatever a viewer may not see answers 404, never a hint that it exists.
"""

from django.db.models import Q, QuerySet

from studio.roles import Role, is_front_desk, is_owner, therapist_of

# The client whose emailed link was opened in this browser session.
SESSION_CLIENT = "calma_client"

__all__ = [
    "SESSION_CLIENT",
    "Role",
    "bookings_visible_to",
    "can_link_accounts",
    "can_manage_studio",
    "can_manage_users",
    "can_read_answers",
    "can_read_submission",
    "can_review",
    "can_see_adaptations",
    "can_see_body_map",
    "can_see_notes",
    "can_see_report_health",
    "can_see_report_money",
    "can_use_front_desk",
    "can_view_access_log",
    "can_view_booking",
    "can_view_reports",
    "can_view_review_queue",
    "can_write_note",
    "is_client_of",
    "is_front_desk",
    "is_owner",
    "proven_client_id",
    "therapist_of",
]


def proven_client_id(request) -> int | None:
    """Return the client whose emailed link this browser opened, or None."""
    value = request.session.get(SESSION_CLIENT)
    return value if isinstance(value, int) else None


def _is_booking_therapist(user, booking) -> bool:
    therapist = therapist_of(user)
    return therapist is not None and booking.therapist_id == therapist.pk


def is_client_of(user, client, *, proven_client_id: int | None = None) -> bool:
    """Return True when the viewer has proved they are this client.

    Proof is the emailed link opened in this browser, or an account linked to the client
    (only the owner links accounts, see ``can_link_accounts``). An erased client is nobody's.
    """
    if client is None or client.erased_at is not None:
        return False
    if proven_client_id is not None and proven_client_id == client.pk:
        return True
    return bool(user.is_authenticated and client.user_id == user.pk)


def _is_booking_client(user, booking, proven_client_id) -> bool:
    if booking.client_id is None:
        return False
    return is_client_of(user, booking.client, proven_client_id=proven_client_id)


# A booking: time, service and status.


def can_view_booking(
    user, booking, *, link: bool = False, proven_client_id: int | None = None
) -> bool:
    """Return True for the booking's client, its therapist, the front desk and the owner."""
    return (
        link
        or is_front_desk(user)
        or _is_booking_therapist(user, booking)
        or _is_booking_client(user, booking, proven_client_id)
    )


def bookings_visible_to(user, queryset: QuerySet) -> QuerySet:
    """Return the bookings of ``queryset`` whose time and status the user sees.

    Manage links are not users: a client reaches their booking through its link, one at a time.
    """
    if is_front_desk(user):
        return queryset
    if not user.is_authenticated:
        return queryset.none()
    condition = Q(client__user=user, client__erased_at__isnull=True)
    therapist = therapist_of(user)
    if therapist is not None:
        condition |= Q(therapist=therapist)
    return queryset.filter(condition)


def can_use_front_desk(user) -> bool:
    """Return True for the people who run the whole calendar: front desk and owner."""
    return is_front_desk(user)


def can_manage_studio(user) -> bool:
    """Return True for who runs the catalogue and the team's hours: the owner and front desk."""
    return is_front_desk(user)


# Health data, from least to most private. The screening level (stop, review, clear) is
# part of the booking: whoever may view the booking sees it (``can_view_booking``).


def can_see_adaptations(
    user, booking, *, link: bool = False, proven_client_id: int | None = None
) -> bool:
    """Return True for the client, the booking's therapist and the owner; never the front desk."""
    return (
        link
        or is_owner(user)
        or _is_booking_therapist(user, booking)
        or _is_booking_client(user, booking, proven_client_id)
    )


def can_read_answers(user, booking, *, proven_client_id: int | None = None) -> bool:
    """Return True for the proven client, the booking's therapist and the owner.

    Each read is logged (``intake.selectors.answers_read``). The manage link alone is not
    enough: it is shown to whoever typed the client's email into the booking form.
    """
    return (
        is_owner(user)
        or _is_booking_therapist(user, booking)
        or _is_booking_client(user, booking, proven_client_id)
    )


def can_read_submission(user, submission, *, proven_client_id: int | None = None) -> bool:
    """Return True if the viewer may read these answers (given for the submission's booking)."""
    if is_owner(user) or _is_booking_therapist(user, submission.booking):
        return True
    return is_client_of(user, submission.client, proven_client_id=proven_client_id)


def can_review(user, booking) -> bool:
    """Return True for who decides on a flagged booking: its therapist, or the owner.

    The therapist's pages (review, answers) ask this: a client reads their own answers
    through their data export, not there.
    """
    return is_owner(user) or _is_booking_therapist(user, booking)


def can_view_review_queue(user) -> bool:
    """Return True for therapists (their own queue) and the owner (everybody's)."""
    return is_owner(user) or therapist_of(user) is not None


# The bookings of a client that make a therapist "their" therapist: seen, or still to be seen.
# A held, cancelled, declined, expired or stopped booking never brought them together.
_SEEING_STATUSES = (
    "awaiting_review",
    "awaiting_desk",
    "confirmed",
    "on_hold",
    "arrived",
    "completed",
    "no_show",
)


def can_see_notes(user, booking) -> bool:
    """Return True for who may read the session notes of this booking's client.

    The owner, and any therapist who has seen this client or will see them (DESIGN.md's
    "their own clients"): the next session's therapist reads the last notes before it. Never
    the front desk. Each read is logged (``intake.selectors.notes_read``).
    """
    if is_owner(user):
        return True
    therapist = therapist_of(user)
    if therapist is None or booking.client_id is None:
        return False
    if booking.therapist_id == therapist.pk:
        return True
    return booking.client.bookings.filter(
        therapist_id=therapist.pk, status__in=_SEEING_STATUSES
    ).exists()


def can_write_note(user, booking) -> bool:
    """Return True for who writes a session's note and its addenda: its own therapist."""
    return _is_booking_therapist(user, booking)


def can_see_body_map(user, booking, *, proven_client_id: int | None = None) -> bool:
    """Return True for the client (their own body map), the booking's therapist and the owner."""
    return can_read_answers(user, booking, proven_client_id=proven_client_id)


def can_view_access_log(user) -> bool:
    """Return True for the owner alone."""
    return is_owner(user)


# Reports and accounts.


def can_view_reports(user) -> bool:
    """Return True for front desk (counts only) and the owner."""
    return is_front_desk(user)


def can_see_report_money(user) -> bool:
    return is_owner(user)


def can_see_report_health(user) -> bool:
    return is_owner(user)


def can_link_accounts(user) -> bool:
    """Return True if the user may link accounts to therapists or clients: the owner alone.

    A linked account reads what its therapist or client may read, so linking is granting.
    """
    return is_owner(user)


def can_manage_users(user) -> bool:
    """Return True if the user may manage users and roles: the owner alone."""
    return is_owner(user)
