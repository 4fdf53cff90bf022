"""The therapist's side of the intake: the review queue, a booking's review, its answers.

Each page is a 404 for anyone who may not see it, signed in or not, so an address says
nothing about whether its booking exists. Only the queue, which every studio has, sends a
visitor who is not signed in to the login page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from bookings import selectors as booking_selectors
from bookings.errors import BookingRefused
from bookings.models import Booking
from intake import selectors, services
from intake.forms import ReviewForm
from intake.reads import log_read
from studio import permissions


def _reviewable(request, public_id) -> Booking:
    booking = booking_selectors.booking_for_staff(public_id=public_id)
    if booking is None or not permissions.can_review(request.user, booking):
        raise Http404
    return booking


@login_required
@require_safe
def review_queue(request):
    if not permissions.can_view_review_queue(request.user):
        raise Http404
    therapist = (
        None if permissions.is_owner(request.user) else permissions.therapist_of(request.user)
    )
    bookings = list(selectors.review_queue(therapist=therapist))
    # The queue shows the reasons of each booking's newest submission.
    shown = [b.submissions_newest_first[0] for b in bookings if b.submissions_newest_first]
    selectors.reasons_read(shown)
    response = render(request, "intake/review_queue.html", {"bookings": bookings})
    return log_read(request, response, submissions=shown, action="review_queue")


@require_http_methods(["GET", "POST"])
def review_detail(request, public_id):
    booking = _reviewable(request, public_id)
    submission = selectors.submission_newest(booking=booking)
    selectors.reasons_read([submission])
    # The body map comes with the answers at booking, even when a re-screen came later.
    body_map_submission = selectors.body_map_submission(booking=booking)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_decide(booking=booking, reviewer=request.user, **form.cleaned_data)
        except BookingRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _("Your decision has been recorded."))
            return redirect("intake:review_queue")
    response = render(
        request,
        "intake/review_detail.html",
        {
            "booking": booking,
            "submission": submission,
            "body_map_submission": body_map_submission,
            "reviews": selectors.reviews_of(booking=booking),
            "form": form,
            "awaiting": booking.status in selectors.REVIEWABLE_STATUSES,
        },
        status=400 if request.method == "POST" else 200,
    )
    # The page shows the newest submission's reasons, and the body map it was given with.
    shown = [s for s in (submission, body_map_submission) if s is not None]
    shown = list(dict.fromkeys(shown))
    return log_read(request, response, submissions=shown, action="view_reasons")


@require_safe
def answers(request, public_id):
    """Show a booking's intake answers to its therapist or the owner; every read is logged."""
    booking = _reviewable(request, public_id)
    submissions = selectors.submissions_of(booking=booking)
    rows = [
        {"submission": submission, "answers": selectors.answer_rows(submission)}
        for submission in submissions
    ]
    response = render(request, "intake/answers.html", {"booking": booking, "rows": rows})
    return log_read(request, response, submissions=submissions, action="view_answers")
