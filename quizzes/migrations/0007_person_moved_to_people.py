"""Person now belongs to the people app: the foreign key points at the same table, so this is
state only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0001_moved_from_lms'),
        ('quizzes', '0006_quiz_shuffle_options_on_for_existing'),
    ]

    operations = [
        # The tables stay where they are (same names): only Django's idea of which app owns
        # the models changes, so no row moves.
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.AlterField(
                model_name='attempt',
                name='person',
                field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='attempts', to='people.person'),
            ),
            migrations.AlterField(
                model_name='retryallowance',
                name='person',
                field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='retry_allowances', to='people.person'),
            ),
            ],
            database_operations=[],
        ),
    ]
