"""The week of free times, rendered once and served until it stops being true.

The times page is the busiest page of the site and the dearest: hundreds of starts worked
out from the whole calendar. Its HTML is the same for every anonymous visitor who asks for
the same service, length, therapist and week on the same day, so it is stored in the cache
and served from there until one of three things happens:

- a write that can move a free time: a booking, time off, working hours, a therapist, room,
  service or length, or the studio's policies. Each raises the calendar version
  (``calendar_changed``); every stored week carries the version it was rendered under and
  is served only while that is the current one, so every stored week goes stale at once.
  Model saves and deletes raise it through signals (``bookings.receivers``), admin
  included; the few queryset updates that free a slot call it themselves.
- time passing a point where the answer changes by itself: a hold expires, the first start
  falls inside the minimum notice, the horizon moves on (``Availability.valid_until``), or
  local midnight (today is part of the key).
- ``CALMA_TIMES_CACHE_SECONDS``, a ceiling for anything missed, such as a raw SQL write.

The version and the stored week come in one round trip (``studio.page_cache.lookup``), read
before the calendar is: a page rendered from an older calendar can only ever be stored under
an older version, so it is never served once the write that changed the calendar is visible.

A stale page could only ever offer a time that is gone: the hold re-checks the calendar
under lock and answers "just taken" with fresh times. Nothing is stored for staff (their
navigation differs), for a page carrying a message, or when the setting is 0 (the default
without Redis: every web process must see the same version, and a per-process cache would
not). The CSRF token differs per visitor and the CSP nonce per response: the stored page
holds placeholders, replaced on the way out (``studio.page_cache``).
"""

from datetime import datetime

from django.http import HttpResponse
from django.utils.translation import get_language

# The times page's view renders with the placeholders it finds here.
from studio import page_cache
from studio.page_cache import CSRF_PLACEHOLDER, NONCE_PLACEHOLDER, enabled  # noqa: F401

VERSION_KEY = "calma:calendar-version"
KEY_PREFIX = "calma:times:"
# The query parameters the times page reads; anything else in the query string is ignored.
PARAMETERS = ("length", "therapist", "day", "month", "week")
LONGEST_PARAMETER = 64
page_cache.name(VERSION_KEY, data="calendar", page="times page")


def calendar_changed() -> None:
    """Record that free times may have changed: every stored week is stale from now on.

    Raised at once and, inside a transaction, again when it commits (``page_cache.changed``);
    by the insert that ends a hold's own transaction, on commit only (``page_cache.last_write``).
    """
    page_cache.changed(VERSION_KEY)


def page_key(request, slug: str, *, today) -> str | None:
    """Return the cache key of this request's times page, or None to render it for the visitor.

    The key holds no version: the stored entry carries the one it was rendered under.
    """
    if not enabled():
        return None
    params = [request.GET.get(name, "") for name in PARAMETERS]
    if any(len(value) > LONGEST_PARAMETER for value in params):
        return None
    if not page_cache.shared(request):
        return None
    return page_cache.key_of(
        KEY_PREFIX,
        slug,
        *params,
        today.isoformat(),
        get_language() or "",
        "partial" if request.htmx else "page",
    )


def cached_response(request, key: str, *, now: datetime) -> HttpResponse | None:
    """Return the stored page for the key, with this visitor's CSRF token, or None.

    Reads the calendar version too, before the view reads the calendar: ``store`` files the
    page rendered after this under that version.
    """
    entry = page_cache.lookup(request, VERSION_KEY, key)
    if entry is None:
        return None
    valid_until, html = entry
    if now.timestamp() >= valid_until:
        return None
    return page_cache.personalised(request, html)


def store(request, key: str, html: str, *, now: datetime, valid_until: datetime) -> HttpResponse:
    """Keep a page rendered with the placeholders until ``valid_until``; answer this visitor."""
    page_cache.store(
        request,
        key,
        (valid_until.timestamp(), html),
        seconds=(valid_until - now).total_seconds(),
    )
    return page_cache.personalised(request, html)
