from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from quizzes.question_banks import (
    QuestionBankError,
    policy_clause_for_citation,
    question_bank_import,
    quiz_by_title,
)


class Command(BaseCommand):
    help = (
        "Import a Moodle question bank (GIFT: .gift or .txt; Moodle XML: .xml) into a quiz: "
        "multiple choice, true/false, multiple answers and ordering. All or nothing. Questions "
        "without a clause are not asked until an author cites one."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The bank: .gift or .txt (GIFT), .xml (Moodle XML).")
        parser.add_argument("--quiz", required=True, help="The quiz's title.")
        parser.add_argument(
            "--clause",
            help='The clause every imported answer cites: "<document> <clause reference>".',
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and save nothing."
        )
        parser.add_argument(
            "--skip-unsupported",
            action="store_true",
            help="Leave out question types this platform has not got (essay, numerical, …) "
            "instead of refusing the file.",
        )

    def handle(self, *args, file, quiz, clause, dry_run, skip_unsupported, **options):
        path = Path(file)
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from error
        try:
            quiz_object = quiz_by_title(title=quiz)
            clause_object = policy_clause_for_citation(citation=clause) if clause else None
            result = question_bank_import(
                quiz=quiz_object,
                name=path.name,
                content=content,
                clause=clause_object,
                dry_run=dry_run,
                skip_unsupported=skip_unsupported,
            )
        except QuestionBankError as error:
            raise CommandError(
                f"Nothing was imported from {path.name}:\n"
                + "\n".join(f"  {problem}" for problem in error.problems)
            ) from error
        for entry in result.skipped:
            self.stderr.write(f"Skipped line {entry.line}: {entry.message}.")
        count = len(result.created)
        if dry_run:
            self.stdout.write(f"Dry run: {count} questions would be imported; nothing was saved.")
        else:
            self.stdout.write(f"Imported {count} questions into {quiz_object.title}.")
        if result.uncited:
            self.stdout.write(
                "They cite no clause yet: no attempt asks them until an author cites one for "
                "every answer in the admin."
            )
