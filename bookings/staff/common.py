"""What the staff pages share: who may open them, and how they read a day from the URL."""

import re
from datetime import date, datetime, time
from functools import wraps

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from bookings import services
from bookings.errors import BookingRefused
from bookings.forms import EARLIEST_DAY, LATEST_DAY
from bookings.staff.forms import BlockForm
from studio import access, permissions

# A bigint primary key: at most 18 digits, so it always fits.
ID_PATTERN = re.compile(r"[0-9]{1,18}")


def requires(allowed, *, sign_in: bool, therapist: bool = False):
    """``studio.access.requires``; with ``therapist``, the view is given the therapist too."""
    if not therapist:
        return access.requires(allowed, sign_in=sign_in)

    def decorator(view):
        @wraps(view)
        def with_therapist(request, *args, **kwargs):
            return view(request, permissions.therapist_of(request.user), *args, **kwargs)

        return access.requires(allowed, sign_in=sign_in)(with_therapist)

    return decorator


def _is_therapist(user) -> bool:
    return permissions.therapist_of(user) is not None


# The front desk's pages, and those naming one booking or client.
front_desk_required = requires(permissions.can_use_front_desk, sign_in=True)
front_desk_object = requires(permissions.can_use_front_desk, sign_in=False)
# A therapist's own pages; the view is given their therapist profile.
therapist_required = requires(_is_therapist, sign_in=True, therapist=True)


def is_id(value) -> bool:
    """Return True for a primary key as typed in a URL or form: ASCII digits, in range.

    ``str.isdigit`` also admits "²" and other digits ``int`` cannot read.
    """
    return isinstance(value, str | int) and bool(ID_PATTERN.fullmatch(str(value)))


def day_from(request) -> date | None:
    """Return the day asked for in ?date=, today when absent, None when malformed."""
    today = timezone.localdate()
    value = request.GET.get("date")
    if not value:
        return today
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        return None
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        return None
    return day


def bad_date(request, url_name):
    messages.error(request, _("That date is not valid. Showing today instead."))
    return redirect(url_name)


def hours_span(hours: dict, weekdays) -> tuple:
    """Return the earliest opening and latest closing among the therapists' hours.

    ``hours`` are each therapist's weekly hours, (weekday, starts, ends), by their id.
    """
    starts, ends = [], []
    for weekly in hours.values():
        for weekday, opens, closes in weekly:
            if weekday in weekdays:
                starts.append(opens)
                ends.append(closes)
    opens = min(starts, default=time(9))
    closes = max(ends, default=time(19))
    return time(min(opens.hour, 9)), time(min(23, max(closes.hour + (closes.minute > 0), 19)))


def safe_next(request) -> str | None:
    """Return the posted ``next`` if it is a path on this site, else None."""
    url = request.POST.get("next", "")
    if (
        url.startswith("/")
        and url.isprintable()
        and url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return url
    return None


def block_form_view(request, *, therapist=None, template, redirect_to):
    # It starts on the day the calendar was showing, else today.
    day = day_from(request) or timezone.localdate()
    initial = {"start_day": day, "end_day": day}
    form = BlockForm(request.POST or None, initial=initial, therapist=therapist)
    if request.method == "POST" and form.is_valid():
        try:
            services.time_block_create(
                therapist=form.cleaned_data["therapist"],
                start_at=form.cleaned_data["start_at"],
                end_at=form.cleaned_data["end_at"],
                kind=form.cleaned_data["kind"],
                reason=form.cleaned_data["reason"],
            )
        except BookingRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _("The time has been blocked."))
            day = timezone.localtime(form.cleaned_data["start_at"]).date()
            return redirect(f"{reverse(redirect_to)}?date={day:%Y-%m-%d}")
    return render(
        request, template, {"form": form}, status=400 if request.method == "POST" else 200
    )
