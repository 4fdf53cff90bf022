"""The front desk's calendar and tools, and the therapist's own day.

Every change goes through the same services as online booking, so the same rules and
database guarantees apply to a booking made by phone.
"""

import re
from datetime import date, datetime, time, timedelta
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from bookings import notifications, selectors, services
from bookings.calendar import Item, day_grid
from bookings.errors import BookingRefused
from bookings.forms import (
    BlockForm,
    ClientSearchForm,
    MarkForm,
    MoveForm,
    PhoneBookingForm,
    StaffCancelForm,
)
from bookings.models import ACTIVE_STATUSES, Booking, BookingStatus, Client
from bookings.views import allow_intake_only
from intake.models import Submission
from studio import permissions

# A phone booking waits this long at most for the client's answers to the health questions.
PHONE_HOLD = timedelta(hours=48)
# Cancelled and declined bookings free their time: they are listed, not drawn on the grid.
GONE_STATUSES = (BookingStatus.CANCELLED, BookingStatus.DECLINED)
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2100, 12, 31)
# A bigint primary key: at most 18 digits, so it always fits.
ID_PATTERN = re.compile(r"[0-9]{1,18}")


def _requires(allowed, *, sign_in: bool, therapist: bool = False):
    """Build a decorator that lets in the users ``allowed`` accepts and 404s everyone else.

    With ``sign_in``, a visitor who is not signed in goes to the login page instead: only for
    pages every studio has (a calendar, a form), never for an address naming an object, whose
    answer must not depend on whether the object exists.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if sign_in and not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not allowed(request.user):
                raise Http404
            if therapist:
                return view(request, permissions.therapist_of(request.user), *args, **kwargs)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _is_therapist(user) -> bool:
    return permissions.therapist_of(user) is not None


# The front desk's pages, and those naming one booking or client.
front_desk_required = _requires(permissions.can_use_front_desk, sign_in=True)
front_desk_object = _requires(permissions.can_use_front_desk, sign_in=False)
# A therapist's own pages; the view is given their therapist profile.
therapist_required = _requires(_is_therapist, sign_in=True, therapist=True)


def _is_id(value) -> bool:
    """Return True for a primary key as typed in a URL or form: ASCII digits, in range.

    ``str.isdigit`` also admits "²" and other digits ``int`` cannot read.
    """
    return isinstance(value, str | int) and bool(ID_PATTERN.fullmatch(str(value)))


def _day_from(request) -> date | None:
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


def _bad_date(request, url_name):
    messages.error(request, _("That date is not valid. Showing today instead."))
    return redirect(url_name)


def _day_bounds(day: date, days: int = 1):
    return selectors.local_day_bounds(day, days)


def _hours_span(therapists, weekdays) -> tuple:
    """Return the earliest opening and latest closing among the therapists' hours."""
    starts, ends = [], []
    for therapist in therapists:
        for hours in therapist.hours.all():
            if hours.weekday in weekdays:
                starts.append(hours.starts)
                ends.append(hours.ends)
    opens = min(starts, default=time(9))
    closes = max(ends, default=time(19))
    return time(min(opens.hour, 9)), time(min(23, max(closes.hour + (closes.minute > 0), 19)))


def _level(booking) -> str:
    """Return the level of the booking's newest screening, prefetched as ``screenings``."""
    screenings = getattr(booking, "screenings", None)
    return screenings[0].level if screenings else ""


@front_desk_required
@require_safe
def calendar(request):
    day = _day_from(request)
    if day is None:
        return _bad_date(request, "staff_calendar")
    view = request.GET.get("view", "day")
    by = request.GET.get("by", "therapist")
    if view == "week":
        return _calendar_week(request, day, by)
    tz = selectors.studio_tz()
    start, end = _day_bounds(day)
    data = selectors.calendar_window(start=start, end=end)
    if by == "room":
        columns = data.rooms
        index = {room.pk: i for i, room in enumerate(columns)}
        key = "room_id"
    else:
        by = "therapist"
        columns = data.therapists
        index = {therapist.pk: i for i, therapist in enumerate(columns)}
        key = "therapist_id"
    items = [
        Item(index[getattr(b, key)], day, b.start_at, b.end_at, b, "booking")
        for b in data.bookings
        if getattr(b, key) in index and b.status not in GONE_STATUSES
    ]
    if by == "therapist":
        items += [
            Item(index[t.therapist_id], day, t.start_at, t.end_at, t, t.kind)
            for t in data.time_off
            if t.therapist_id in index
        ]
    opens, closes = _hours_span(data.therapists, {day.weekday()})
    grid = day_grid(tz=tz, columns=len(columns), items=items, opens=opens, closes=closes)
    return render(
        request,
        "staff/calendar_day.html",
        {
            "day": day,
            "by": by,
            "columns": columns,
            "grid": grid,
            "stops": data.stops,
            "day_bookings": data.bookings,
            "levels": {b.pk: _level(b) for b in data.bookings},
            "previous_day": day - timedelta(days=1),
            "next_day": day + timedelta(days=1),
            "previous_week": day - timedelta(days=7),
            "next_week": day + timedelta(days=7),
            "today": timezone.localdate(),
            "therapists": data.therapists,
            "rooms": data.rooms,
        },
    )


