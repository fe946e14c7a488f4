from django.core.management.base import BaseCommand, CommandError

from people.selectors import reporting_links_differences
from people.services import reporting_links_rebuild


class Command(BaseCommand):
    help = (
        "Work out again, from the line managers, the stored reporting links that managers' lines "
        "are read from (people.models.ReportingLink). Triggers on the person table keep them; run "
        "this after a restore that left them out or a load with the triggers off. --check only "
        "reports where they disagree with the line managers, and fails if they do."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="report the links that disagree with the line managers, and fail if any do",
        )

    def handle(self, *args, check=False, **options):
        if not check:
            links = reporting_links_rebuild()
            self.stdout.write(f"Rebuilt the reporting links: {links} link(s).")
            return
        differences = reporting_links_differences()
        for (manager_id, person_id), (stored, from_tree) in sorted(differences.items())[:100]:
            self.stdout.write(
                f"person {person_id} below manager {manager_id}: stored depth {stored}, "
                f"line managers say {from_tree}"
            )
        if differences:
            raise CommandError(
                f"{len(differences)} reporting link(s) disagree with the line managers; "
                "run manage.py reporting_links"
            )
        self.stdout.write("The reporting links agree with the line managers.")
