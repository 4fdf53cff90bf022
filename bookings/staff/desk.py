"""The front desk's calendar and tools: the day and week, booking cards, phone bookings.

Every change goes through the same services as online booking, so the same rules and
database guarantees apply to a booking made by phone.
"""

from contextlib import suppress
from datetime import date, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from bookings import picker, selectors, services, sessions, waitlist
from bookings.errors import BookingRefused
from bookings.messages.links import intake_token
from bookings.models import Booking, BookingStatus, WaitlistEntry
from bookings.staff.common import (
    bad_date,
    block_form_view,
    day_from,
    front_desk_object,
    front_desk_required,
    hours_span,
    is_id,
    safe_next,
)
from bookings.staff.forms import (
    ClientSearchForm,
    MarkForm,
    MoveForm,
    PhoneBookingForm,
    PhoneSessionForm,
    StaffCancelForm,
    WaitlistBookForm,
)
from bookings.staff.grid import Item, closed_items, day_grid
from studio import permissions
from studio.models import Therapist
from studio.timezones import local_day_bounds, studio_tz

# The free times offered to a waiting client on one page: the next ones are enough on a call.
WAITLIST_OFFER_STARTS = 30
# Cancelled and declined bookings free their time: they are listed, not drawn on the grid.
GONE_STATUSES = (BookingStatus.CANCELLED, BookingStatus.DECLINED)


def _staff_booking(public_id) -> Booking:
    booking = selectors.booking_for_staff(public_id=public_id)
    if booking is None:
        raise Http404
    return booking


def _working(hours, day) -> list[tuple]:
    """Return the working intervals on a day of one therapist's weekly hours."""
    return [(starts, ends) for weekday, starts, ends in hours if weekday == day.weekday()]


@front_desk_required
@require_safe
def calendar(request):
    day = day_from(request)
    if day is None:
        return bad_date(request, "bookings:staff_calendar")
    view = request.GET.get("view", "day")
    by = request.GET.get("by", "therapist")
    if view == "week":
        return _calendar_week(request, day, by)
    tz = studio_tz()
    start, end = local_day_bounds(day)
    # Whether anybody waits for the day comes with the calendar: most days, nobody does,
    # and the waitlist is not asked for.
    data = selectors.calendar_window(start=start, end=end, waiting_on=day)
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
    opens, closes = hours_span(data.hours, {day.weekday()})
    if by == "therapist":
        # Time outside each therapist's hours is shaded: what is free shows at a glance.
        for therapist in columns:
            items += closed_items(
                column=index[therapist.pk],
                day=day,
                hours=_working(data.hours[therapist.pk], day),
                tz=tz,
                opens=opens,
                closes=closes,
            )
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
            "waiting": waitlist.waiting_on(day) if data.waiting else [],
            "day_bookings": data.bookings,
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
    tz = studio_tz()
    monday = day - timedelta(days=day.weekday())
    start, end = local_day_bounds(monday, 7)
    resource = request.GET.get("resource", "")
    kind, _sep, raw_id = resource.partition("-")
    therapist_ids = room_ids = None
    if kind == "room" and is_id(raw_id):
        room_ids = [int(raw_id)]
    elif kind == "therapist" and is_id(raw_id):
        therapist_ids = [int(raw_id)]
    data = selectors.calendar_window(
        start=start, end=end, therapist_ids=therapist_ids, room_ids=room_ids
    )
    if therapist_ids is None and room_ids is None:
        if not data.therapists:
            raise Http404
        url = reverse("bookings:staff_calendar")
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
    opens, closes = hours_span(data.hours, set(range(7)))
    if therapist is not None:
        for offset, each in enumerate(days):
            items += closed_items(
                column=offset,
                day=each,
                hours=_working(data.hours[therapist.pk], each),
                tz=tz,
                opens=opens,
                closes=closes,
            )
    grid = day_grid(tz=tz, columns=7, items=items, opens=opens, closes=closes)
    title = (therapist or room).name
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
            "pickers": [(t.name, f"therapist-{t.pk}") for t in data.therapists]
            + [(r.name, f"room-{r.pk}") for r in data.rooms],
            "previous_week": monday - timedelta(days=7),
            "next_week": monday + timedelta(days=7),
            "by": by,
        },
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
    intake_link = None
    if booking.status == BookingStatus.HELD and booking.source == Booking.Source.PHONE:
        # Its own signed link, never the manage link: it opens the health questions alone.
        intake_link = request.build_absolute_uri(
            reverse("intake:phone_intake", kwargs={"token": intake_token(booking)})
        )
    user = request.user
    return render(
        request,
        "staff/booking_card.html",
        {
            "booking": booking,
            "level": booking.screening_label if permissions.can_view_booking(user, booking) else "",
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
        return redirect("bookings:staff_booking", public_id=booking.public_id)
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
    return redirect("bookings:staff_booking", public_id=booking.public_id)


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
    return redirect("bookings:staff_booking", public_id=booking.public_id)


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
    return redirect("bookings:staff_booking", public_id=booking.public_id)


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
        safe_next(request) or reverse("bookings:staff_booking", args=[booking.public_id])
    )


@front_desk_object
@require_POST
def booking_confirm(request, public_id):
    """Confirm a booking that waits for the front desk (the client's no-shows); they are told."""
    booking = _staff_booking(public_id)
    try:
        services.booking_desk_confirm(booking=booking)
    except BookingRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("The booking is confirmed, and the client has been told."))
    return HttpResponseRedirect(
        safe_next(request) or reverse("bookings:staff_booking", args=[booking.public_id])
    )