def _calendar_week(request, day: date, by: str):
    tz = selectors.studio_tz()
    monday = day - timedelta(days=day.weekday())
    start, end = _day_bounds(monday, 7)
    resource = request.GET.get("resource", "")
    kind, _sep, raw_id = resource.partition("-")
    therapist_ids = room_ids = None
    if kind == "room" and _is_id(raw_id):
        room_ids = [int(raw_id)]
    elif kind == "therapist" and _is_id(raw_id):
        therapist_ids = [int(raw_id)]
    data = selectors.calendar_window(
        start=start, end=end, therapist_ids=therapist_ids, room_ids=room_ids
    )
    if therapist_ids is None and room_ids is None:
        if not data.therapists:
            raise Http404
        url = reverse("staff_calendar")
        return redirect(
            f"{url}?view=week&date={day:%Y-%m-%d}&resource=therapist-{data.therapists[0].pk}"
        )
    therapist = next((t for t in data.therapists if t.pk in (therapist_ids or ())), None)
    room = next((r for r in data.rooms if r.pk in (room_ids or ())), None)
    if therapist is None and room is None:
        raise Http404
    days = [monday + timedelta(days=offset) for offset in range(7)]
    items = [
        Item(offset, each, b.start_at, b.end_at, b, "booking")
        for b in data.bookings
        if b.status not in GONE_STATUSES
        for offset, each in enumerate(days)
    ]
    if therapist is not None:
        # Time off belongs to a therapist: a room's week would shade everybody's leave.
        items += [
            Item(offset, each, t.start_at, t.end_at, t, t.kind)
            for t in data.time_off
            for offset, each in enumerate(days)
        ]
    else:
        # Each block names who works the room, as the day view by room does.
        by = "room"
    opens, closes = _hours_span(data.therapists, set(range(7)))
    grid = day_grid(tz=tz, columns=7, items=items, opens=opens, closes=closes)
    title = therapist.display_name if therapist else room.name
    return render(
        request,
        "staff/calendar_week.html",
        {
            "day": day,
            "days": days,
            "grid": grid,
            "title": title,
            "resource": resource,
            "day_labels": [date_format(d, "D d/m") for d in days],
            "pickers": [(t.display_name, f"therapist-{t.pk}") for t in data.therapists]
            + [(r.name, f"room-{r.pk}") for r in data.rooms],
            "levels": {b.pk: _level(b) for b in data.bookings},
            "previous_week": monday - timedelta(days=7),
            "next_week": monday + timedelta(days=7),
            "by": by,
        },
    )


def _staff_booking(public_id) -> Booking:
    return get_object_or_404(
        Booking.objects.select_related("service", "length", "client", "therapist", "room"),
        public_id=public_id,
    )


@front_desk_object
@require_safe
def booking_card(request, public_id):
    booking = _staff_booking(public_id)
    local = timezone.localtime(booking.start_at)
    move_form = MoveForm(
        initial={
            "day": local.date(),
            "time": local.time(),
            "therapist": booking.therapist_id,
            "room": booking.room_id,
        }
    )
    return _render_card(request, booking, move_form=move_form)


def _render_card(request, booking, *, move_form=None, cancel_form=None, status=200):
    screening = booking.submissions.order_by("-created_at").only("level", "created_at").first()
    intake_link = None
    if booking.status == BookingStatus.HELD and booking.source == Booking.Source.PHONE:
        # Its own signed link, never the manage link: it opens the health questions alone.
        intake_link = request.build_absolute_uri(
            reverse("phone_intake", kwargs={"token": notifications.intake_token(booking)})
        )
    user = request.user
    return render(
        request,
        "staff/booking_card.html",
        {
            "booking": booking,
            "level": screening.level
            if screening and permissions.can_see_level(user, booking)
            else "",
            "move_form": move_form or MoveForm(),
            "cancel_form": cancel_form or StaffCancelForm(),
            "movable": booking.status in services.MOVABLE_STATUSES,
            "intake_link": intake_link,
            "show_adaptations": permissions.can_see_adaptations(user, booking),
            "link_expires_at": selectors.manage_link_expires_at(booking),
            "link_live": booking.manage_link_revoked_at is None
            and selectors.manage_link_expires_at(booking) > timezone.now(),
        },
        status=status,
    )


