"""The runtime database role: it owns nothing, and cannot rewrite or unguard the access log.

The suite itself connects as the owner of the tables (it must empty them between tests).
These tests give a runtime role its grants the way a deploy does (``migrate`` with
DATABASE_RUNTIME_ROLE set) and then connect as that role. CI creates the role beforehand
(.ci/run); elsewhere it is created here when the suite's role may create roles.
"""

import json
import os
import sys
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import override_settings
from psycopg import sql

from bookings.models import Booking, BookingStatus, Client, Notification
from intake.models import AccessLog
from studio.database_roles import RuntimeRoleError, runtime_role_grant, runtime_role_problems
from tests import processes
from tests.bookings.helpers import NOW, madrid
from tests.factories import BookingFactory
from tests.intake.conftest import clear_answers

ROLE = "calma_app_test"
PASSWORD = "calma_app_test"
REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.postgres


def _ensure_role() -> None:
    """Create the runtime role for the tests if it is missing: a login that may do nothing."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [ROLE])
        if cursor.fetchone():
            return
        create = sql.SQL(
            "CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD {}"
        ).format(sql.Identifier(ROLE), sql.Literal(PASSWORD))
        try:
            with transaction.atomic():
                cursor.execute(create.as_string(cursor.connection))
        except DatabaseError as error:
            # Another test run on the same server may have just created it.
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [ROLE])
            if cursor.fetchone() is None:
                pytest.fail(
                    f"cannot create the role {ROLE} ({error}); create it as an administrator: "
                    f"CREATE ROLE {ROLE} LOGIN PASSWORD '{PASSWORD}'",
                    pytrace=False,
                )


def _runtime_settings() -> dict:
    """Return the connection settings of the test database, as the runtime role."""
    own = connection.settings_dict
    return {
        "host": own["HOST"] or "127.0.0.1",
        "port": str(own["PORT"] or 5432),
        "dbname": own["NAME"],
        "user": ROLE,
        "password": PASSWORD,
    }


@pytest.fixture
def runtime(transactional_db):
    """Grant the runtime role as a deploy does, and return a connection made as that role.

    Transactional: the grants and rows must be committed for another connection to see them.
    """
    _ensure_role()
    with override_settings(DATABASE_RUNTIME_ROLE=ROLE):
        call_command("migrate", verbosity=0)
    runtime_connection = psycopg.connect(**_runtime_settings(), autocommit=True)
    try:
        yield runtime_connection
    finally:
        runtime_connection.close()


def _scalar(runtime_connection, query: str, params=()):
    return runtime_connection.execute(query, params).fetchone()[0]


def test_the_runtime_role_adds_and_reads_access_log_rows(runtime):
    """The app's own role may log a read and read the log back."""
    AccessLog.objects.create(actor="ana", action="view_answers")

    runtime.execute(
        "INSERT INTO intake_accesslog (actor, action, at) VALUES ('ben', 'view_answers', now())"
    )

    assert _scalar(runtime, "SELECT count(*) FROM intake_accesslog") == 2
    assert sorted(AccessLog.objects.values_list("actor", flat=True)) == ["ana", "ben"]


def _owner() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        return cursor.fetchone()[0]


def _triggers() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname, tgenabled FROM pg_trigger "
            "WHERE tgrelid = 'intake_accesslog'::regclass AND NOT tgisinternal ORDER BY 1"
        )
        return cursor.fetchall()


def test_the_runtime_role_cannot_change_remove_or_unguard_the_access_log(runtime):
    """Every way around the append-only trigger is refused by the database's privileges.

    Refused for lack of privilege, not by the trigger: the trigger is the second guard, for
    the owner, and none of these statements even reaches it.
    """
    entry = AccessLog.objects.create(actor="ana", action="view_answers")
    triggers = _triggers()
    assert triggers == [("intake_accesslog_append_only", "O")]
    attempts = [
        "UPDATE intake_accesslog SET action = 'edited'",
        "DELETE FROM intake_accesslog",
        "TRUNCATE intake_accesslog",
        "ALTER TABLE intake_accesslog DISABLE TRIGGER intake_accesslog_append_only",
        "ALTER TABLE intake_accesslog DISABLE TRIGGER ALL",
        "DROP TRIGGER intake_accesslog_append_only ON intake_accesslog",
        "SET session_replication_role = replica",
        "DROP TABLE intake_accesslog",
        f"ALTER TABLE intake_accesslog OWNER TO {ROLE}",
        "CREATE OR REPLACE FUNCTION intake_accesslog_append_only() RETURNS trigger "
        "AS $$ BEGIN RETURN NULL; END; $$ LANGUAGE plpgsql",
        "CREATE TABLE intake_accesslog_copy (id integer)",
        f'SET ROLE "{_owner()}"',
    ]
    allowed = []
    for statement in attempts:
        try:
            runtime.execute(statement)
        except psycopg.errors.InsufficientPrivilege as error:
            assert "append-only" not in str(error), statement
        else:
            allowed.append(statement)

    assert allowed == []
    assert _scalar(runtime, "SHOW session_replication_role") == "origin"
    assert _triggers() == triggers
    entry.refresh_from_db()
    assert (entry.action, AccessLog.objects.count()) == ("view_answers", 1)


