"""Indexes for the staff patient list: its sort order, and trigram search on PostgreSQL.

The list filters with ``icontains``, which PostgreSQL runs as ``UPPER(col::text) LIKE
UPPER('%word%')``; a GIN trigram index on that same expression lets it find matches without
reading every row. SQLite has no pg_trgm, so the trigram part runs only on PostgreSQL.
"""

from django.conf import settings
from django.db import migrations, models

SEARCHED = ("first_name", "last_name", "email")


def _trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in SEARCHED:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS patient_{column}_trgm ON patients_patient "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def _drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in SEARCHED:
        schema_editor.execute(f"DROP INDEX IF EXISTS patient_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("patients", "0006_intake_red_flags_v2"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="patient",
            index=models.Index(
                fields=["clinic", "last_name", "first_name", "id"], name="patient_clinic_sort"
            ),
        ),
        migrations.RunPython(_trigram_indexes, _drop_trigram_indexes),
    ]
