"""On PostgreSQL, the changes that kept headlines rest on are recorded as rows added, one for each
transaction that made one (``LineInputsChange``), instead of an epoch that each such transaction
updated. The epoch's row was locked after the row the trigger fired for and held to the commit,
so an HR import that had changed one person and went on to a second, and an edit of that second
person waiting for the epoch, deadlocked. Adding rows takes no lock another writer waits for.

The triggers of migration 0004 stay and call the same function, which now adds the row. SQLite
keeps the epoch: it lets one transaction write at a time, so nothing there can deadlock on it.
"""

from django.db import migrations, models

CHANGES = "tracking_lineinputschange"


def _function(body):
    # Once a transaction, marked as before (tracking.headlines.STEPPED_MARK): a statement
    # changing 40,000 people adds one row.
    return f"""CREATE OR REPLACE FUNCTION tracking_line_inputs_changed() RETURNS trigger AS $$
BEGIN
    IF current_setting('tracking.line_inputs_stepped', true) IS DISTINCT FROM
            txid_current()::text THEN
        PERFORM set_config('tracking.line_inputs_stepped', txid_current()::text, true);
        {body};
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql"""


ADD_A_ROW = (
    f"INSERT INTO {CHANGES} (transaction_id) VALUES (pg_current_xact_id()::text::bigint)"
)
MOVE_THE_EPOCH = """INSERT INTO tracking_lineinputs (id, epoch) VALUES (1, 1)
    ON CONFLICT (id) DO UPDATE SET epoch = tracking_lineinputs.epoch + 1"""


def rows_added(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_function(ADD_A_ROW))


def epoch_moved(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_function(MOVE_THE_EPOCH))


class Migration(migrations.Migration):
    dependencies = [
        ("tracking", "0004_line_headlines"),
    ]

    operations = [
        migrations.CreateModel(
            name="LineInputsChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("transaction_id", models.BigIntegerField(db_index=True)),
            ],
        ),
        migrations.RemoveField(model_name="lineheadline", name="epoch"),
        # Every kept headline is counted again once: none has what the new check reads.
        migrations.AddField(
            model_name="lineheadline",
            name="inputs_seen",
            field=models.TextField(blank=True),
        ),
        migrations.RunPython(rows_added, epoch_moved),
    ]
