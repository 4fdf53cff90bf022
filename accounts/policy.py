"""Which accounts are held to the staff rules: a second factor and short sessions."""

from django.contrib.auth.models import AnonymousUser, User

from studio import roles


def is_staff_account(user: User | AnonymousUser) -> bool:
    """Return True for the accounts that can read health data or run the studio.

    The owner, the front desk and every therapist, and anyone Django lets into the admin.
    Clients' accounts are not: they only ever see their own bookings.
    """
    if not user.is_authenticated:
        return False
    # Cached on the user object: every request asks twice (session age, second factor).
    cached = getattr(user, "_calma_staff_account", None)
    if cached is None:
        cached = bool(
            user.is_staff
            or user.is_superuser
            or roles.is_front_desk(user)
            or roles.therapist_of(user) is not None
        )
        user._calma_staff_account = cached
    return cached


# Longer than any username can be (150), shorter than django-axes' column (255).
AXES_USERNAME_MAX = 200


def axes_username(request, credentials: dict | None = None) -> str | None:
    """Return the username django-axes records for an attempt, cut to fit its column.

    Django's login form does not check the username's length before authenticating, so a
    huge one would otherwise reach the database and fail there (a 500, on PostgreSQL).
    """
    source = credentials if credentials else getattr(request, "POST", {})
    username = source.get("username") if source else None
    return username[:AXES_USERNAME_MAX] if isinstance(username, str) else username
