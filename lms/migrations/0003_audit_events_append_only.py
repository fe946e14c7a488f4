from django.db import migrations

POSTGRES_FORWARD = """
CREATE FUNCTION lms_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER lms_auditevent_append_only BEFORE UPDATE OR DELETE ON lms_auditevent
    FOR EACH ROW EXECUTE FUNCTION lms_auditevent_append_only();
"""
POSTGRES_REVERSE = """
DROP TRIGGER IF EXISTS lms_auditevent_append_only ON lms_auditevent;
DROP FUNCTION IF EXISTS lms_auditevent_append_only();
"""
# SQLite: updates only. Django's flush (between transactional tests) deletes rows one table at
# a time on SQLite, where PostgreSQL truncates, which row triggers do not see.
SQLITE_FORWARD = """
CREATE TRIGGER lms_auditevent_no_update BEFORE UPDATE ON lms_auditevent
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
"""
SQLITE_REVERSE = "DROP TRIGGER IF EXISTS lms_auditevent_no_update;"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD)
    elif schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_FORWARD)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_REVERSE)
    elif schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_REVERSE)


class Migration(migrations.Migration):
    dependencies = [("lms", "0002_audit_trail_and_anonymisation")]
    operations = [migrations.RunPython(forward, reverse)]
