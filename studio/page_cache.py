"""Pages that every anonymous visitor sees alike, rendered once and served from the cache.

Two kinds of page use it: the catalogue (home, the list of massages and each massage's page,
here) and the week of free times (``bookings.times_cache``). Each kind has a version in the
cache, raised by every write that can change what its pages show, and every stored page
carries the version it was rendered under: it is served only while that is still the current
version. One ``get_many`` reads both, so a stored page costs one round trip to the cache.

The version is read before the database is, and a write raises it at once (for readers on
its own connection) and again when it commits (``changed``): a page rendered from an older
database can only ever be stored under an older version.

Only visitors who are not signed in and have no message waiting share a page (staff have
their own navigation). Each visitor's CSRF token and each response's CSP nonce stand in the
stored page as placeholders, replaced on the way out. Nothing is stored when
``CALMA_TIMES_CACHE_SECONDS`` is 0, the default without Redis: every web process must see
the same version, and a cache in one process's memory would not.
"""

import hashlib
import logging
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

CATALOGUE_VERSION_KEY = "calma:catalogue-version"
CATALOGUE_KEY_PREFIX = "calma:catalogue:"
# Stands in for the visitor's CSRF token in a stored page. Escaping leaves it as it is, and
# nothing else on the page can contain it.
CSRF_PLACEHOLDER = "calma-csrf-token-placeholder-5b0e"
# Likewise for the Content-Security-Policy nonce: each response has its own, in its header.
NONCE_PLACEHOLDER = "calma-csp-nonce-placeholder-9d41"
# What each version stands for, in the log.
_NAMES = {CATALOGUE_VERSION_KEY: ("catalogue", "catalogue page")}
# Where the version read with a page is kept on the request, for ``store``.
_VERSIONS = "_calma_page_versions"


def enabled() -> bool:
    return settings.CALMA_TIMES_CACHE_SECONDS > 0


def placeholders() -> dict:
    """Return the template context that renders a page for every visitor at once."""
    return {"csrf_token": CSRF_PLACEHOLDER, "CSP_NONCE": NONCE_PLACEHOLDER}


def shared(request) -> bool:
    """Return whether this request gets the page every anonymous visitor gets.

    Neither question reads a session for a visitor without a session cookie: the session
    is then empty without a query, and messages live in their own cookie (in the session
    only when that cookie overflowed).
    """
    if request.method not in ("GET", "HEAD"):
        return False
    if request.user.is_authenticated:
        return False
    return not len(get_messages(request))


def name(version_key: str, *, data: str, page: str) -> None:
    """Name what a version stands for and the pages it keeps, for the log."""
    _NAMES[version_key] = (data, page)


def _name(key: str) -> tuple[str, str]:
    return _NAMES.get(key, ("cache", "page"))


def key_of(prefix: str, *parts: str) -> str:
    return prefix + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _new_version() -> str:
    return secrets.token_hex(8)


def bump(version_key: str) -> None:
    """Give ``version_key`` a new value: every page stored under the old one is stale."""
    try:
        cache.set(version_key, _new_version(), timeout=None)
    except Exception:
        # A write never fails because the cache is away; the ceiling bounds what is stale.
        logger.warning("Could not raise the %s version", _name(version_key)[0], exc_info=True)


def changed(version_key: str) -> None:
    """Make every page stored under ``version_key`` stale, now and when the write commits.

    Raised at once, for readers on this connection (inside the transaction), and again
    when the transaction commits: a reader on another connection that took the first new
    version while the write was still uncommitted may have stored the old data under it.
    Outside a transaction the write is committed already, and once is enough (``on_commit``
    would run at once: two trips to the cache back to back). Inside ``last_write``, on
    commit only.
    """
    if not enabled():
        return
    in_transaction = transaction.get_connection().in_atomic_block
    if not (in_transaction and _LAST_WRITE.get()):
        bump(version_key)
    if in_transaction:
        transaction.on_commit(lambda: bump(version_key))


# Set by ``last_write``: the writes in it end their transaction.
_LAST_WRITE: ContextVar[bool] = ContextVar("calma_page_cache_last_write", default=False)


@contextmanager
def last_write() -> Iterator[None]:
    """Raise the versions of the writes run in it when their transaction commits, only.

    For the last write of a transaction that began with nothing open around it (a hold):
    nothing reads on this connection between the write and the commit, so the raise at
    once has no reader to serve, and the one on commit is enough. Any lock the transaction
    holds is released by the commit before the cache is asked. Where an outer transaction
    was open, the caller does not use this: a reader may follow in that transaction.
    """
    token = _LAST_WRITE.set(True)
    try:
        yield
    finally:
        _LAST_WRITE.reset(token)


def lookup(request, version_key: str, key: str):
    """Return what is stored under ``key`` for the current version, or None.

    One round trip reads the version and the entry; the version is kept on the request, so
    that ``store`` files a page rendered after this under the version read before it.
    """
    try:
        found = cache.get_many([version_key, key])
        version = found.get(version_key)
        if version is None:
            cache.add(version_key, _new_version(), timeout=None)
            version = cache.get(version_key)
    except Exception:
        logger.warning(
            "The cache is unavailable; the %s is rendered", _name(version_key)[1], exc_info=True
        )
        return None
    if version is None:
        return None
    versions = request.__dict__.setdefault(_VERSIONS, {})
    versions[key] = (version_key, version)
    entry = found.get(key)
    if entry is None or entry[0] != version:
        return None
    return entry[1]


def store(request, key: str, value, *, seconds: float) -> None:
    """Keep ``value`` under ``key`` for the version ``lookup`` read, at most ``seconds``."""
    version_key, version = getattr(request, _VERSIONS, {}).get(key, (None, None))
    seconds = min(seconds, settings.CALMA_TIMES_CACHE_SECONDS)
    if version is None or seconds < 1:
        return
    try:
        cache.set(key, (version, value), timeout=int(seconds))
    except Exception:
        logger.warning("Could not store the %s", _name(version_key)[1], exc_info=True)


def personalised(request, html: str) -> HttpResponse:
    """Answer a stored page with this visitor's CSRF token and this response's nonce."""
    if CSRF_PLACEHOLDER in html:
        html = html.replace(CSRF_PLACEHOLDER, get_token(request))
    if NONCE_PLACEHOLDER in html:
        # Reading the nonce is what puts it in this response's header.
        html = html.replace(NONCE_PLACEHOLDER, str(request.csp_nonce))
    return HttpResponse(html)


def catalogue_changed() -> None:
    """Record that the catalogue changed: every stored catalogue page is stale from now on."""
    changed(CATALOGUE_VERSION_KEY)


def catalogue_page(request, template_name: str, context) -> HttpResponse:
    """Render a catalogue page, or serve it stored for a visitor who is not signed in.

    ``context`` is a callable: a stored page asks the database nothing. The key is the
    address (its language included) and the active language; the query is not part of it,
    as these pages read none.
    """
    key = None
    if enabled() and shared(request):
        key = key_of(
            CATALOGUE_KEY_PREFIX,
            request.path,
            get_language() or "",
            "partial" if getattr(request, "htmx", False) else "page",
        )
        html = lookup(request, CATALOGUE_VERSION_KEY, key)
        if html is not None:
            return personalised(request, html)
    values = context()
    if key is None:
        return HttpResponse(render_to_string(template_name, values, request))
    html = render_to_string(template_name, {**values, **placeholders()}, request)
    store(request, key, html, seconds=settings.CALMA_TIMES_CACHE_SECONDS)
    return personalised(request, html)
