"""Database triggers make the audit table append-only (see annulus/audit/triggers.py)."""

from django.db import migrations

from annulus.audit import triggers


def add_triggers(apps, schema_editor):
    triggers.install(schema_editor.connection)


def drop_triggers(apps, schema_editor):
    triggers.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(add_triggers, drop_triggers)]
