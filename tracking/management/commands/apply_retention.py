from django.core.management.base import BaseCommand
from django.utils import timezone

from tracking.retention import people_anonymise


class Command(BaseCommand):
    help = "Remove the personal details of people who left more than RETENTION_DAYS_AFTER_LEAVING days ago."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Only say who would be anonymised."
        )

    def handle(self, *args, dry_run=False, **options):
        handled = people_anonymise(today=timezone.localdate(), dry_run=dry_run)
        verb = "Would anonymise" if dry_run else "Anonymised"
        self.stdout.write(f"{verb} {len(handled)} {'person' if len(handled) == 1 else 'people'}.")
