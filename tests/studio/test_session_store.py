"""The session backend: Django's database sessions, one statement per write."""

from unittest import mock

import pytest
from django.contrib.sessions.backends.base import CreateError
from django.contrib.sessions.models import Session
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from studio.session_store import SessionStore

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_new_session_is_written_in_one_insert():
    """Write a visitor's first session with a lone INSERT: no lookup, BEGIN or COMMIT."""
    session = SessionStore()
    session["calma_holds"] = ["a"]
    with CaptureQueriesContext(connection) as queries:
        session.save()
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["INSERT"]
    assert SessionStore(session.session_key).load() == {"calma_holds": ["a"]}


def test_a_changed_session_is_written_in_one_update():
    """Save an existing session with a lone UPDATE."""
    session = SessionStore()
    session["n"] = 1
    session.save()
    session["n"] = 2
    with CaptureQueriesContext(connection) as queries:
        session.save()
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["UPDATE"]
    assert SessionStore(session.session_key).load() == {"n": 2}


def test_a_new_key_that_clashes_is_drawn_again():
    """Refuse a key already in use (the primary key does) and create under another one."""
    taken = SessionStore()
    taken["owner"] = "someone else"
    taken.save()
    fresh = "z" * 32
    with mock.patch(
        "studio.session_store.get_random_string", side_effect=[taken.session_key, fresh]
    ):
        session = SessionStore()
        session["owner"] = "me"
        session.save()
    assert session.session_key == fresh
    assert SessionStore(taken.session_key).load() == {"owner": "someone else"}
    assert SessionStore(fresh).load() == {"owner": "me"}


def test_a_clash_inside_a_transaction_leaves_it_usable():
    """Inside a transaction the savepoint of Django's save keeps it going after a clash."""
    taken = SessionStore()
    taken.save()
    with transaction.atomic():
        session = SessionStore(taken.session_key)
        with pytest.raises(CreateError):
            session.save(must_create=True)
        assert Session.objects.filter(session_key=taken.session_key).exists()


def test_a_session_deleted_meanwhile_is_not_written_back():
    """Answer UpdateError, as Django does, for a session gone since it was loaded."""
    from django.contrib.sessions.backends.base import UpdateError

    session = SessionStore()
    session.save()
    Session.objects.filter(session_key=session.session_key).delete()
    session["late"] = True
    with pytest.raises(UpdateError):
        session.save()
    assert not Session.objects.filter(session_key=session.session_key).exists()


def test_other_integrity_errors_are_not_hidden():
    """Let an IntegrityError of an update through, as Django's backend does."""
    session = SessionStore()
    session.save()
    with (
        mock.patch.object(Session, "save", side_effect=IntegrityError("boom")),
        pytest.raises(IntegrityError),
    ):
        session.save()
