"""Turn option shuffling on for every existing quiz.

Until now ``Quiz.shuffle_options`` defaulted to off, and every quiz was created with that unsafe
default: options appeared in authored order, and authors tend to write the right answer first (in
the shipped content it was the first option of every single-choice question, so always picking the
first option scored 68 %). The keyed option's position must not give it away, so existing quizzes
get the new default too. Question order is left as each author set it: it leaks nothing.

Reversing does nothing: which quizzes had shuffling off before cannot be told apart from those an
author has since switched on, and switching it off again would bring the leak back."""

from django.db import migrations


def shuffle_options_on(apps, schema_editor):
    apps.get_model("quizzes", "Quiz").objects.filter(shuffle_options=False).update(shuffle_options=True)


class Migration(migrations.Migration):
    dependencies = [("quizzes", "0005_quiz_shuffle_by_default_and_test_out")]

    operations = [migrations.RunPython(shuffle_options_on, migrations.RunPython.noop)]
