"""Person now belongs to the people app: the foreign key points at the same table, so this is
state only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('certificates', '0003_lifecycle_base_competence_access_log'),
        ('people', '0001_moved_from_lms'),
    ]

    operations = [
        # The tables stay where they are (same names): only Django's idea of which app owns
        # the models changes, so no row moves.
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.AlterField(
                model_name='certificate',
                name='person',
                field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='certificates', to='people.person'),
            ),
            ],
            database_operations=[],
        ),
    ]
