from django.core.management.base import BaseCommand, CommandError

from bench.organisation import organisation_generate
from modules.services import roles_sync


class Command(BaseCommand):
    help = (
        "Generate a made-up organisation for benchmarks: GEN-000001 at the top, each person managing up "
        "to --fanout others (so 50,000 people are about seven levels deep), 111 nested teams, a team "
        "assignment per live module, and certificates (some expired or expiring) and failed attempts. "
        "Safe to run again: it only adds the people that are missing (GEN-<n> up to --people) and never "
        "deletes. Log in as the top manager with `manage.py changepassword gen-000001`."
    )

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, required=True)
        parser.add_argument(
            "--seed", type=int, default=1, help="Random seed, for a repeatable organisation."
        )
        parser.add_argument("--fanout", type=int, default=5, help="Direct reports per manager.")

    def handle(self, *args, people, seed, fanout, **options):
        if people < 1 or fanout < 1:
            raise CommandError("--people and --fanout must be at least 1.")
        roles_sync()
        result = organisation_generate(people=people, seed=seed, fanout=fanout)
        self.stdout.write(
            f"Generated organisation: {result.created} new people ({result.total} in all), "
            f"{result.certificates} certificates, {result.attempts} attempts. Top manager: "
            f"{result.top_manager.user.username}."
        )