def test_the_runtime_role_owns_nothing_and_is_no_superuser(runtime):
    """The runtime role is a plain login: no table, sequence or view of the app is its own."""
    assert _scalar(runtime, "SELECT current_user") == ROLE
    assert _scalar(runtime, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user") is False
    owned = _scalar(
        runtime,
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relowner = "
        "(SELECT oid FROM pg_roles WHERE rolname = current_user)",
    )
    assert owned == 0
    assert runtime_role_problems(role=ROLE) == []


def test_the_runtime_role_does_the_apps_writes_on_bookings(runtime):
    """Rows of the calendar are read, locked, added, changed and removed as the runtime role."""
    booking = BookingFactory(status=BookingStatus.CONFIRMED)

    with runtime.transaction():
        locked = runtime.execute(
            "SELECT id FROM bookings_booking WHERE id = %s FOR UPDATE", [booking.pk]
        ).fetchone()
        runtime.execute("SELECT pg_advisory_xact_lock(1, 2)")
        runtime.execute(
            "UPDATE bookings_booking SET status = %s WHERE id = %s",
            [BookingStatus.CANCELLED, booking.pk],
        )
        client_id = runtime.execute(
            "INSERT INTO bookings_client (name, email, phone, created_at) "
            "VALUES ('Joan', 'joan@example.com', '', now()) RETURNING id"
        ).fetchone()[0]
        runtime.execute("UPDATE bookings_client SET phone = '600' WHERE id = %s", [client_id])
    runtime.execute("DELETE FROM bookings_client WHERE id = %s", [client_id])

    assert locked == (booking.pk,)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert not Client.objects.filter(pk=client_id).exists()


# A booking made and an intake read by the app itself, in a process that connects only as
# the runtime role: the services, their notifications and the access log, end to end.
JOURNEY = """
import json, sys
from datetime import datetime

import django

django.setup()
from django.db import DatabaseError, connection, transaction

from bookings import services
from intake import selectors, services as intake_services
from intake.models import AccessLog
from studio.models import Service, ServiceLength, Therapist

given = json.loads(sys.argv[1])
now = datetime.fromisoformat(given["now"])
with connection.cursor() as cursor:
    cursor.execute("SELECT current_user")
    user = cursor.fetchone()[0]
booking = services.hold_create(
    service=Service.objects.get(slug="leg-massage"),
    length=ServiceLength.objects.get(service__slug="leg-massage", minutes=60),
    therapist=Therapist.objects.get(slug="ana"),
    start_at=datetime.fromisoformat(given["start_at"]),
    now=now,
)
services.hold_attach_client(
    booking=booking, name="Marta Soler", email="marta@example.com", phone="600", now=now
)
submission = intake_services.intake_submit(
    booking=booking, answers=given["answers"], consent_given=True, now=now
)
selectors.answers_read(
    submissions=[submission], actor="ana", user=None, ip="127.0.0.1", action="view_answers"
)
try:
    with transaction.atomic():
        AccessLog.objects.filter(submission=submission).update(action="edited")
    refused = ""
except DatabaseError as error:
    refused = str(error)
print(json.dumps({"user": user, "booking": booking.pk, "refused": refused}))
"""


def test_the_app_books_and_logs_a_read_connected_as_the_runtime_role(runtime, demo_studio):
    """A booking, its confirmation and an access log row are written by the runtime role."""
    runtime_url = "postgres://{user}:{password}@{host}:{port}/{dbname}".format(
        **_runtime_settings()
    )
    env = {
        **os.environ,
        "DATABASE_URL": runtime_url,
        "DJANGO_SETTINGS_MODULE": "studio.settings.test",
    }
    env.pop("DATABASE_RUNTIME_ROLE", None)
    given = {
        "now": NOW.isoformat(),
        "start_at": madrid(2026, 11, 24, 10, 0).isoformat(),
        "answers": clear_answers("leg-massage"),
    }

    done = processes.run(
        [sys.executable, "-c", JOURNEY, json.dumps(given)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["user"] == ROLE
    booking = Booking.objects.select_related("client").get(pk=result["booking"])
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.client.email == "marta@example.com"
    assert Notification.objects.filter(booking=booking, event="confirmed").exists()
    entry = AccessLog.objects.get(submission__booking=booking)
    assert (entry.actor, entry.action) == ("ana", "view_answers")
    assert "permission denied" in result["refused"]


def test_granting_again_takes_back_a_privilege_given_by_hand(db):
    """The grant step is idempotent and narrows whatever was granted beyond it."""
    _ensure_role()
    runtime_role_grant(role=ROLE)
    assert runtime_role_problems(role=ROLE) == []
    with connection.cursor() as cursor:
        cursor.execute(f'GRANT TRUNCATE ON bookings_booking TO "{ROLE}"')
        cursor.execute(f'GRANT UPDATE, DELETE ON intake_accesslog TO "{ROLE}"')
    assert runtime_role_problems(role=ROLE) == [
        f"{ROLE} may TRUNCATE on bookings_booking",
        f"{ROLE} may DELETE on intake_accesslog",
        f"{ROLE} may UPDATE on intake_accesslog",
    ]

    call_command("grant_runtime_role", role=ROLE, verbosity=0)

    assert runtime_role_problems(role=ROLE) == []


def test_granting_refuses_the_owner_itself_and_a_missing_role(db):
    """The owner is never made the runtime role, and a misspelt role is not silently skipped."""
    with pytest.raises(RuntimeRoleError, match="connected as the runtime role"):
        runtime_role_grant(role=_owner())
    with pytest.raises(CommandError, match="does not exist"):
        call_command("grant_runtime_role", role="calma_no_such_role")
    with pytest.raises(CommandError, match="does not exist"):
        call_command("grant_runtime_role", role="calma_no_such_role", check=True)


def test_the_grant_command_needs_a_role_name(db):
    """Without --role or DATABASE_RUNTIME_ROLE the command says what it needs."""
    with (
        override_settings(DATABASE_RUNTIME_ROLE=""),
        pytest.raises(CommandError, match="DATABASE_RUNTIME_ROLE"),
    ):
        call_command("grant_runtime_role")
