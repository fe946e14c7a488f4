from django.core.management.base import BaseCommand, CommandError

from modules.content_import import CONTENT_DIR, ContentError
from quizzes.content_import import content_load


class Command(BaseCommand):
    help = (
        "Load the shipped policy library, modules and quizzes. Safe to run again: it only adds what is "
        "missing and never overwrites an author's edits; a module whose steps changed in its file gets them as a "
        "draft revision to review and publish. A quiz's settings in a file (questions per attempt, "
        "topic draws, shuffling, taking it without the module) apply only when the quiz is created; on an "
        "existing quiz the author's settings are left alone. A bad file loads nothing and is reported."
    )

    def add_arguments(self, parser):
        parser.add_argument("--directory", default=str(CONTENT_DIR))

    def handle(self, *args, directory, **options):
        try:
            summary = content_load(directory=directory)
        except ContentError as error:
            raise CommandError(f"Content not loaded: {error}") from error
        self.stdout.write(
            f"Content: {summary['documents']} policy documents, {summary['clauses']} clauses, "
            f"{summary['modules']} modules and {summary['questions']} questions added."
        )
        if summary["module_drafts"]:
            self.stdout.write(
                f"{summary['module_drafts']} module(s) whose steps changed in their file got a "
                "draft revision: review and publish it in the admin."
            )
        if summary["clause_versions"] or summary["questions_replaced"]:
            self.stdout.write(
                f"Corrections: {summary['clause_versions']} new clause version(s) (certificates "
                f"resting on the old ones are due recertification), {summary['questions_replaced']} "
                "question(s) replaced by their file's version."
            )
        if summary["clauses_updated"]:
            self.stdout.write(
                f"{summary['clauses_updated']} clause(s) got a new location or reason for not "
                "being assessed."
            )
        for warning in summary["warnings"]:
            self.stderr.write(f"  Warning: {warning}")
        if summary["errors"]:
            for error in summary["errors"]:
                self.stderr.write(f"  Not loaded: {error}")
            raise CommandError(
                f"{len(summary['errors'])} content file(s) not loaded; see the errors above."
            )
