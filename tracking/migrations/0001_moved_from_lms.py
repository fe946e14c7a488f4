"""Assignment and Reminder move from lms to tracking: state only, the tables keep their names.
Reminder tasks already queued under their old path are pointed at the new one."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def _content_types_move(apps, *, models, source, target):
    """Permissions (and Wagtail's log entries) hang on the content type, so it is renamed rather
    than left behind and made anew: groups keep their permissions."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    taken = set(ContentType.objects.filter(app_label=target).values_list("model", flat=True))
    ContentType.objects.filter(app_label=source, model__in=set(models) - taken).update(
        app_label=target
    )


OLD_TASK = "lms.tasks.reminder_send_task"
NEW_TASK = "tracking.tasks.reminder_send_task"


def _task_path_move(apps, *, source, target):
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    DBTaskResult.objects.filter(task_path=source).update(task_path=target)


def forwards(apps, schema_editor):
    _content_types_move(apps, models=["assignment", "reminder"], source="lms", target="tracking")
    _task_path_move(apps, source=OLD_TASK, target=NEW_TASK)


def backwards(apps, schema_editor):
    _content_types_move(apps, models=["assignment", "reminder"], source="tracking", target="lms")
    _task_path_move(apps, source=NEW_TASK, target=OLD_TASK)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('django_tasks_database', '0021_conditional_partial_index_ordering'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('lms', '0005_organisation_given_email_addresses'),
        ('modules', '0003_person_moved_to_people'),
        ('people', '0001_moved_from_lms'),
    ]

    operations = [
        # The tables stay where they are (same names): only Django's idea of which app owns
        # the models changes, so no row moves.
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.CreateModel(
                name='Assignment',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('audience', models.CharField(choices=[('everyone', 'Everyone'), ('team', 'A team and its sub-teams'), ('person', 'One person')], default='everyone', max_length=20)),
                    ('due_on', models.DateField(blank=True, help_text='A fixed due date.', null=True)),
                    ('due_within_days', models.PositiveIntegerField(blank=True, help_text='Or: due within this many days of starting.', null=True)),
                    ('assigned_on', models.DateField(default=django.utils.timezone.localdate)),
                    ('reason', models.CharField(choices=[('assigned', 'Assigned'), ('recertification', 'Recertification')], default='assigned', max_length=20)),
                    ('module', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='assignments', to='modules.modulepage')),
                    ('person', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='assignments', to='people.person')),
                    ('team', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='assignments', to='people.team')),
                ],
                options={
                    'db_table': 'lms_assignment',
                    'ordering': ['module__title', 'audience'],
                    'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('due_on__isnull', False), ('due_within_days__isnull', True)), models.Q(('due_on__isnull', True), ('due_within_days__isnull', False)), _connector='OR'), name='assignment_has_one_kind_of_due_date', violation_error_message='Give either a fixed due date or a number of days after starting, not both.'), models.CheckConstraint(condition=models.Q(models.Q(('audience', 'everyone'), ('person__isnull', True), ('team__isnull', True)), models.Q(('audience', 'team'), ('person__isnull', True), ('team__isnull', False)), models.Q(('audience', 'person'), ('person__isnull', False), ('team__isnull', True)), _connector='OR'), name='assignment_audience_matches_target', violation_error_message='Choose a team only for a team assignment and a person only for a personal one.')],
                },
            ),
            migrations.CreateModel(
                name='Reminder',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('reason', models.CharField(choices=[('due_soon', 'Due soon'), ('overdue', 'Overdue'), ('expiring', 'Certificate expiring'), ('escalation', 'Overdue, escalated to line manager')], max_length=20)),
                    ('about_date', models.DateField(help_text='The due date or expiry date the reminder is about.')),
                    ('recipient', models.EmailField(max_length=254)),
                    ('sent_at', models.DateTimeField(default=django.utils.timezone.now)),
                    ('module', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reminders', to='modules.modulepage')),
                    ('person', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reminders', to='people.person')),
                ],
                options={
                    'db_table': 'lms_reminder',
                    'ordering': ['-sent_at'],
                    'constraints': [models.UniqueConstraint(fields=('person', 'module', 'reason', 'about_date'), name='reminder_sent_once')],
                },
            ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
