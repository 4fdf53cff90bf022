"""The therapist's own day and week, their time off, and their private calendar feed."""

from datetime import timedelta

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from bookings import selectors, services
from bookings.staff.common import bad_date, block_form_view, day_from, therapist_required
from studio.timezones import local_day_bounds, studio_tz


@therapist_required
@require_safe
def my_day(request, therapist):
    day = day_from(request)
    if day is None:
        return bad_date(request, "bookings:my_day")
    start, end = local_day_bounds(day)
    bookings = selectors.therapist_bookings(therapist=therapist, start=start, end=end)
    time_off = selectors.therapist_time_off(therapist=therapist, start=start, end=end)
    return render(
        request,
        "staff/my_day.html",
        {
            "therapist": therapist,
            "day": day,
            "bookings": bookings,
            "levels": {b.pk: b.screening_level for b in bookings},
            "time_off": time_off,
            "previous_day": day - timedelta(days=1),
            "next_day": day + timedelta(days=1),
        },
    )


@therapist_required
@require_safe
def my_week(request, therapist):
    day = day_from(request)
    if day is None:
        return bad_date(request, "bookings:my_week")
    monday = day - timedelta(days=day.weekday())
    start, end = local_day_bounds(monday, 7)
    bookings = selectors.therapist_bookings(therapist=therapist, start=start, end=end)
    tz = studio_tz()
    days = [monday + timedelta(days=offset) for offset in range(7)]
    by_day = {d: [] for d in days}
    for booking in bookings:
        by_day.setdefault(timezone.localtime(booking.start_at, tz).date(), []).append(booking)
    time_off = selectors.therapist_time_off(therapist=therapist, start=start, end=end)
    return render(
        request,
        "staff/my_week.html",
        {
            "therapist": therapist,
            "days": [(d, by_day[d]) for d in days],
            "levels": {b.pk: b.screening_level for b in bookings},
            "time_off": time_off,
            "monday": monday,
            "previous_week": monday - timedelta(days=7),
            "next_week": monday + timedelta(days=7),
        },
    )


@therapist_required
@require_http_methods(["GET", "POST"])
def my_block(request, therapist):
    return block_form_view(
        request, therapist=therapist, template="staff/block.html", redirect_to="bookings:my_day"
    )


@therapist_required
@require_http_methods(["GET", "POST"])
def my_feed(request, therapist):
    """Show the private calendar feed address; POST replaces it, revoking the old one."""
    if request.method == "POST":
        services.calendar_token_renew(therapist=therapist)
        messages.success(
            request, _("Your calendar address has been replaced; the old one no longer works.")
        )
        return redirect("bookings:my_feed")
    url = request.build_absolute_uri(
        reverse("bookings:therapist_feed", args=[therapist.calendar_token])
    )
    return render(request, "staff/my_feed.html", {"feed_url": url})
