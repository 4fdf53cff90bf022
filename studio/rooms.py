"""The rooms page: the front desk and the owner add rooms, rename them, choose the massages
each suits, and take a room out of use or put it back.

A room out of use is offered for no new booking; the bookings already made in it stay. Every
write goes through ``studio.services``, whose saves also make the stored weeks of free times
stale. The POST that changes whether a room is in use names what it wants (``action``): a
POST without it is refused with 400 and changes nothing, and the same POST twice leaves the
same rooms.
"""

from django.contrib import messages
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from studio import permissions, selectors, services
from studio.access import requires
from studio.errors import CatalogueRefused
from studio.forms import RoomForm
from studio.models import Room

rooms_page = requires(permissions.can_manage_studio, sign_in=True)
room_object = requires(permissions.can_manage_studio, sign_in=False)


def _back_to(room: Room):
    return redirect(f"{reverse('rooms:index')}#room-{room.pk}")


def _save(form: RoomForm, room: Room | None) -> Room | None:
    """Save a valid form through the service; on a refusal, put it on the form."""
    try:
        return services.room_save(
            room=room, name=form.cleaned_data["name"], services=form.cleaned_data["services"]
        )
    except CatalogueRefused as refusal:
        form.add_error(None, refusal.message)
        return None


@require_http_methods(["GET", "HEAD", "POST"])
@rooms_page
def index(request):
    """List the rooms, with the form that adds one."""
    form = RoomForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        room = _save(form, None)
        if room is not None:
            messages.success(
                request,
                _("%(name)s has been added.") % {"name": room.name},
            )
            return _back_to(room)
    return render(
        request,
        "studio/rooms/list.html",
        {"rooms": selectors.rooms_with_services(), "form": form},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@room_object
def room_edit(request, pk):
    room = get_object_or_404(Room, pk=pk)
    # The name as saved: a refused new name must not retitle the page.
    name = room.name
    form = RoomForm(request.POST if request.method == "POST" else None, instance=room)
    if request.method == "POST" and form.is_valid():
        saved = _save(form, room)
        if saved is not None:
            messages.success(
                request,
                _("%(name)s has been saved. Clients see the new free times now.")
                % {"name": saved.name},
            )
            return _back_to(saved)
    return render(
        request,
        "studio/rooms/edit.html",
        {"room": room, "name": name, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@room_object
def room_active(request, pk):
    room = get_object_or_404(Room, pk=pk)
    action = request.POST.get("action")
    if action not in ("deactivate", "reactivate"):
        return HttpResponseBadRequest(_("Choose whether the room is taken out of use or put back."))
    try:
        room = services.room_set_active(room=room, active=action == "reactivate")
    except CatalogueRefused as refusal:
        messages.error(request, refusal.message)
    else:
        if room.is_active:
            messages.success(
                request,
                _("%(name)s is in use again: new bookings can use it.") % {"name": room.name},
            )
        else:
            messages.success(
                request,
                _(
                    "%(name)s is out of use: no new booking is made in it. The bookings "
                    "already made in it stay as they are; move them from the calendar if needed."
                )
                % {"name": room.name},
            )
    return _back_to(room)