def _already_there(booking: Booking, data: dict) -> bool:
    room = data["room"]
    return (
        data["start_at"] == booking.start_at
        and data["therapist"].pk == booking.therapist_id
        and (room is None or room.pk == booking.room_id)
    )


@front_desk_object
@require_POST
def booking_move(request, public_id):
    booking = _staff_booking(public_id)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return _render_card(request, booking, move_form=form, status=400)
    if booking.status in services.MOVABLE_STATUSES and _already_there(booking, form.cleaned_data):
        # A second click on the same move: nothing to change, no second "moved" email.
        messages.info(request, _("The booking is already at that time, therapist and room."))
        return redirect("staff_booking", public_id=booking.public_id)
    try:
        services.booking_move(
            booking=booking,
            start_at=form.cleaned_data["start_at"],
            therapist=form.cleaned_data["therapist"],
            room=form.cleaned_data["room"],
        )
    except BookingRefused as refusal:
        form.add_error(None, refusal.message)
        return _render_card(request, booking, move_form=form, status=409)
    messages.success(request, _("The booking has been moved."))
    return redirect("staff_booking", public_id=booking.public_id)


@front_desk_object
@require_POST
def booking_cancel(request, public_id):
    booking = _staff_booking(public_id)
    form = StaffCancelForm(request.POST)
    if not form.is_valid():
        return _render_card(request, booking, cancel_form=form, status=400)
    try:
        services.booking_cancel(
            booking=booking, reason=form.cleaned_data["reason"], by_client=False
        )
    except BookingRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("The booking has been cancelled."))
    return redirect("staff_booking", public_id=booking.public_id)


@front_desk_object
@require_POST
def booking_link(request, public_id):
    """Revoke the client's manage link, or email them a fresh one (the old one then dies)."""
    booking = _staff_booking(public_id)
    action = request.POST.get("action")
    if action == "revoke":
        services.booking_manage_link_revoke(booking=booking)
        messages.success(request, _("The client's link no longer works."))
    elif action == "renew":
        try:
            services.booking_manage_link_renew(booking=booking)
        except BookingRefused as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(request, _("A fresh link is on its way to the client."))
    else:
        messages.error(request, _("Please choose what to do with the link."))
    return redirect("staff_booking", public_id=booking.public_id)


@front_desk_object
@require_POST
def booking_mark(request, public_id):
    booking = _staff_booking(public_id)
    form = MarkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please choose what to mark."))
    else:
        try:
            services.booking_mark(booking=booking, status=form.cleaned_data["status"])
        except BookingRefused as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(
                request,
                _("Marked as %(status)s.")
                % {"status": BookingStatus(form.cleaned_data["status"]).label.lower()},
            )
    return HttpResponseRedirect(
        _safe_next(request) or reverse("staff_booking", args=[booking.public_id])
    )


def _safe_next(request) -> str | None:
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


@front_desk_required
@require_http_methods(["GET", "POST"])
def phone_booking(request):
    initial = {}
    if _is_id(request.GET.get("client")):
        initial["client"] = request.GET["client"]
    if request.GET.get("date"):
        initial["day"] = request.GET["date"]
    if _is_id(request.GET.get("therapist")):
        initial["therapist"] = request.GET["therapist"]
    form = PhoneBookingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            booking = services.phone_booking_create(
                client=data["client"],
                name=data["name"],
                email=data["email"],
                phone=data["phone"],
                service=data["service"],
                length=data["length"],
                therapist=data["therapist"],
                start_at=data["start_at"],
                hold_for=PHONE_HOLD,
            )
        except BookingRefused as refusal:
            if refusal.code == BookingRefused.SLOT_TAKEN:
                refusal = services.not_free(data["therapist"])
            form.add_error(None, refusal.message)
        else:
            if data["intake"] == "now":
                # The front desk answers with the client, and may do nothing else there.
                allow_intake_only(request, booking)
                return redirect("intake_form", public_id=booking.public_id)
            services.intake_link_send(booking=booking)
            messages.success(
                request,
                _(
                    "The time is held, and the client has been emailed a link to the health "
                    "questions (it is also below)."
                ),
            )
            return redirect("staff_booking", public_id=booking.public_id)
    selected_client = None
    if _is_id(form["client"].value()):
        selected_client = Client.objects.filter(pk=form["client"].value()).first()
    return render(
        request,
        "staff/phone_booking.html",
        {"form": form, "selected_client": selected_client},
        status=400 if request.method == "POST" else 200,
    )


