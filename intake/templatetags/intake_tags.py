"""Template tags of the intake: how many bookings wait for the viewer's review, and whether
a question still needs to be marked optional."""

from django import template
from django.utils.translation import gettext

from intake import selectors
from intake.body_map_forms import shown_context
from intake.reads import actor, client_ip, log_shown
from intake.selectors import review_queue
from studio import permissions

register = template.Library()


@register.simple_tag(takes_context=True)
def review_count(context) -> int:
    """Return how many bookings wait for the viewer's review (all of them, for the owner)."""
    therapist = context.get("viewer_therapist")
    if therapist is None and not context.get("viewer_is_owner"):
        return 0
    return review_queue(therapist=therapist).count()


@register.filter
def marked_optional(spec) -> bool:
    """Return whether a question's legend says "(optional)": optional, and its own help text
    does not open by saying so already (the word appears once)."""
    if spec.required:
        return False
    word = gettext("optional").strip().lower()
    return not str(spec.help_text).strip().lower().startswith(word)


@register.filter
def body_map_shown(value) -> dict:
    """Return what the read-only body map draws for a stored body map."""
    return shown_context(value)


@register.simple_tag(takes_context=True)
def body_maps_read(context, bookings) -> dict:
    """Return the body maps the viewer may read on these bookings, by booking id.

    A body map is health data like the answers: it is shown where the answers may be read
    (``permissions.can_review``, as on the answers page), and the page's showing of them is
    one row of the access log. One query, whatever the number of bookings.
    """
    request = context["request"]
    shown = selectors.body_maps_of(
        bookings=[booking for booking in bookings if permissions.can_review(request.user, booking)]
    )
    log_shown(request, submissions=shown.values(), action="my_day_body_maps")
    return shown


@register.simple_tag(takes_context=True)
def last_notes_read(context, bookings) -> dict:
    """Return each booking's client's last session note, by booking id, where the viewer may
    read notes (``permissions.can_see_notes``); the page's showing of them is one logged read.
    One query, whatever the number of bookings (and one row of the log when any is shown).
    """
    request = context["request"]
    notes = selectors.last_notes(
        bookings=[
            booking for booking in bookings if permissions.can_see_notes(request.user, booking)
        ]
    )
    if request.method == "GET":
        selectors.notes_read(
            notes=list({note.pk: note for note in notes.values()}.values()),
            user=request.user,
            actor=actor(request),
            ip=client_ip(request),
            action="my_day_last_notes",
        )
    return notes
