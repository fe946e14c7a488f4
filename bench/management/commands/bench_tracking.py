import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext

from people.models import Person
from tracking.dashboard import dashboard_build, dashboard_choices
from tracking.reports import completion_by_team_and_module


class Command(BaseCommand):
    help = (
        "Benchmark the manager's dashboard and the organisation-wide report on a generated "
        "organisation (see generate_organisation): best wall time of --repeat runs, and queries."
    )

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=10_000)
        parser.add_argument("--repeat", type=int, default=3)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, people, repeat, seed, **options):
        call_command("generate_organisation", people=people, seed=seed, stdout=self.stdout)
        top = Person.objects.select_related("user").get(employee_number="GEN-000001")

        def dashboard(**filters):
            teams, modules = dashboard_choices(manager=top)
            return dashboard_build(manager=top, teams=teams, all_modules=modules, **filters)

        self._measure("dashboard (whole line, sorted by name)", repeat, dashboard)
        self._measure(
            "dashboard (overdue only, sorted by team)",
            repeat,
            lambda: dashboard(status="overdue", sort="team"),
        )
        self._measure(
            "report: completion by team and module", repeat, completion_by_team_and_module
        )

    def _measure(self, name, repeat, run):
        best, queries = None, 0
        for _ in range(repeat):
            reset_queries()
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                run()
                elapsed = time.perf_counter() - started
            best = elapsed if best is None else min(best, elapsed)
            queries = len(captured)
        self.stdout.write(f"{name:<45} {best * 1000:8.0f} ms  {queries:3d} queries")