def _phone_client(value):
    return selectors.client_for_staff(pk=value) if is_id(value) else None


@front_desk_required
@require_http_methods(["GET", "POST"])
def phone_booking(request):
    """Book for a client on the phone: the massage, a time from the picker, then who for.

    GET shows the chosen massage's lengths and therapists and the same free-time picker as
    the client's (without the minimum notice). A time from it is posted here: the page
    then asks who the booking is for. Nothing about the client travels in an address.
    """
    if request.method == "POST":
        return _phone_booking_details(request)
    choice = PhoneSessionForm(request.GET if request.GET.get("service") else None)
    if not choice.is_bound:
        choice.initial["therapist"] = request.GET.get("therapist")
    client = _phone_client(request.GET.get("client"))
    context = {
        "choice": choice,
        "selected_client": client,
        "picker": None,
        "day": picker.parse_day(request.GET.get("day") or request.GET.get("date")),
    }
    if choice.is_bound and choice.is_valid() and choice.cleaned_data["length"]:
        data = choice.cleaned_data
        chosen = {
            "service": data["service"].pk,
            "length": data["length"].pk,
            "therapist": data["therapist"].pk if data["therapist"] else "",
        }
        if client is not None:
            chosen["client"] = client.pk
        context |= {
            "picker": picker.from_request(
                request.GET,
                day_alias="date",
                enforce_notice=False,
                service=data["service"],
                length=data["length"],
                therapist=data["therapist"],
                now=timezone.now(),
            ),
            "query": urlencode(chosen) + "&",
            "action": reverse("bookings:staff_phone_booking"),
            "hidden": chosen,
        }
        if request.htmx and request.htmx.target == "slots":
            return render(request, "bookings/includes/slots.html", context)
    return render(request, "staff/phone_booking.html", context)


