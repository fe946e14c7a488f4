from django.core.management.base import BaseCommand, CommandError

from quizzes.question_banks import (
    FORMATS,
    QuestionBankError,
    question_bank_export,
    quiz_by_title,
)


class Command(BaseCommand):
    help = (
        "Write a quiz's questions as a Moodle bank (GIFT or Moodle XML). The file holds the answer "
        "key: give it only to L&D authors."
    )

    def add_arguments(self, parser):
        parser.add_argument("--quiz", required=True, help="The quiz's title.")
        parser.add_argument("--format", required=True, choices=sorted(FORMATS))
        parser.add_argument("--output", help="File to write (default: standard output).")

    def handle(self, *args, quiz, format, output, **options):
        try:
            export = question_bank_export(quiz=quiz_by_title(title=quiz), bank_format=format)
        except QuestionBankError as error:
            raise CommandError("; ".join(error.problems)) from error
        for note in export.notes:
            self.stderr.write(note)
        if output:
            with open(output, "wb") as file:
                file.write(export.content)
            self.stderr.write(f"Wrote {export.count} questions to {output}.")
        else:
            self.stdout.write(export.content.decode(), ending="")
