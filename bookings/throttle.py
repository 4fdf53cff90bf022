"""How much of the calendar one visitor may hold at once, and how often they may ask.

A hold keeps a slot from everybody else for the studio's hold time, so one script opening
fresh sessions could otherwise hold every free time of a day. Three limits, all settings:

- ``CALMA_HOLDS_PER_SESSION``: a browser session keeps this many live holds; a newer one
  releases its oldest (a client who goes back and picks another time is not stuck);
- ``CALMA_HOLDS_PER_IP``: live holds from one IP address, across sessions; past it, refused;
- ``CALMA_HOLD_RATE``: hold requests per IP address (django-ratelimit's "count/period",
  counted in the shared cache); ``None`` turns it off.

The address is ``REMOTE_ADDR``: a proxy in front must pass the client's own. The HTTP
benchmark raises every limit (bench/http_settings.py): it posts many holds from one address.

An address's holds are a list in the shared cache. On Redis (production) each new hold is
appended with RPUSH, trimmed and given its expiry in one MULTI/EXEC round trip, so two
holds made at once from one address are both counted; any other cache (tests, a machine
without Redis) reads the list and writes it back whole.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _
from django_ratelimit.core import is_ratelimited

from bookings.errors import BookingRefused
from bookings.models import Booking, BookingStatus
from studio.cache import redis_client

logger = logging.getLogger(__name__)

RATE_GROUP = "calma.hold"
# How many hold ids the cache keeps per address: more than any limit worth setting.
_KEPT_PER_IP = 50


def visitor_ip(request) -> str:
    """Return the address the request came from (every visitor without one shares one)."""
    return request.META.get("REMOTE_ADDR") or "unknown"


def _ip_key(ip: str) -> str:
    return f"calma:holds-by-ip:{ip}"


def _redis_list(ip: str):
    """Return the Redis client and full key of an address's list, or (None, None) off Redis.

    The list is Redis's own (``holds-by-ip-list``), not a pickled value of Django's cache: a
    key of the old kind, whose values it cannot read, is never asked for with list commands.
    """
    return redis_client(f"calma:holds-by-ip-list:{ip}")


def _holds_by_ip(ip: str) -> set[str]:
    """Return the public ids of the holds counted against an address (live or not)."""
    client, key = _redis_list(ip)
    if client is None:
        return set(cache.get(_ip_key(ip), []))
    return {value.decode() for value in client.lrange(key, 0, -1)}


def _count_hold(ip: str, public_id: str, *, seconds: int) -> None:
    """Add a hold to an address's list, keeping the newest ``_KEPT_PER_IP`` for ``seconds``."""
    client, key = _redis_list(ip)
    if client is None:
        key = _ip_key(ip)
        cache.set(key, [*cache.get(key, [])[-(_KEPT_PER_IP - 1) :], public_id], timeout=seconds)
        return
    pipe = client.pipeline(transaction=True)
    pipe.rpush(key, public_id)
    pipe.ltrim(key, -_KEPT_PER_IP, -1)
    pipe.expire(key, seconds)
    pipe.execute()


def _live(public_ids: set[str], now: datetime) -> set[str]:
    """Return which of these holds still keep their slot (online holds, not yet expired)."""
    if not public_ids:
        return set()
    return {
        str(public_id)
        for public_id in Booking.objects.filter(
            public_id__in=public_ids,
            status=BookingStatus.HELD,
            source=Booking.Source.ONLINE,
            hold_expires_at__gt=now,
        ).values_list("public_id", flat=True)
    }


def _rate_limited(request) -> bool:
    rate = settings.CALMA_HOLD_RATE
    if not rate:
        return False
    return is_ratelimited(
        request,
        group=RATE_GROUP,
        key=lambda _group, request: visitor_ip(request),
        rate=rate,
        method="POST",
        increment=True,
    )


@dataclass(frozen=True)
class HoldQuota:
    """Whether a visitor may hold one more slot, and which of their holds it replaces."""

    refusal: BookingRefused | None = None
    # This session's oldest live holds, released once the new hold is made.
    release: list[str] = field(default_factory=list)


def hold_quota(request, *, session_holds: list[str], now: datetime | None = None) -> HoldQuota:
    """Return whether this visitor may hold another slot now (counting this request).

    ``session_holds`` are the public ids this browser session held, oldest first.
    """
    now = now or timezone.now()
    try:
        limited = _rate_limited(request)
        by_ip = _holds_by_ip(visitor_ip(request))
    except Exception:
        # Like the stored weeks of times, the limits never stop a booking when the cache is
        # away: only the per-session limit, kept in the session, still applies then.
        logger.warning("The cache is unavailable; holds per address are not counted", exc_info=True)
        limited, by_ip = False, set()
    if limited:
        return HoldQuota(
            BookingRefused(
                _(
                    "You have asked for a lot of times in a short while. Please wait a few "
                    "minutes, then choose a time again."
                ),
                code=BookingRefused.POLICY,
            )
        )
    ours = set(session_holds)
    if (
        len(session_holds) < settings.CALMA_HOLDS_PER_SESSION
        and len(by_ip - ours) + len(session_holds) < settings.CALMA_HOLDS_PER_IP
    ):
        # Even were every one of these holds live, this one would release none and stay
        # under the address's limit: the database need not say which are.
        return HoldQuota()
    live = _live(ours | by_ip, now)
    our_live = [public_id for public_id in session_holds if public_id in live]
    excess = max(0, len(our_live) + 1 - settings.CALMA_HOLDS_PER_SESSION)
    kept = len(our_live) - excess
    if len(live - ours) + kept >= settings.CALMA_HOLDS_PER_IP:
        return HoldQuota(
            BookingRefused(
                _(
                    "Other times are already being held from your connection. Please finish "
                    "those bookings, or try again in a few minutes."
                ),
                code=BookingRefused.POLICY,
            )
        )
    return HoldQuota(release=our_live[:excess])


def hold_record(
    request, *, booking: Booking, quota: HoldQuota, now: datetime | None = None
) -> None:
    """Count a new hold against the visitor's address; release the holds it replaces."""
    from bookings.services import hold_release

    now = now or timezone.now()
    # Kept as long as the newest hold lives: older ones expire before it.
    seconds = (booking.hold_expires_at - now).total_seconds()
    try:
        _count_hold(visitor_ip(request), str(booking.public_id), seconds=max(60, int(seconds) + 60))
    except Exception:
        logger.warning("The cache is unavailable; a hold is not counted", exc_info=True)
    if quota.release:
        for stale in Booking.objects.filter(public_id__in=quota.release):
            hold_release(booking=stale)
