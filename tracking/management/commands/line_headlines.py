from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tracking.headlines import (
    line_headlines_differences,
    line_headlines_forget_all,
    line_inputs_changes_prune,
)
from tracking.selectors import modules_for_tracking


class Command(BaseCommand):
    help = (
        "The managers' kept dashboard headlines (tracking.headlines). --check counts again the "
        "line of every manager whose kept headline would be shown today and fails where it is "
        "not what counting gives; --forget has every headline counted again when next shown "
        "(after records were changed outside the services, as a rebuild of the facts does); "
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
            self.stdout.write(
                f"Removed {removed} recorded change(s); every kept headline will be counted "
                "again when next shown."
            )
            return
        if forget:
            line_headlines_forget_all()
            self.stdout.write("Every kept headline will be counted again when next shown.")
            return
        differences = line_headlines_differences(
            modules=list(modules_for_tracking()), today=timezone.localdate()
        )
        for manager_id, (kept, counted) in sorted(differences.items()):
            self.stdout.write(f"manager {manager_id}: kept {kept}, counted {counted}")
        if differences:
            raise CommandError(
                f"{len(differences)} kept headline(s) are not what counting gives; "
                "run manage.py line_headlines --forget"
            )
        self.stdout.write("Every kept headline that would be shown today is what counting gives.")
