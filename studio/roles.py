"""The four roles, kept as Django groups. What each role may see is in studio.permissions."""

from django.contrib.auth.models import AnonymousUser, User


class Role:
    CLIENT = "client"
    THERAPIST = "therapist"
    STAFF = "staff"
    OWNER = "owner"
    ALL = (CLIENT, THERAPIST, STAFF, OWNER)


def _group_names(user) -> set[str]:
    """Return the names of the user's groups (read with whether they are a therapist).

    Cached on the user object: a request asks several of these questions, and every staff
    page asks both (its menu), so one query answers both.
    """
    cached = getattr(user, "_calma_groups", None)
    if cached is None:
        cached = set()
        user._calma_is_therapist = False
        if user.is_authenticated:
            for name, therapist_id in User.objects.filter(pk=user.pk).values_list(
                "groups__name", "therapist__id"
            ):
                if name is not None:
                    cached.add(name)
                user._calma_is_therapist = therapist_id is not None
        user._calma_groups = cached
    return cached


def is_owner(user: User | AnonymousUser) -> bool:
    return user.is_authenticated and (user.is_superuser or Role.OWNER in _group_names(user))


def is_front_desk(user: User | AnonymousUser) -> bool:
    """Return True for staff and owners: the people who run the whole calendar."""
    return is_owner(user) or (user.is_authenticated and Role.STAFF in _group_names(user))


def therapist_of(user: User | AnonymousUser):
    """Return the user's therapist profile, or None."""
    if not user.is_authenticated:
        return None
    if getattr(user, "_calma_is_therapist", True) is False:
        return None  # read with their groups: no profile (``_group_names``)
    try:
        return user.therapist
    except User.therapist.RelatedObjectDoesNotExist:
        return None
