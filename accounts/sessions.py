"""The clock of a staff session: when it was signed in, and when it was last used."""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

SESSION_SIGNED_IN_AT = "calma_signed_in_at"
SESSION_SEEN_AT = "calma_seen_at"
# The last-seen stamp is refreshed at most this often, so that reading a page does not
# write the session every time; the idle limit is therefore this much more lenient.
SEEN_RESOLUTION = timedelta(minutes=1)


def idle_limit() -> timedelta:
    return timedelta(minutes=settings.CALMA_STAFF_IDLE_MINUTES)


def lifetime_limit() -> timedelta:
    return timedelta(hours=settings.CALMA_STAFF_SESSION_MAX_HOURS)


def session_start(sender, request, user, **kwargs):
    """Stamp a fresh sign-in on its session (a ``user_logged_in`` receiver)."""
    from accounts.policy import is_staff_account

    now = timezone.now().timestamp()
    request.session[SESSION_SIGNED_IN_AT] = now
    request.session[SESSION_SEEN_AT] = now
    if is_staff_account(user):
        request.session.set_expiry(int((idle_limit() + SEEN_RESOLUTION).total_seconds()))


def session_expired(session, *, now: datetime | None = None) -> bool:
    """Return True if a staff session sat idle too long or outlived its longest life."""
    now_ts = (now or timezone.now()).timestamp()
    signed_in = session.get(SESSION_SIGNED_IN_AT)
    seen = session.get(SESSION_SEEN_AT)
    if signed_in is None or seen is None:
        # A session from before these stamps existed: it cannot prove it is recent.
        return True
    return (
        now_ts - seen > idle_limit().total_seconds()
        or now_ts - signed_in > lifetime_limit().total_seconds()
    )


def session_touch(session, *, now: datetime | None = None) -> None:
    """Record a request on a staff session, and let the stored session expire when idle."""
    now_ts = (now or timezone.now()).timestamp()
    if now_ts - session.get(SESSION_SEEN_AT, 0) >= SEEN_RESOLUTION.total_seconds():
        session[SESSION_SEEN_AT] = now_ts
        session.set_expiry(int((idle_limit() + SEEN_RESOLUTION).total_seconds()))
