from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from people.hr_plan import LEAVERS_CONFIRMATION_SHARE
from people.hr_preview_text import hr_plan_lines
from people.services import (
    PeopleImportError,
    PeopleImportLeaversUnconfirmed,
    PeopleImportPlanChanged,
    people_import,
    people_import_preview,
)


class Command(BaseCommand):
    help = (
        "Import people and the reporting line from an HR CSV file (columns: employee_number, first_name, "
        "last_name, email, team, job_title, line_manager_employee_number, start_date). The whole file is "
        "checked first and a preview is printed; any bad row saves nothing. People missing from the file "
        "are marked as left only with --full-extract, and marking more than "
        f"{LEAVERS_CONFIRMATION_SHARE:.0%} of the active people as left also needs --confirm-leavers."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Print the preview and save nothing."
        )
        parser.add_argument(
            "--full-extract",
            action="store_true",
            help="The file lists everyone in the organisation: mark the people missing from it as left.",
        )
        parser.add_argument(
            "--confirm-leavers",
            action="store_true",
            help=f"Confirm marking more than {LEAVERS_CONFIRMATION_SHARE:.0%} of the active people as left.",
        )

    def handle(self, *args, path, dry_run, full_extract, confirm_leavers, **options):
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error}") from error
        try:
            plan = people_import_preview(data=data, full_extract=full_extract)
        except PeopleImportError as error:
            for problem in error.errors:
                self.stderr.write(str(problem))
            raise CommandError(
                f"Nothing was imported: {len(error.errors)} problem(s) in {path}."
            ) from error
        for line in hr_plan_lines(plan=plan):
            self.stdout.write(line)
        if dry_run:
            self.stdout.write("Dry run: nothing was saved.")
            return
        try:
            # The plan is worked out again inside the saving transaction and must match the one
            # printed above, so what is saved is exactly what was shown.
            result = people_import(
                data=data,
                full_extract=full_extract,
                confirm_leavers=confirm_leavers,
                expected_digest=plan.digest,
            )
        except PeopleImportLeaversUnconfirmed as refusal:
            raise CommandError(
                f"Nothing was imported: the file would mark {len(refusal.plan.leavers)} of "
                f"{refusal.plan.active_people} active people as left (more than "
                f"{LEAVERS_CONFIRMATION_SHARE:.0%}). Check the file is complete, then run again "
                "with --confirm-leavers."
            ) from refusal
        except PeopleImportPlanChanged as changed:
            raise CommandError(
                "Nothing was imported: the people on the platform changed while the file was being "
                "imported. Run the command again to see the new preview."
            ) from changed
        self.stdout.write(
            f"Imported {path}: {result.created} new, {result.updated} updated, {result.left} marked as left."
        )
