"""The staff rules, applied to every request: short sessions and a second factor."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse
from django.shortcuts import redirect, resolve_url
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _

from accounts import sessions
from accounts.policy import is_staff_account

# What a staff account may reach before passing its second factor: the steps of signing in
# (and out), and nothing that shows studio data.
OPEN_BEFORE_SECOND_FACTOR = {
    "accounts:logout",
    "admin:logout",
    "accounts:mfa_setup",
    "accounts:mfa_setup_qr",
    "accounts:mfa_verify",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
    "healthz",
}


def _redirect(request, url: str) -> HttpResponse:
    """Redirect, the whole page when htmx asked for a fragment."""
    if request.headers.get("HX-Request"):
        return HttpResponse(status=204, headers={"HX-Redirect": url})
    return redirect(url)


def _with_next(request, url: str) -> str:
    # Only a page read can be resumed; a form post is not replayed after signing in.
    if request.method in ("GET", "HEAD") and not request.headers.get("HX-Request"):
        return f"{url}?{urlencode({'next': request.get_full_path()})}"
    return url


class StaffIdleTimeoutMiddleware:
    """Sign a staff account out after its idle limit or its longest session life."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and is_staff_account(user):
            if sessions.session_expired(request.session):
                logout(request)
                messages.info(
                    request,
                    _("You were signed out to keep the studio's data safe. Please sign in again."),
                )
                return _redirect(request, _with_next(request, resolve_url(settings.LOGIN_URL)))
            sessions.session_touch(request.session)
        return self.get_response(request)


class StaffSecondFactorMiddleware:
    """Keep a staff account that has not passed its second factor to the sign-in steps.

    Without a confirmed authenticator it is sent to set one up; with one, to enter a code.
    Every page but the sign-in steps is closed to it, the admin included, so a new page
    cannot be forgotten.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not user.is_verified()
            and is_staff_account(user)
            and not _open_before_second_factor(request.path_info)
        ):
            from accounts.selectors import has_authenticator

            step = "accounts:mfa_verify" if has_authenticator(user=user) else "accounts:mfa_setup"
            return _redirect(request, _with_next(request, reverse(step)))
        return self.get_response(request)


def _open_before_second_factor(path: str) -> bool:
    try:
        match = resolve(path)
    except Resolver404:
        return True  # the 404 page shows nothing
    return match.view_name in OPEN_BEFORE_SECOND_FACTOR
