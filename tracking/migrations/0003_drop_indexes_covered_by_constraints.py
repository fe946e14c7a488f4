"""The stored facts' own index on the person goes: the unique constraint (person, module) starts
with it and serves the same look-ups, and every submission deletes and writes the person's rows.
Dropped by name on either database, as quizzes migration 0015 does, rather than by Django's
AlterField, which would remake the table on SQLite."""

import django.db.models.deletion
from django.db import migrations, models

TABLE = "tracking_modulestatusfacts"
INDEX = "tracking_modulestatusfacts_person_id_1f7e8d0f"


class Migration(migrations.Migration):
    dependencies = [
        ("tracking", "0002_module_status_facts"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="modulestatusfacts",
                    name="person",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="module_status_facts",
                        to="people.person",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    sql=f"DROP INDEX IF EXISTS {INDEX}",
                    reverse_sql=f"CREATE INDEX IF NOT EXISTS {INDEX} ON {TABLE} (person_id)",
                ),
            ],
        ),
    ]
