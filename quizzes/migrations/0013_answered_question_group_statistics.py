"""PostgreSQL's extended statistics on the columns item analysis groups answered questions by
(``quizzes.selectors._answer_groups_sql``). Without them the planner multiplies each column's
distinct values, expects hundreds of thousands of groups, and sorts every row of the quiz on disk
instead of hashing the few hundred groups there are (4.8 s instead of 0.8 s at two million rows).
Nothing on other databases."""

from django.db import migrations

STATISTICS = "quizzes_answeredquestion_groups"


def statistics_create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE STATISTICS IF NOT EXISTS {STATISTICS} (ndistinct) "
            "ON question_id, version, points, attempt_points, response "
            "FROM quizzes_answeredquestion"
        )


def statistics_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {STATISTICS}")


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0012_attempt_submitted_in_order_index"),
    ]

    operations = [migrations.RunPython(statistics_create, statistics_drop)]
