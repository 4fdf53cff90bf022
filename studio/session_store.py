"""Django's database sessions, written in one statement when no transaction is open.

Every visitor's first write (a hold remembered in ``bookings.sessions``, a staff sign-in)
creates a session. Django's database backend spends four round trips on it: a lookup that
the new key is unused, then BEGIN, INSERT and COMMIT. Outside a transaction the INSERT alone
is atomic, and the table's primary key already refuses a key in use (``CreateError``, on
which ``create`` draws another), so this backend sends the INSERT alone; an existing
session's save is likewise a lone UPDATE. Inside an open transaction (``ATOMIC_REQUESTS``, a
test) Django's own save runs, whose savepoint keeps the transaction usable after a clash.
"""

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError, UpdateError
from django.db import DatabaseError, IntegrityError, connections, router
from django.utils.crypto import get_random_string


class SessionStore(db.SessionStore):
    def _get_new_session_key(self) -> str:
        # 32 characters of 36: a clash is as likely as guessing someone's key. The INSERT
        # refuses one all the same, and ``create`` tries a new key (see ``save``).
        return get_random_string(32, VALID_KEY_CHARS)

    def save(self, must_create: bool = False) -> None:
        if self.session_key is None:
            return self.create()
        alias = router.db_for_write(self.model)
        if connections[alias].in_atomic_block:
            return super().save(must_create=must_create)
        data = self._get_session(no_load=must_create)
        obj = self.create_model_instance(data)
        try:
            obj.save(force_insert=must_create, force_update=not must_create, using=alias)
        except IntegrityError:
            if must_create:
                raise CreateError from None
            raise
        except DatabaseError:
            if not must_create:
                raise UpdateError from None
            raise
