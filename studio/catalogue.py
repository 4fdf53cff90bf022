"""The catalogue pages: the front desk and the owner edit the services, lengths and prices.

What is withdrawn is offered nowhere, but stays: the bookings made with it keep it. Every
write goes through ``studio.services``, whose saves also make the stored weeks of free times
stale. Each POST names what it wants (``direction``, ``action``): a POST without it is
refused with 400 and changes nothing, and the same POST twice leaves the same catalogue.
"""

from django.contrib import messages
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from studio import permissions, selectors, services
from studio.access import requires
from studio.errors import CatalogueRefused
from studio.forms import LengthForm, ServiceForm
from studio.models import Service, ServiceLength

catalogue_page = requires(permissions.can_manage_studio, sign_in=True)
catalogue_object = requires(permissions.can_manage_studio, sign_in=False)


def _back_to(service: Service):
    return redirect(f"{reverse('catalogue:index')}#service-{service.pk}")


@require_safe
@catalogue_page
def index(request):
    return render(
        request, "studio/catalogue/index.html", {"services": selectors.catalogue_services()}
    )


def _service_form_page(request, service: Service | None):
    form = ServiceForm(request.POST or None, instance=service)
    if request.method == "POST" and form.is_valid():
        fields = {name: value for name, value in form.cleaned_data.items() if name != "rooms"}
        saved = services.service_save(
            service=service, fields=fields, rooms=form.cleaned_data["rooms"]
        )
        messages.success(request, _("The massage has been saved."))
        return _back_to(saved)
    return render(
        request,
        "studio/catalogue/service_form.html",
        {"form": form, "service": service},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@catalogue_page
def service_add(request):
    return _service_form_page(request, None)


@require_http_methods(["GET", "HEAD", "POST"])
@catalogue_object
def service_edit(request, pk):
    return _service_form_page(request, get_object_or_404(Service, pk=pk))


@require_POST
@catalogue_object
def service_move(request, pk):
    service = get_object_or_404(Service, pk=pk)
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        return HttpResponseBadRequest(_("Choose whether the massage moves up or down."))
    services.service_move(service=service, up=direction == "up")
    return _back_to(service)


@require_POST
@catalogue_object
def service_active(request, pk):
    service = get_object_or_404(Service, pk=pk)
    action = request.POST.get("action")
    if action == "withdraw":
        services.service_withdraw(service=service)
        messages.success(request, _("The massage is withdrawn: nobody can book it now."))
    elif action == "restore":
        services.service_restore(service=service)
        messages.success(request, _("The massage is offered again."))
    else:
        return HttpResponseBadRequest(_("Choose whether the massage is withdrawn or restored."))
    return _back_to(service)


def _length_form_page(request, *, service: Service, length: ServiceLength | None):
    initial = {"minutes": length.minutes, "price": length.price} if length else None
    form = LengthForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if length is None:
                services.length_add(service=service, **form.cleaned_data)
            else:
                services.length_change(length=length, **form.cleaned_data)
        except CatalogueRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _("The length has been saved."))
            return _back_to(service)
    return render(
        request,
        "studio/catalogue/length_form.html",
        {"form": form, "service": service, "length": length},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@catalogue_object
def length_add(request, pk):
    service = get_object_or_404(Service, pk=pk)
    return _length_form_page(request, service=service, length=None)


@require_http_methods(["GET", "HEAD", "POST"])
@catalogue_object
def length_edit(request, pk):
    length = get_object_or_404(ServiceLength.objects.select_related("service"), pk=pk)
    return _length_form_page(request, service=length.service, length=length)


@require_POST
@catalogue_object
def length_active(request, pk):
    length = get_object_or_404(ServiceLength.objects.select_related("service"), pk=pk)
    action = request.POST.get("action")
    if action == "withdraw":
        services.length_withdraw(length=length)
        messages.success(
            request,
            _("The %(minutes)s-minute length is withdrawn: nobody can book it now.")
            % {"minutes": length.minutes},
        )
    elif action == "restore":
        services.length_restore(length=length)
        messages.success(
            request,
            _("The %(minutes)s-minute length is offered again.") % {"minutes": length.minutes},
        )
    else:
        return HttpResponseBadRequest(_("Choose whether the length is withdrawn or restored."))
    return _back_to(length.service)
