"""The answered questions' own indexes on the attempt and on the quiz go: the unique constraint
(attempt, position) and the index (quiz, question, version) start with those columns and serve
the same look-ups, and every submission writes a dozen rows into each index there is.

Only the indexes are dropped, by name, on either database. Django's own AlterField would remake
the table on SQLite, and the table's append-only triggers (migration 0011) would go with it."""

import django.db.models.deletion
from django.db import migrations, models

TABLE = "quizzes_answeredquestion"
INDEXES = {
    "quizzes_answeredquestion_attempt_id_5ab9e945": "attempt_id",
    "quizzes_answeredquestion_quiz_id_bbc1d45e": "quiz_id",
}


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0014_question_withdrawn"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="answeredquestion",
                    name="attempt",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="answered",
                        to="quizzes.attempt",
                    ),
                ),
                migrations.AlterField(
                    model_name="answeredquestion",
                    name="quiz",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="quizzes.quiz",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    sql=f"DROP INDEX IF EXISTS {name}",
                    reverse_sql=f"CREATE INDEX IF NOT EXISTS {name} ON {TABLE} ({column})",
                )
                for name, column in INDEXES.items()
            ],
        ),
    ]
