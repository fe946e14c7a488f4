"""Team and Person move from lms to people: state only, the tables keep their names."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _content_types_move(apps, *, models, source, target):
    """Permissions (and Wagtail's log entries) hang on the content type, so it is renamed rather
    than left behind and made anew: groups keep their permissions."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    taken = set(ContentType.objects.filter(app_label=target).values_list("model", flat=True))
    ContentType.objects.filter(app_label=source, model__in=set(models) - taken).update(
        app_label=target
    )


def forwards(apps, schema_editor):
    _content_types_move(apps, models=["team", "person"], source="lms", target="people")


def backwards(apps, schema_editor):
    _content_types_move(apps, models=["team", "person"], source="people", target="lms")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('lms', '0005_organisation_given_email_addresses'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The tables stay where they are (same names): only Django's idea of which app owns
        # the models changes, so no row moves.
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.CreateModel(
                name='Team',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('name', models.CharField(max_length=150, unique=True)),
                    ('parent', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='sub_teams', to='people.team')),
                ],
                options={
                    'db_table': 'lms_team',
                    'ordering': ['name'],
                },
            ),
            migrations.CreateModel(
                name='Person',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('employee_number', models.CharField(blank=True, max_length=30, null=True, unique=True)),
                    ('job_title', models.CharField(blank=True, max_length=150)),
                    ('start_date', models.DateField(blank=True, null=True)),
                    ('left_on', models.DateField(blank=True, help_text='Set when the person leaves; records are kept.', null=True)),
                    ('anonymised_on', models.DateField(blank=True, help_text='Set by the retention policy when personal details were removed.', null=True)),
                    ('line_manager', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='direct_reports', to='people.person')),
                    ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='person', to=settings.AUTH_USER_MODEL)),
                    ('team', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='members', to='people.team')),
                ],
                options={
                    'verbose_name_plural': 'people',
                    'db_table': 'lms_person',
                    'ordering': ['user__last_name', 'user__first_name'],
                    'permissions': [('import_people', 'Can import people from an HR file'), ('view_compliance_reports', 'Can view compliance reports')],
                    'constraints': [models.CheckConstraint(condition=models.Q(('line_manager', models.F('id')), _negated=True), name='person_not_own_manager')],
                },
            ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
