"""Each manager's default dashboard view kept as drawn beside their headline
(``tracking.kept_view``), and what it rests on besides the headline's inputs: the names of the
people and of the teams it shows. A change to an account's first name, last name or username,
or to a team's name, is now recorded as the changes of migration 0004 are (and has every kept
headline counted again, as those do); a login, which writes the account's last login, still
adds nothing."""

from django.conf import settings
from django.db import migrations, models

BUMP = """INSERT INTO tracking_lineinputs (id, epoch) VALUES (1, 1)
    ON CONFLICT (id) DO UPDATE SET epoch = tracking_lineinputs.epoch + 1"""
NAMES = ("first_name", "last_name", "username")
TEAM_BEFORE = ("parent_id",)
TEAM_NOW = ("parent_id", "name")


def _changed(columns, *, vendor):
    differs = "IS DISTINCT FROM" if vendor == "postgresql" else "IS NOT"
    return " OR ".join(f"OLD.{column} {differs} NEW.{column}" for column in columns)


def _update_trigger(table, name, columns, *, vendor):
    if vendor == "postgresql":
        return f"""CREATE TRIGGER {name} AFTER UPDATE ON {table}
    FOR EACH ROW WHEN ({_changed(columns, vendor=vendor)})
    EXECUTE FUNCTION tracking_line_inputs_changed()"""
    return f"""CREATE TRIGGER {name} AFTER UPDATE ON {table}
    WHEN {_changed(columns, vendor=vendor)} BEGIN {BUMP}; END"""


def _drop(table, name, *, vendor):
    if vendor == "postgresql":
        return f"DROP TRIGGER IF EXISTS {name} ON {table}"
    return f"DROP TRIGGER IF EXISTS {name}"


def _triggers(apps, schema_editor, *, team_columns, names):
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        return
    users = apps.get_model(settings.AUTH_USER_MODEL)._meta.db_table
    team_trigger = "lms_team_line_inputs_changed"
    user_trigger = f"{users}_line_inputs_names"
    schema_editor.execute(_drop("lms_team", team_trigger, vendor=vendor))
    schema_editor.execute(_update_trigger("lms_team", team_trigger, team_columns, vendor=vendor))
    schema_editor.execute(_drop(users, user_trigger, vendor=vendor))
    if names:
        schema_editor.execute(_update_trigger(users, user_trigger, NAMES, vendor=vendor))


def names_watched(apps, schema_editor):
    _triggers(apps, schema_editor, team_columns=TEAM_NOW, names=True)


def names_unwatched(apps, schema_editor):
    _triggers(apps, schema_editor, team_columns=TEAM_BEFORE, names=False)


class Migration(migrations.Migration):
    dependencies = [
        ("tracking", "0005_line_inputs_changes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="lineheadline",
            name="view_html",
            field=models.TextField(blank=True, default=""),
        ),
        migrations.AddField(
            model_name="lineheadline",
            name="view_of",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.RunPython(names_watched, names_unwatched),
    ]
