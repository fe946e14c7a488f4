"""One worker process of ``run_worker``: django-tasks-db's ``db_worker``, with what start-up
loaded frozen out of the garbage collector's way first (as ``lms.wsgi`` does for the app servers).

A certificate render makes enough objects to set off full collections, and each walks everything
the process holds; frozen, the modules, models and settings loaded at start are not walked again."""

import gc

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand


class Command(DbWorkerCommand):
    help = "One background worker process (db_worker), its start-up objects frozen; run_worker runs it."

    def handle(self, *args, **options):
        gc.collect()
        gc.freeze()
        return super().handle(*args, **options)