def _phone_booking_details(request):
    """Ask who the chosen time is for (a time posted from the picker), or hold it."""
    form = PhoneBookingForm(request.POST)
    if request.POST.get("step") != "hold":
        # A time from the picker: the form starts empty (or as it was, when another time
        # is chosen after a refusal), and says nothing is missing before anything is sent.
        # Of the posted form, only the chosen session's fields matter at this step.
        form.is_valid()
        if any(name in form.errors for name in ("service", "length", "therapist", "start")):
            messages.error(request, _("Please choose the massage and a time again."))
            return redirect("bookings:staff_phone_booking")
        posted = {name: request.POST.get(name) for name in form.fields}
        posted["language"] = posted["language"] or translation.get_language()
        posted["intake"] = posted["intake"] or "now"
        return _phone_details_page(request, PhoneBookingForm(initial=posted), form.cleaned_data)
    if form.is_valid():
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
                start_at=data["start"],
                language=data["language"],
            )
        except BookingRefused as refusal:
            if refusal.code == BookingRefused.SLOT_TAKEN:
                refusal = services.not_free(data["therapist"])
                return _phone_details_page(request, form, data, refused=refusal.message)
            form.add_error(None, refusal.message)
        else:
            if data["intake"] == "now":
                # The front desk answers with the client, and may do nothing else there.
                sessions.intake_only_allow(request, booking)
                return redirect("intake:intake_form", public_id=booking.public_id)
            services.intake_link_send(booking=booking)
            messages.success(
                request,
                _(
                    "The time is held, and the client has been emailed a link to the health "
                    "questions (it is also below)."
                ),
            )
            return redirect("bookings:staff_booking", public_id=booking.public_id)
    if any(name in form.errors for name in ("service", "length", "therapist", "start")):
        messages.error(request, _("Please choose the massage and a time again."))
        return redirect("bookings:staff_phone_booking")
    return _phone_details_page(request, form, form.cleaned_data, status=400)


def _phone_details_page(request, form, chosen, *, refused=None, status=200):
    """Render who-is-it-for under the chosen session; after a refusal, that day's free times."""
    service, length, therapist = chosen["service"], chosen["length"], chosen.get("therapist")
    start = timezone.localtime(chosen["start"], studio_tz())
    again = {
        "service": service.pk,
        "length": length.pk,
        "therapist": therapist.pk if therapist else "",
        "day": start.date().isoformat(),
    }
    client = chosen.get("client") or _phone_client(form["client"].value())
    if client is not None:
        again["client"] = client.pk
    context = {
        "form": form,
        "service": service,
        "length": length,
        "therapist": therapist,
        "start": start,
        "selected_client": client,
        "change_url": reverse("bookings:staff_phone_booking") + "?" + urlencode(again),
        "refused": refused,
        "others": None,
    }
    if refused:
        # The same day's times that are still free, to choose from without retyping.
        context["others"] = picker.from_request(
            {"day": start.date().isoformat()},
            day_alias="date",
            enforce_notice=False,
            service=service,
            length=length,
            therapist=therapist,
            now=timezone.now(),
        )
        status = 409
    return render(request, "staff/phone_booking_details.html", context, status=status)


@front_desk_required
@require_http_methods(["GET", "POST"])
def block_time(request):
    return block_form_view(
        request, template="staff/block.html", redirect_to="bookings:staff_calendar"
    )


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
    client = selectors.client_for_staff(pk=pk)
    if client is None:
        raise Http404
    history = selectors.client_history(client=client, now=timezone.now())
    for booking in history.upcoming + history.past:
        booking.shown_level = (
            booking.get_screening_level_display()
            if permissions.can_view_booking(request.user, booking)
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
            "upcoming": history.upcoming,
            "past": history.past,
            "counts": {
                "cancelled": history.cancelled,
                "cancelled_late": history.cancelled_late,
                "no_shows": history.no_shows,
            },
        },
    )


@front_desk_object
@require_POST
def waitlist_remove(request, pk):
    """Take a client off the waitlist for them (they asked by phone, or booked otherwise)."""
    entry = get_object_or_404(WaitlistEntry, pk=pk)
    if request.POST.get("remove") != "yes":
        return HttpResponseBadRequest(_("Please use the Remove button."))
    waitlist.waitlist_leave(entry=entry)
    messages.success(request, _("%(name)s is off the waitlist.") % {"name": entry.name})
    day = entry.first_day
    with suppress(ValueError):
        day = date.fromisoformat(request.POST.get("date", ""))
    return redirect(f"{reverse('bookings:staff_calendar')}?date={day.isoformat()}")


