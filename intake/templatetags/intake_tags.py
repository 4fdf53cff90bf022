"""Template tags of the intake: how many bookings wait for the viewer's review, and whether
a question still needs to be marked optional."""

from django import template
from django.utils.translation import gettext

from intake.body_map_forms import shown_context
from intake.selectors import review_queue

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
