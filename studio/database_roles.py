"""The runtime database role: the grants web and worker processes connect with.

Migrations run as the owner of the tables. The web and Celery processes connect as a
runtime role that owns nothing and holds only the privileges they use: reading and writing
rows, and on the access log only adding and reading them. Owning no table is what stops
TRUNCATE, ALTER TABLE … DISABLE TRIGGER and DROP TRIGGER, which a trigger alone cannot;
not being a superuser is what stops ``SET session_replication_role = replica``.

``runtime_role_grant`` runs after every ``migrate`` when ``DATABASE_RUNTIME_ROLE`` is set
(studio/apps.py) and from the ``grant_runtime_role`` command, so a table a migration adds
is granted at once. PostgreSQL only.
"""

from django.db import connections, transaction
from psycopg import sql

SCHEMA = "public"
# Tables whose rows the app never changes or removes: INSERT and SELECT only.
APPEND_ONLY_TABLES = ("intake_accesslog",)
ROW_PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE")
APPEND_ONLY_PRIVILEGES = ("SELECT", "INSERT")
# Privileges the runtime never needs: each lets a role empty, lock out or rewrite a table.
NEVER_GRANTED = ("TRUNCATE", "TRIGGER", "REFERENCES")


class RuntimeRoleError(Exception):
    """The runtime role is missing, or could do more (or less) than the runtime needs."""


def runtime_role_grant(*, role: str, using: str = "default") -> str:
    """Give ``role`` exactly the runtime privileges on every table and sequence.

    Idempotent: whatever the role held on the schema's tables and sequences is revoked and
    granted again in one transaction, so a privilege added by hand does not survive the
    next migrate. Run it as the owner of the tables. Raise ``RuntimeRoleError`` when the
    role is missing, is the connecting role itself, or is left able to do more or less than
    the runtime needs; return a line saying what was granted.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        return f"{connection.vendor}: no database roles to grant"
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_database()")
        current_user, database = cursor.fetchone()
        if current_user == role:
            raise RuntimeRoleError(
                f"connected as the runtime role {role!r}: run migrations and this grant as "
                "the owner of the tables"
            )
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None:
            raise RuntimeRoleError(f"the runtime role {role!r} does not exist")
        for statement in _grants(role=role, owner=current_user, database=database):
            cursor.execute(statement.as_string(cursor.connection))
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s AND tablename = ANY(%s)",
            [SCHEMA, list(APPEND_ONLY_TABLES)],
        )
        for (table,) in cursor.fetchall():
            cursor.execute(
                sql.SQL("REVOKE UPDATE, DELETE ON {} FROM {}")
                .format(sql.Identifier(SCHEMA, table), sql.Identifier(role))
                .as_string(cursor.connection)
            )
        problems = runtime_role_problems(role=role, using=using)
        if problems:
            # Raised inside the transaction: a half-right set of grants is not kept.
            raise RuntimeRoleError("; ".join(problems))
    return f"granted the runtime privileges on {database} to {role}"


def _grants(*, role: str, owner: str, database: str) -> list[sql.Composed]:
    grantee = sql.Identifier(role)
    schema = sql.Identifier(SCHEMA)
    rows = sql.SQL(", ").join(sql.SQL(privilege) for privilege in ROW_PRIVILEGES)
    return [
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database), grantee),
        sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema, grantee),
        sql.SQL("REVOKE CREATE ON SCHEMA {} FROM {}").format(schema, grantee),
        # Start from nothing, so TRUNCATE, REFERENCES or TRIGGER granted by hand go too.
        sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA {} FROM {}").format(schema, grantee),
        sql.SQL("REVOKE ALL ON ALL SEQUENCES IN SCHEMA {} FROM {}").format(schema, grantee),
        sql.SQL("GRANT {} ON ALL TABLES IN SCHEMA {} TO {}").format(rows, schema, grantee),
        sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}").format(schema, grantee),
        # A table the owner creates later (a migrate run without this step) is usable at once;
        # the next run of this step narrows it if it is append-only.
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {} GRANT {} ON TABLES TO {}"
        ).format(sql.Identifier(owner), schema, rows, grantee),
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {} GRANT USAGE, SELECT ON SEQUENCES "
            "TO {}"
        ).format(sql.Identifier(owner), schema, grantee),
    ]


# Every (table, privilege) in the schema the role holds but must not, or needs but lacks.
_PRIVILEGE_PROBLEMS = """
WITH tables AS MATERIALIZED (
    SELECT c.oid, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = %(schema)s AND c.relkind IN ('r', 'p')
), held AS (
    SELECT t.relname, p.privilege, has_table_privilege(%(role)s, t.oid, p.privilege) AS held,
           CASE
               WHEN p.privilege = ANY(%(never)s::text[]) THEN false
               WHEN t.relname = ANY(%(append_only)s::text[])
                   THEN p.privilege = ANY(%(append)s::text[])
               ELSE true
           END AS needed
    FROM tables t CROSS JOIN unnest(%(all)s::text[]) AS p(privilege)
)
SELECT relname, privilege, CASE WHEN held THEN 'may' ELSE 'lacks' END
FROM held WHERE held <> needed ORDER BY 1, 2
"""


def runtime_role_problems(*, role: str, using: str = "default") -> list[str]:
    """Return what ``role`` could do beyond the runtime's needs, or what it lacks for them."""
    problems = []
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb FROM pg_roles "
            "WHERE rolname = %s",
            [role],
        )
        row = cursor.fetchone()
        if row is None:
            return [f"the runtime role {role!r} does not exist"]
        attributes = ("SUPERUSER", "BYPASSRLS", "CREATEROLE", "CREATEDB")
        problems += [f"{role} has {name}" for name, on in zip(attributes, row, strict=True) if on]
        # Owning a table, or being able to become a role that does, allows TRUNCATE, DISABLE
        # TRIGGER and DROP TRIGGER whatever was granted.
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND pg_has_role(%s, c.relowner, 'MEMBER') ORDER BY 1",
            [SCHEMA, role],
        )
        owned = [name for (name,) in cursor.fetchall()]
        if owned:
            problems.append(f"{role} owns or may act as the owner of {', '.join(owned[:5])}")
        cursor.execute(
            _PRIVILEGE_PROBLEMS,
            {
                "role": role,
                "schema": SCHEMA,
                "all": list(dict.fromkeys(ROW_PRIVILEGES + NEVER_GRANTED)),
                "never": list(NEVER_GRANTED),
                "append_only": list(APPEND_ONLY_TABLES),
                "append": list(APPEND_ONLY_PRIVILEGES),
            },
        )
        problems += [f"{role} {verb} {privilege} on {table}" for table, privilege, verb in cursor]
        cursor.execute(
            "SELECT sequencename FROM pg_sequences WHERE schemaname = %s "
            "AND NOT has_sequence_privilege(%s, format('%%I.%%I', schemaname, sequencename), "
            "'USAGE') ORDER BY 1",
            [SCHEMA, role],
        )
        problems += [f"{role} lacks USAGE on {name}" for (name,) in cursor.fetchall()]
        cursor.execute("SELECT has_schema_privilege(%s, %s, 'CREATE')", [role, SCHEMA])
        if cursor.fetchone()[0]:
            problems.append(f"{role} may CREATE in schema {SCHEMA}")
        if connections[using].pg_version >= 150000:
            cursor.execute(
                "SELECT has_parameter_privilege(%s, 'session_replication_role', 'SET')", [role]
            )
            if cursor.fetchone()[0]:
                problems.append(f"{role} may SET session_replication_role")
    return problems
