from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tracking.headlines import (
    line_headlines_differences,
    line_headlines_forget_all,
    line_inputs_changes_prune,
)
from tracking.kept_view import line_views_differences, line_views_forget
from tracking.selectors import modules_for_tracking


class Command(BaseCommand):
    help = (
        "The managers' kept dashboard headlines (tracking.headlines). --check counts again the "
        "line of every manager whose kept headline would be shown today and fails where it is "
        "not what counting gives; --forget has every headline counted again when next shown "
        "(after records were changed outside the services, as a rebuild of the facts does); "
        "kept dashboard views are checked with them and dropped by --forget and --prune; "
        "--prune removes the recorded changes to people, teams and assignments that every "
        "transaction already sees, and has every headline counted again (nightly, just after "
        "midnight, when every headline is counted again anyway)."
    )

    def add_arguments(self, parser):
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument("--check", action="store_true")
        action.add_argument("--forget", action="store_true")
        action.add_argument("--prune", action="store_true")

    def handle(self, *args, check=False, forget=False, prune=False, **options):
        if prune:
            removed = line_inputs_changes_prune()
            # Run nightly, every kept view is yesterday's and would not be shown again; and each
            # holds the names of a line.
            line_views_forget()
            self.stdout.write(
                f"Removed {removed} recorded change(s); every kept headline will be counted "
                "again, and every view drawn again, when next shown."
            )
            return
        if forget:
            line_headlines_forget_all()
            line_views_forget()
            self.stdout.write(
                "Every kept headline will be counted again, and every view drawn again, when "
                "next shown."
            )
            return
        modules, today = list(modules_for_tracking()), timezone.localdate()
        differences = line_headlines_differences(modules=modules, today=today)
        for manager_id, (kept, counted) in sorted(differences.items()):
            self.stdout.write(f"manager {manager_id}: kept {kept}, counted {counted}")
        views = line_views_differences(modules=modules, today=today)
        for manager_id in sorted(views):
            self.stdout.write(f"manager {manager_id}: the kept view is not what drawing gives")
        if differences or views:
            raise CommandError(
                f"{len(differences)} kept headline(s) are not what counting gives and "
                f"{len(views)} kept view(s) not what drawing gives; "
                "run manage.py line_headlines --forget"
            )
        self.stdout.write(
            "Every kept headline and view that would be shown today is what counting and "
            "drawing give."
        )
