"""Make the access log append-only on PostgreSQL: a trigger refuses UPDATE and DELETE."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION intake_accesslog_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the access log is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER intake_accesslog_append_only
    BEFORE UPDATE OR DELETE ON intake_accesslog
    FOR EACH ROW EXECUTE FUNCTION intake_accesslog_append_only();
CREATE TRIGGER intake_accesslog_no_truncate
    BEFORE TRUNCATE ON intake_accesslog
    FOR EACH STATEMENT EXECUTE FUNCTION intake_accesslog_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS intake_accesslog_no_truncate ON intake_accesslog;
DROP TRIGGER IF EXISTS intake_accesslog_append_only ON intake_accesslog;
DROP FUNCTION IF EXISTS intake_accesslog_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0002_questionnaire_v1"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
