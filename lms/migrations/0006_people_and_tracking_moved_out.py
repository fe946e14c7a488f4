"""People (Team, Person) and tracking (Assignment, Reminder) left lms for their own apps. State
only: their migrations took the models over with the tables as they are."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('certificates', '0004_person_moved_to_people'),
        ('lms', '0005_organisation_given_email_addresses'),
        ('modules', '0003_person_moved_to_people'),
        ('quizzes', '0007_person_moved_to_people'),
        ('people', '0001_moved_from_lms'),
        ('tracking', '0001_moved_from_lms'),
    ]

    operations = [
        # The tables stay where they are (same names): only Django's idea of which app owns
        # the models changes, so no row moves.
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.RemoveField(
                model_name='person',
                name='line_manager',
            ),
            migrations.RemoveField(
                model_name='person',
                name='team',
            ),
            migrations.RemoveField(
                model_name='person',
                name='user',
            ),
            migrations.RemoveField(
                model_name='reminder',
                name='person',
            ),
            migrations.RemoveField(
                model_name='reminder',
                name='module',
            ),
            migrations.RemoveField(
                model_name='team',
                name='parent',
            ),
            migrations.DeleteModel(
                name='Assignment',
            ),
            migrations.DeleteModel(
                name='Person',
            ),
            migrations.DeleteModel(
                name='Reminder',
            ),
            migrations.DeleteModel(
                name='Team',
            ),
            ],
            database_operations=[],
        ),
    ]
