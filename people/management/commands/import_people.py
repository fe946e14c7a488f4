from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from people.services import PeopleImportError, people_import


class Command(BaseCommand):
    help = (
        "Import people and the reporting line from an HR CSV file (columns: employee_number, first_name, "
        "last_name, email, team, job_title, line_manager_employee_number, start_date). The whole file is "
        "checked first; any bad row saves nothing. People missing from the file are marked as left."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path, **options):
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error}") from error
        try:
            result = people_import(data=data)
        except PeopleImportError as error:
            for problem in error.errors:
                self.stderr.write(str(problem))
            raise CommandError(
                f"Nothing was imported: {len(error.errors)} problem(s) in {path}."
            ) from error
        self.stdout.write(
            f"Imported {path}: {result.created} new, {result.updated} updated, {result.left} marked as left."
        )
