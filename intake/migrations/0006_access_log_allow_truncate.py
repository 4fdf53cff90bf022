"""Let TRUNCATE through the access log's trigger.

UPDATE and DELETE stay refused row by row. TRUNCATE is a table owner's maintenance
statement (it is also how test runs empty tables between tests); refusing it protected
nothing that the owner could not switch off anyway.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "DROP TRIGGER IF EXISTS intake_accesslog_no_truncate ON intake_accesslog", params=None
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE TRIGGER intake_accesslog_no_truncate BEFORE TRUNCATE ON intake_accesslog "
            "FOR EACH STATEMENT EXECUTE FUNCTION intake_accesslog_append_only()",
            params=None,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0005_rescreen_v1"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
