"""Migration operations for constraints that only PostgreSQL can enforce."""

from django.db import migrations


class AddConstraintOnPostgres(migrations.AddConstraint):
    """Add a constraint on PostgreSQL; elsewhere only record it in the migration state.

    Exclusion constraints need GiST and range types. SQLite has neither, so there the
    booking service's re-check inside an IMMEDIATE transaction is what serialises writers.
    """

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class RemoveConstraintOnPostgres(migrations.RemoveConstraint):
    """Remove a constraint that ``AddConstraintOnPostgres`` added (only PostgreSQL has it)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
