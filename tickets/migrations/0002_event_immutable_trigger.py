"""On PostgreSQL the audit trail is append-only in the database itself, not only in the ORM."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION tickets_event_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ticket events are immutable';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER tickets_event_append_only BEFORE UPDATE OR DELETE ON tickets_ticketevent
FOR EACH ROW EXECUTE FUNCTION tickets_event_immutable();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS tickets_event_append_only ON tickets_ticketevent;
DROP FUNCTION IF EXISTS tickets_event_immutable();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
