"""Migration operations for constraints that only PostgreSQL can enforce."""

from django.db import migrations


class _OnPostgresOnly:
    """Run the operation on PostgreSQL; elsewhere only record it in the migration state."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class AddConstraintOnPostgres(_OnPostgresOnly, migrations.AddConstraint):
    """Add a constraint on PostgreSQL; elsewhere only record it in the migration state.

    Exclusion constraints need GiST and range types. SQLite has neither, so there the
    booking service's re-check inside an IMMEDIATE transaction is what serialises writers.
    """


class RemoveConstraintOnPostgres(_OnPostgresOnly, migrations.RemoveConstraint):
    """Remove a constraint that ``AddConstraintOnPostgres`` added (only PostgreSQL has it)."""
