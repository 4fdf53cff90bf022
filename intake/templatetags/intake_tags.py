"""Template tags of the intake: how many bookings wait for the viewer's review."""

from django import template

from intake.selectors import review_queue

register = template.Library()


@register.simple_tag(takes_context=True)
def review_count(context) -> int:
    """Return how many bookings wait for the viewer's review (all of them, for the owner)."""
    therapist = context.get("viewer_therapist")
    if therapist is None and not context.get("viewer_is_owner"):
        return 0
    return review_queue(therapist=therapist).count()
