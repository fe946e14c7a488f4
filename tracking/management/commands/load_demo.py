from django.core.management import call_command
from django.core.management.base import BaseCommand

from tracking.demo import DEMO_LOGINS, DEMO_PASSWORD, demo_load


class Command(BaseCommand):
    help = "Set up the demo: roles, content and one account per role. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--logins-only", action="store_true", help="Only print the demo logins."
        )

    def handle(self, *args, logins_only=False, **options):
        if not logins_only:
            call_command("load_content", stdout=self.stdout, stderr=self.stderr)
            demo_load()
        self.stdout.write(f"\nDemo accounts (password for all: {DEMO_PASSWORD})")
        for role, username in DEMO_LOGINS:
            self.stdout.write(f"  {username:<15} {role}")
