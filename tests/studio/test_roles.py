"""The roles a user holds, read once a request: their groups and whether they are a therapist."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group, User

from studio import roles
from tests.factories import TherapistFactory, UserFactory

pytestmark = pytest.mark.django_db


def group(name: str) -> Group:
    return Group.objects.get_or_create(name=name)[0]


def fresh(user: User) -> User:
    """The user as a new request loads it: nothing cached on the object."""
    return User.objects.get(pk=user.pk)


def test_the_groups_and_the_therapist_profile_are_read_in_one_query(
    django_assert_num_queries,
):
    desk = UserFactory(username="desk")
    desk.groups.add(group(roles.Role.STAFF))
    desk = fresh(desk)

    with django_assert_num_queries(1):
        assert roles.is_front_desk(desk)
        assert not roles.is_owner(desk)
        assert roles.therapist_of(desk) is None


def test_a_therapist_is_found_after_their_groups_were_read(django_assert_num_queries):
    therapist = TherapistFactory(user=UserFactory(username="ana"))
    therapist.user.groups.add(group(roles.Role.THERAPIST), group(roles.Role.STAFF))
    user = fresh(therapist.user)

    with django_assert_num_queries(2):  # the groups with the profile's id, then the profile
        assert roles.is_front_desk(user)
        assert roles.therapist_of(user) == therapist
        assert roles.therapist_of(user) == therapist


def test_a_therapist_without_groups_is_still_found(django_assert_num_queries):
    therapist = TherapistFactory(user=UserFactory(username="ben"))
    user = fresh(therapist.user)

    assert not roles.is_front_desk(user)
    assert roles.therapist_of(user) == therapist
    # Asked first, before any group question, the profile is read as ever.
    assert roles.therapist_of(fresh(therapist.user)) == therapist


def test_anonymous_visitors_hold_no_role(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert not roles.is_front_desk(AnonymousUser())
        assert not roles.is_owner(AnonymousUser())
        assert roles.therapist_of(AnonymousUser()) is None
