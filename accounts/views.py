"""The second factor's pages: set up an authenticator, enter a code, recovery codes.

The password steps are Django's own views (see ``accounts/urls.py``); django-axes
throttles them through its authentication backend.
"""

import io
from base64 import b32encode
from urllib.parse import urlencode

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe
from django_otp import devices_for_user
from django_otp.qr import write_qrcode_image

from accounts import selectors, services
from accounts.forms import CodeForm


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def mfa_setup(request):
    """Set up an authenticator app: QR code and secret, then a first code to confirm it."""
    if selectors.has_authenticator(user=request.user):
        # A second authenticator is only added after passing the first one.
        return redirect(
            f"{resolve_url('accounts:mfa_verify')}?{urlencode({'next': _next_url(request)})}"
        )
    device = services.authenticator_pending(user=request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _data = device.verify_is_allowed()
        codes = (
            services.authenticator_confirm(device=device, code=form.cleaned_data["code"])
            if allowed
            else None
        )
        if not allowed:
            form.add_error("code", _("Too many wrong codes. Wait a minute, then try again."))
        elif codes is not None:
            device.refresh_from_db()
            request.session.cycle_key()
            django_otp.login(request, device)
            return render(
                request,
                "accounts/recovery_codes.html",
                {"codes": codes, "next": _next_url(request), "first_time": True},
            )
        else:
            form.add_error(
                "code", _("That code did not match. Check the app's time and try again.")
            )
    secret = b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/mfa_setup.html",
        {
            "form": form,
            "secret": secret,
            "secret_grouped": _grouped(secret),
            "next": _next_url(request),
        },
        status=400 if form.errors else 200,
    )


@never_cache
@login_required
@require_safe
def mfa_setup_qr(request):
    """Return the QR code of the authenticator being set up, as an SVG image."""
    if selectors.has_authenticator(user=request.user):
        raise Http404
    device = services.authenticator_pending(user=request.user)
    out = io.BytesIO()
    write_qrcode_image(device.config_url, out)
    return HttpResponse(out.getvalue(), content_type="image/svg+xml")


def _verify(request, code: str):
    """Return the device that accepts the code, and whether a wait stopped the check."""
    throttled = False
    for device in devices_for_user(request.user, confirmed=True):
        allowed, _data = device.verify_is_allowed()
        if not allowed:
            throttled = True
            continue
        verified = django_otp.verify_token(request.user, device.persistent_id, code)
        if verified is not None:
            return verified, False
    return None, throttled


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def mfa_verify(request):
    """Ask for a code from the authenticator app, or one of the recovery codes."""
    if not selectors.has_authenticator(user=request.user):
        return redirect(
            f"{resolve_url('accounts:mfa_setup')}?{urlencode({'next': _next_url(request)})}"
        )
    if request.user.is_verified():
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device, throttled = _verify(request, form.cleaned_data["code"])
        if device is not None:
            request.session.cycle_key()
            django_otp.login(request, device)
            if device.persistent_id.startswith("otp_static."):
                left = selectors.recovery_codes_left(user=request.user)
                messages.warning(
                    request,
                    ngettext(
                        "You signed in with a recovery code; %(left)d is left. "
                        "Make new ones from your account page.",
                        "You signed in with a recovery code; %(left)d are left. "
                        "Make new ones from your account page if you are running low.",
                        left,
                    )
                    % {"left": left},
                )
            return redirect(_next_url(request))
        if throttled:
            form.add_error("code", _("Too many wrong codes. Wait a minute, then try again."))
        else:
            form.add_error("code", _("That code did not match. Try the newest code in the app."))
    return render(
        request,
        "accounts/mfa_verify.html",
        {"form": form, "next": _next_url(request)},
        status=400 if form.errors else 200,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def account(request):
    """The account page: change the password, make new recovery codes."""
    if request.method == "POST":
        if not request.user.is_verified():
            raise Http404
        codes = services.recovery_codes_replace(user=request.user)
        return render(
            request,
            "accounts/recovery_codes.html",
            {"codes": codes, "next": resolve_url("accounts:account"), "first_time": False},
        )
    return render(
        request,
        "accounts/account.html",
        {
            "has_authenticator": selectors.has_authenticator(user=request.user),
            "codes_left": selectors.recovery_codes_left(user=request.user),
        },
    )


def locked_out(request, original_response=None, credentials=None):
    """Answer a locked-out sign-in (django-axes' lockout callable) with a page, never a 500."""
    minutes = max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    return render(
        request,
        "accounts/locked_out.html",
        {"minutes": minutes},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )


class PasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, with the email's link built on the studio's own address."""

    email_template_name = "registration/password_reset_email.txt"
    html_email_template_name = "registration/password_reset_email.html"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        self.extra_email_context = {"site_url": settings.SITE_URL.rstrip("/")}
        return super().form_valid(form)
