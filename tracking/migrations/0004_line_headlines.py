"""Managers' headlines kept ahead (``LineHeadline``), and the epoch of what they rest on besides
the learners' records (``LineInputs``), which triggers on the tables concerned keep: a change to
a person's team, start date, organisation, leaving date or line manager, a person added or
removed, a team moved, added or removed, and any change to an assignment or a reporting link.
An update that leaves those columns as they were adds nothing, so an edit of someone's job title
does not throw every headline away.

And the index that the dashboard's first pages by name are read from (``tracking.status_sql``):
the accounts' names lower-cased and compared by code point, in the order the dashboard sorts by.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

INPUTS = "tracking_lineinputs"
# One row, made by the first change if a flush emptied the table.
BUMP = f"""INSERT INTO {INPUTS} (id, epoch) VALUES (1, 1)
    ON CONFLICT (id) DO UPDATE SET epoch = {INPUTS}.epoch + 1"""
PERSON_COLUMNS = ("team_id", "start_date", "organisation_id", "left_on", "line_manager_id")
# (table, the columns whose change counts on an update, None for any change)
WATCHED = (
    ("lms_person", PERSON_COLUMNS),
    ("lms_team", ("parent_id",)),
    ("lms_assignment", None),
    ("people_reportinglink", None),
)
NAME_INDEX = "tracking_dashboard_name_order"


def _changed(columns):
    return " OR ".join(f"OLD.{column} IS DISTINCT FROM NEW.{column}" for column in columns)


def postgres_forward():
    # Once a transaction: the changes all show at its commit, with that one step of the epoch.
    # A step for each row changed would update the one row again and again, and PostgreSQL
    # follows the chain of that row's versions on each update: a statement changing 40,000
    # people ran for minutes. The mark is a setting local to the transaction, so it goes with
    # a savepoint rolled back, as the step does; reading the epoch clears it
    # (tracking.headlines.STEPPED_MARK), so that a change after the read moves it again.
    statements = [
        f"""CREATE FUNCTION tracking_line_inputs_changed() RETURNS trigger AS $$
BEGIN
    IF current_setting('tracking.line_inputs_stepped', true) IS DISTINCT FROM
            txid_current()::text THEN
        PERFORM set_config('tracking.line_inputs_stepped', txid_current()::text, true);
        {BUMP};
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql"""
    ]
    for table, columns in WATCHED:
        # Added or removed rows: once a statement, so that a bulk import bumps once.
        statements.append(
            f"""CREATE TRIGGER {table}_line_inputs_rows AFTER INSERT OR DELETE OR TRUNCATE
    ON {table} FOR EACH STATEMENT EXECUTE FUNCTION tracking_line_inputs_changed()"""
        )
        if columns is None:
            statements.append(
                f"""CREATE TRIGGER {table}_line_inputs_changed AFTER UPDATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION tracking_line_inputs_changed()"""
            )
        else:
            statements.append(
                f"""CREATE TRIGGER {table}_line_inputs_changed AFTER UPDATE ON {table}
    FOR EACH ROW WHEN ({_changed(columns)})
    EXECUTE FUNCTION tracking_line_inputs_changed()"""
            )
    return statements


def sqlite_forward():
    statements = []
    for table, columns in WATCHED:
        for event in ("INSERT", "DELETE"):
            statements.append(
                f"""CREATE TRIGGER {table}_line_inputs_{event.lower()} AFTER {event} ON {table}
    BEGIN {BUMP}; END"""
            )
        when = f" WHEN {_changed(columns).replace('IS DISTINCT FROM', 'IS NOT')}" if columns else ""
        statements.append(
            f"""CREATE TRIGGER {table}_line_inputs_changed AFTER UPDATE ON {table}{when}
    BEGIN {BUMP}; END"""
        )
    return statements


def _trigger_names(vendor):
    names = []
    for table, _columns in WATCHED:
        events = ("rows", "changed") if vendor == "postgresql" else ("insert", "delete", "changed")
        names += [(table, f"{table}_line_inputs_{event}") for event in events]
    return names


def inputs_kept(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    user_table = schema_editor.quote_name(apps.get_model(settings.AUTH_USER_MODEL)._meta.db_table)
    if vendor == "postgresql":
        statements = postgres_forward()
        order = 'LOWER(last_name) COLLATE "C", LOWER(first_name) COLLATE "C"'
    elif vendor == "sqlite":
        statements = sqlite_forward()
        order = "LOWER(last_name), LOWER(first_name)"
    else:
        return
    schema_editor.execute(f"INSERT INTO {INPUTS} (id, epoch) VALUES (1, 0)")
    for statement in statements:
        schema_editor.execute(statement)
    schema_editor.execute(
        f"CREATE INDEX {NAME_INDEX} ON {user_table} (({order.replace(', ', '), (')}))"
    )


def inputs_unkept(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table, name in _trigger_names(vendor):
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        elif vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS tracking_line_inputs_changed()")
    schema_editor.execute(f"DROP INDEX IF EXISTS {NAME_INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0004_account_name_order_index"),
        ("tracking", "0003_drop_indexes_covered_by_constraints"),
    ]

    operations = [
        migrations.CreateModel(
            name="LineHeadline",
            fields=[
                (
                    "manager",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="people.person",
                    ),
                ),
                ("generation", models.BigIntegerField(default=0)),
                ("counted_on", models.DateField(null=True)),
                ("epoch", models.BigIntegerField(null=True)),
                ("basis", models.CharField(blank=True, max_length=64)),
                ("people", models.PositiveIntegerField(default=0)),
                ("assigned_people", models.PositiveIntegerField(default=0)),
                ("compliant_people", models.PositiveIntegerField(default=0)),
                ("overdue", models.PositiveIntegerField(default=0)),
                ("expiring_soon", models.PositiveIntegerField(default=0)),
                ("team_ids", models.JSONField(default=list)),
            ],
        ),
        migrations.CreateModel(
            name="LineInputs",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("epoch", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(inputs_kept, inputs_unkept),
    ]
