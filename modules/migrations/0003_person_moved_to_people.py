"""Person now belongs to the people app: the foreign key points at the same table, so this is
state only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('modules', '0002_policy_library_drafts_revisions_locking'),
        ('people', '0001_moved_from_lms'),
    ]

    operations = [
        # The tables stay where they are (same names): only Django's idea of which app owns
        # the models changes, so no row moves.
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.AlterField(
                model_name='moduleprogress',
                name='person',
                field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='module_progress', to='people.person'),
            ),
            ],
            database_operations=[],
        ),
    ]
