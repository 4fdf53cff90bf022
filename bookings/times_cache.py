"""The week of free times, rendered once and served until it stops being true.

The times page is the busiest page of the site and the dearest: hundreds of starts worked
out from the whole calendar. Its HTML is the same for every anonymous visitor who asks for
the same service, length, therapist and week on the same day, so it is stored in the cache
and served from there until one of three things happens:

- a write that can move a free time: a booking, time off, working hours, a therapist, room,
  service or length, or the studio's policies. Each raises the calendar version
  (``calendar_changed``), which is part of every key, so every stored week goes stale at
  once. Model saves and deletes raise it through signals (``bookings.receivers``), admin
  included; the few queryset updates that free a slot call it themselves.
- time passing a point where the answer changes by itself: a hold expires, the first start
  falls inside the minimum notice, the horizon moves on (``Availability.valid_until``), or
  local midnight (today is part of the key).
- ``CALMA_TIMES_CACHE_SECONDS``, a ceiling for anything missed, such as a raw SQL write.

A stale page could only ever offer a time that is gone: the hold re-checks the calendar
under lock and answers "just taken" with fresh times. Nothing is stored for staff (their
navigation differs), for a page carrying a message, or when the setting is 0 (the default
without Redis: every web process must see the same version, and a per-process cache would
not). The CSRF token differs per visitor and the CSP nonce per response: the stored page
holds placeholders, replaced on the way out.
"""

import hashlib
import logging
import math
import secrets
from datetime import datetime

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

VERSION_KEY = "calma:calendar-version"
KEY_PREFIX = "calma:times:"
# Stands in for the visitor's CSRF token in a stored page. Escaping leaves it as it is, and
# nothing else on the page can contain it.
CSRF_PLACEHOLDER = "calma-csrf-token-placeholder-5b0e"
# Likewise for the Content-Security-Policy nonce: each response has its own, in its header.
NONCE_PLACEHOLDER = "calma-csp-nonce-placeholder-9d41"
# The query parameters the times page reads; anything else in the query string is ignored.
PARAMETERS = ("length", "therapist", "day", "month", "week")
LONGEST_PARAMETER = 64


def enabled() -> bool:
    return settings.CALMA_TIMES_CACHE_SECONDS > 0


def _new_version() -> str:
    return secrets.token_hex(8)


def _bump_version() -> None:
    try:
        cache.set(VERSION_KEY, _new_version(), timeout=None)
    except Exception:
        # A booking never fails because the cache is away; the ceiling bounds what is stale.
        logger.warning("Could not raise the calendar version", exc_info=True)


def calendar_changed() -> None:
    """Record that free times may have changed: every stored week is stale from now on.

    Raised at once, for readers on this connection (inside the transaction), and again
    when the transaction commits: a reader on another connection that took the first new
    version while the write was still uncommitted may have stored the old calendar under it.
    Outside a transaction the write is committed already, and once is enough (``on_commit``
    would run at once: two trips to the cache back to back).
    """
    if not enabled():
        return
    _bump_version()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(_bump_version)


def _version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, _new_version(), timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def page_key(request, slug: str, *, today) -> str | None:
    """Return the cache key of this request's times page, or None to render it for the visitor.

    The version is read here, before the calendar is, so that a page rendered from an older
    calendar can only ever be stored under an older version.
    """
    if not enabled() or request.method not in ("GET", "HEAD"):
        return None
    params = [request.GET.get(name, "") for name in PARAMETERS]
    if any(len(value) > LONGEST_PARAMETER for value in params):
        return None
    if request.user.is_authenticated or len(get_messages(request)):
        return None
    try:
        version = _version()
    except Exception:
        logger.warning("The cache is unavailable; the times page is rendered", exc_info=True)
        return None
    parts = [
        version,
        slug,
        *params,
        today.isoformat(),
        get_language() or "",
        "partial" if request.htmx else "page",
    ]
    return KEY_PREFIX + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _with_token(request, html: str) -> str:
    html = html.replace(CSRF_PLACEHOLDER, get_token(request))
    if NONCE_PLACEHOLDER in html:
        # Reading the nonce is what puts it in this response's header.
        html = html.replace(NONCE_PLACEHOLDER, str(request.csp_nonce))
    return html


def cached_response(request, key: str, *, now: datetime) -> HttpResponse | None:
    """Return the stored page for the key, with this visitor's CSRF token, or None."""
    try:
        entry = cache.get(key)
    except Exception:
        logger.warning("The cache is unavailable; the times page is rendered", exc_info=True)
        return None
    if entry is None:
        return None
    valid_until, html = entry
    if now.timestamp() >= valid_until:
        return None
    return HttpResponse(_with_token(request, html))


def store(request, key: str, html: str, *, now: datetime, valid_until: datetime) -> HttpResponse:
    """Keep a page rendered with the placeholder until ``valid_until``; answer this visitor."""
    seconds = min((valid_until - now).total_seconds(), settings.CALMA_TIMES_CACHE_SECONDS)
    if seconds >= 1:
        try:
            cache.set(key, (valid_until.timestamp(), html), timeout=math.floor(seconds))
        except Exception:
            logger.warning("Could not store the times page", exc_info=True)
    return HttpResponse(_with_token(request, html))
