from django.core.management.base import BaseCommand

from modules.services import roles_sync


class Command(BaseCommand):
    help = "Create the role groups and set their permissions. Safe to run again."

    def handle(self, *args, **options):
        groups = roles_sync()
        self.stdout.write("Roles: " + ", ".join(groups))
