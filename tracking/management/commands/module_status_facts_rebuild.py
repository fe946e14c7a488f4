from django.core.management.base import BaseCommand, CommandError

from tracking.facts import module_status_facts_differences, module_status_facts_rebuild


class Command(BaseCommand):
    help = (
        "Work out again, from the records, the per-person, per-module facts that the manager's "
        "dashboard and the organisation-wide reports read (tracking.facts). The services keep "
        "them as they write; run this after records were loaded in bulk outside them or restored "
        "from a backup. --check only reports where they disagree, and fails if they do."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="report the people and modules whose stored facts disagree with the records",
        )

    def handle(self, *args, check=False, **options):
        if check:
            differences = module_status_facts_differences()
            for (person_id, module_id), (stored, worked_out) in sorted(differences.items()):
                self.stdout.write(
                    f"person {person_id}, module {module_id}: stored {stored}, "
                    f"records say {worked_out}"
                )
            if differences:
                raise CommandError(
                    f"{len(differences)} stored fact row(s) disagree with the records; "
                    "run manage.py module_status_facts_rebuild"
                )
            self.stdout.write("The stored facts agree with the records.")
            return
        rows = module_status_facts_rebuild()
        self.stdout.write(f"Rebuilt the module status facts: {rows} row(s).")
