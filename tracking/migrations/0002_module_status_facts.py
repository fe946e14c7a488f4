import django.db.models.deletion
from django.db import migrations, models


def facts_build(apps, schema_editor):
    # Today's code, not the historical models: the facts are worked out by the same SQL the app
    # keeps them with. The dependencies below put every table that SQL reads at the shape it
    # expects.
    from tracking.facts import module_status_facts_rows_rebuild  # noqa: PLC0415

    module_status_facts_rows_rebuild()


class Migration(migrations.Migration):

    dependencies = [
        ('modules', '0010_decision_clause'),
        ('people', '0002_person_organisation'),
        ('tracking', '0001_moved_from_lms'),
        ('certificates', '0006_revocation_reason_category'),
        ('quizzes', '0014_question_withdrawn'),
    ]

    operations = [
        migrations.CreateModel(
            name='ModuleStatusFacts',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('certificate_status', models.CharField(blank=True, max_length=30, null=True)),
                ('expires_on', models.DateField(blank=True, null=True)),
                ('revoked_at', models.DateTimeField(blank=True, null=True)),
                ('attempts', models.PositiveIntegerField(default=0)),
                ('passed_pending', models.PositiveIntegerField(default=0)),
                ('started', models.BooleanField(default=False)),
                ('module', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='status_facts', to='modules.modulepage')),
                ('person', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='module_status_facts', to='people.person')),
            ],
            options={
                'verbose_name_plural': 'module status facts',
                'constraints': [models.UniqueConstraint(fields=('person', 'module'), name='status_facts_once_each')],
            },
        ),
        migrations.RunPython(facts_build, migrations.RunPython.noop, elidable=True),
    ]