def _calendar_on(day: date) -> str:
    return f"{reverse('bookings:staff_calendar')}?date={day.isoformat()}"


@front_desk_object
@require_http_methods(["GET", "POST"])
def waitlist_offer(request, pk):
    """Offer a waiting client, on the phone, the free times that suit them, and book one.

    Only a waiting entry has the page. The times are those of a phone booking (no minimum
    notice); the one chosen is held for the client, who is emailed the link to the health
    questions, and they leave the waitlist. ``?date=`` is the calendar day to go back to.
    """
    entry = get_object_or_404(
        WaitlistEntry.objects.select_related("service", "length", "therapist"), pk=pk
    )
    # The calendar day the desk came from; without one, the first day the client waits for.
    back = (day_from(request) if "date" in request.GET else None) or max(
        entry.first_day, timezone.localdate()
    )
    if request.method == "GET":
        if entry.status != WaitlistEntry.Status.WAITING:
            raise Http404
        return _waitlist_offer_page(request, entry, WaitlistBookForm(), back=back)
    if entry.status != WaitlistEntry.Status.WAITING:
        return _no_longer_waiting(request, entry, back)
    form = WaitlistBookForm(request.POST)
    if not form.is_valid():
        return _waitlist_offer_page(request, entry, form, back=back, status=400)
    try:
        booking = waitlist.waitlist_book_by_phone(
            entry=entry,
            therapist=form.cleaned_data["therapist"],
            start_at=form.cleaned_data["start"],
        )
    except BookingRefused as refusal:
        if refusal.code == waitlist.WaitlistRefused.NOT_WAITING:
            return _no_longer_waiting(request, entry, back)
        form.add_error(None, refusal.message)
        return _waitlist_offer_page(request, entry, form, back=back, status=409)
    messages.success(
        request,
        _(
            "%(name)s is booked and off the waitlist. They have been emailed a link to the "
            "health questions (it is also below)."
        )
        % {"name": entry.name},
    )
    return redirect("bookings:staff_booking", public_id=booking.public_id)


def _no_longer_waiting(request, entry, back: date):
    """Answer a second click (or a client's claim that came first): nothing more to do."""
    messages.info(
        request,
        _("%(name)s is no longer waiting: they have been booked or have left the waitlist.")
        % {"name": entry.name},
    )
    return redirect(_calendar_on(back))


def _waitlist_offer_page(request, entry, form, *, back: date, status=200):
    """Render the entry and the next free times that suit it, by day, with who is free."""
    tz = studio_tz()
    starts: dict = {}
    capped = False
    for therapist_id, start in waitlist.free_starts_for(entry, enforce_notice=False):
        if start not in starts and len(starts) == WAITLIST_OFFER_STARTS:
            capped = True
            break
        starts.setdefault(start, []).append(therapist_id)
    ids = {pk for therapist_ids in starts.values() for pk in therapist_ids}
    names = {t.pk: t for t in Therapist.objects.filter(pk__in=ids)} if ids else {}
    days: list[dict] = []
    for start, therapist_ids in starts.items():
        local = timezone.localtime(start, tz)
        if not days or days[-1]["day"] != local.date():
            days.append({"day": local.date(), "times": []})
        days[-1]["times"].append(
            {
                "start": local,
                "value": local.isoformat(),
                "therapists": [names[pk] for pk in therapist_ids if pk in names],
            }
        )
    return render(
        request,
        "staff/waitlist_offer.html",
        {
            "entry": entry,
            "form": form,
            "days": days,
            "capped": capped,
            "limit": WAITLIST_OFFER_STARTS,
            "back": back,
            "back_url": _calendar_on(back),
        },
        status=status,
    )