def _block_form_view(request, *, therapist=None, template, redirect_to):
    initial = {"start_day": timezone.localdate(), "end_day": timezone.localdate()}
    if therapist is not None:
        initial["therapist"] = therapist.pk
    form = BlockForm(request.POST or None, initial=initial)
    if therapist is not None:
        form.fields["therapist"].queryset = form.fields["therapist"].queryset.filter(
            pk=therapist.pk
        )
        form.fields["therapist"].disabled = True
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


@front_desk_required
@require_http_methods(["GET", "POST"])
def block_time(request):
    return _block_form_view(request, template="staff/block.html", redirect_to="staff_calendar")


@front_desk_required
@require_safe
def client_search(request):
    form = ClientSearchForm(request.GET or None)
    clients = []
    if form.is_valid():
        clients = selectors.client_search(query=form.cleaned_data["q"])
    return render(request, "staff/client_search.html", {"form": form, "clients": clients})


@front_desk_object
@require_safe
def client_card(request, pk):
    client = get_object_or_404(Client.objects.filter(erased_at__isnull=True), pk=pk)
    now = timezone.now()
    bookings = list(
        client.bookings.exclude(status__in=[BookingStatus.EXPIRED])
        .select_related("service", "length", "therapist")
        .prefetch_related(
            Prefetch("submissions", queryset=Submission.objects.defer("answers", "reasons"))
        )
        .order_by("-start_at")
    )
    counts = client.bookings.aggregate(
        cancelled=Count("pk", filter=Q(status=BookingStatus.CANCELLED)),
        no_shows=Count("pk", filter=Q(status=BookingStatus.NO_SHOW)),
    )
    for booking in bookings:
        newest = booking.submissions.all()[0] if booking.submissions.all() else None
        booking.shown_level = (
            newest.get_level_display()
            if newest and permissions.can_see_level(request.user, booking)
            else ""
        )
        booking.shown_adaptations = (
            booking.adaptations if permissions.can_see_adaptations(request.user, booking) else ""
        )
    return render(
        request,
        "staff/client_card.html",
        {
            "client": client,
            "upcoming": [b for b in bookings if b.start_at >= now and b.status in ACTIVE_STATUSES],
            "past": [b for b in bookings if b.start_at < now or b.status not in ACTIVE_STATUSES],
            "counts": counts,
        },
    )


@therapist_required
@require_safe
def my_day(request, therapist):
    day = _day_from(request)
    if day is None:
        return _bad_date(request, "my_day")
    start, end = _day_bounds(day)
    bookings = selectors.therapist_bookings(therapist=therapist, start=start, end=end)
    time_off = therapist.time_off.filter(start_at__lt=end, end_at__gt=start)
    return render(
        request,
        "staff/my_day.html",
        {
            "therapist": therapist,
            "day": day,
            "bookings": bookings,
            "levels": {b.pk: _level(b) for b in bookings},
            "time_off": time_off,
            "previous_day": day - timedelta(days=1),
            "next_day": day + timedelta(days=1),
        },
    )


@therapist_required
@require_safe
def my_week(request, therapist):
    day = _day_from(request)
    if day is None:
        return _bad_date(request, "my_week")
    monday = day - timedelta(days=day.weekday())
    start, end = _day_bounds(monday, 7)
    bookings = selectors.therapist_bookings(therapist=therapist, start=start, end=end)
    tz = selectors.studio_tz()
    days = [monday + timedelta(days=offset) for offset in range(7)]
    by_day = {d: [] for d in days}
    for booking in bookings:
        by_day.setdefault(timezone.localtime(booking.start_at, tz).date(), []).append(booking)
    time_off = list(therapist.time_off.filter(start_at__lt=end, end_at__gt=start))
    return render(
        request,
        "staff/my_week.html",
        {
            "therapist": therapist,
            "days": [(d, by_day[d]) for d in days],
            "levels": {b.pk: _level(b) for b in bookings},
            "time_off": time_off,
            "monday": monday,
            "previous_week": monday - timedelta(days=7),
            "next_week": monday + timedelta(days=7),
        },
    )


@therapist_required
@require_http_methods(["GET", "POST"])
def my_block(request, therapist):
    return _block_form_view(
        request, therapist=therapist, template="staff/block.html", redirect_to="my_day"
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
        return redirect("my_feed")
    url = request.build_absolute_uri(reverse("therapist_feed", args=[therapist.calendar_token]))
    return render(request, "staff/my_feed.html", {"feed_url": url})
