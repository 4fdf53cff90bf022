from django.conf import settings
from django.http import HttpResponseNotFound
from django.middleware.locale import LocaleMiddleware
from django.urls import is_valid_path
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation import trans_real

from studio.models import Studio
from studio.timezones import studio_tz


def browser_language(request) -> str | None:
    """Return the language this browser asked for (cookie, then Accept-Language), or None.

    Django's own lookup ends at ``LANGUAGE_CODE``; here "none Calma speaks" stays None, so
    the studio's own default can apply.
    """
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    candidates = [chosen] if chosen else []
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    candidates += [code for code, _q in trans_real.parse_accept_lang_header(header) if code != "*"]
    for code in candidates:
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return None


class StudioLocaleMiddleware(LocaleMiddleware):
    """Speak the URL's language (/ca/, /es/, /en/), else the browser's, else the studio's.

    An address without a language (an old link, the bare domain) is redirected to the same
    page in that language by Django's ``LocaleMiddleware``.
    """

    def __call__(self, request):
        # The language is the request's alone: put back the thread's own once it is answered.
        previous = translation.get_language()
        try:
            return super().__call__(request)
        finally:
            translation.activate(previous)

    def process_request(self, request):
        super().process_request(request)
        if translation.get_language_from_path(request.path_info):
            return
        language = browser_language(request) or Studio.load().default_language
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        return self._redirect_to_language(request)

    def _redirect_to_language(self, request):
        """Redirect an address that has a page only in a language, before anything else runs.

        Django redirects in ``process_response``, once the view has answered 404: the whole
        "not found" page rendered (the session and the user read for its navigation, a CSRF
        cookie set) and then thrown away. Asked here with the same rule, it costs a resolve.
        """
        urlconf = getattr(request, "urlconf", settings.ROOT_URLCONF)
        if is_valid_path(request.path_info, urlconf):
            return None
        response = self.process_response(request, HttpResponseNotFound())
        return response if response.status_code != 404 else None


class StudioTimeZoneMiddleware:
    """Show every time in the studio's zone; the database keeps UTC."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timezone.activate(studio_tz())
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


# Pages that show the same thing to every visitor: the catalogue and the free times. Only
# these may be kept by a browser or a proxy, and only when nobody is signed in (the header
# then names the user and their reviews waiting). Every other page, including any page added
# later, is sent with Cache-Control: no-store, so answers, reasons, adaptations and client
# details never stay in a cache or come back through the Back button after logging out.
CACHEABLE_URL_NAMES = frozenset(
    {
        "studio:home",
        "studio:service_list",
        "studio:service_detail",
        "studio:therapist_list",
        "bookings:booking_start",
        "bookings:booking_times",
    }
)


def may_be_cached(request) -> bool:
    """Return whether the response to this request may be kept by a cache."""
    match = getattr(request, "resolver_match", None)
    if match is None or match.view_name not in CACHEABLE_URL_NAMES:
        return False
    user = getattr(request, "user", None)
    return not (user is not None and user.is_authenticated)


class PrivatePagesNoStoreMiddleware:
    """Send Cache-Control: no-store on every page but the public ones (CACHEABLE_URL_NAMES)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not may_be_cached(request):
            add_never_cache_headers(response)
        return response


class CsrfCookieOnceMiddleware:
    """Have Django's CsrfViewMiddleware set the CSRF cookie once per visitor, not every page.

    Django sends the cookie again with every page that shows a token, to renew its expiry
    (a year). Here a visitor who sent the very secret the page used gets no Set-Cookie:
    nothing to store or re-send, and a response a cache could keep. A new or rotated secret
    (first visit, signing in, a cookie that is not a secret) is still set. ``Vary: Cookie``
    stays, as the page still holds this visitor's token.

    Listed right after CsrfViewMiddleware, so it sees the response first; Django's own stays
    in MIDDLEWARE, where ``check --deploy`` looks for it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            and not settings.CSRF_USE_SESSIONS
            and request.COOKIES.get(settings.CSRF_COOKIE_NAME) == request.META.get("CSRF_COOKIE")
        ):
            request.META["CSRF_COOKIE_NEEDS_UPDATE"] = False
            patch_vary_headers(response, ("Cookie",))
        return response
