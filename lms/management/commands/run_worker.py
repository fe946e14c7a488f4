import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.crypto import get_random_string

from lms.background import tasks_recover


class Command(BaseCommand):
    help = (
        "Run the background worker (django-tasks-db's db_worker) under a small supervisor: a fresh "
        "worker process after every WORKER_MAX_TASKS tasks (a bound on whatever memory a long-lived "
        "process gathers), and after a crash; what a dead worker left RUNNING is queued again at once, and "
        "every minute stale and failed tasks are recovered as `recover_tasks` does."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--max-tasks",
            type=int,
            default=settings.WORKER_MAX_TASKS,
            help="Tasks per worker process before it is replaced (default: WORKER_MAX_TASKS).",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Seconds the worker waits between looks at an empty queue.",
        )
        parser.add_argument(
            "--recover-every",
            type=float,
            default=60.0,
            metavar="SECONDS",
            help="How often to recover stale and failed tasks while the worker runs.",
        )
        parser.add_argument("--queue-name", default="default")

    def handle(self, *args, max_tasks, interval, recover_every, queue_name, **options):
        self.stopping = False
        self.child = None

        def stop(signum, frame):
            self.stopping = True
            # The worker finishes the task it is running, then exits.
            if self.child is not None and self.child.poll() is None:
                self.child.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        crashes = 0
        while not self.stopping:
            self._recover()
            worker_id = get_random_string(32)
            self.child = subprocess.Popen(  # noqa: S603 - our own manage.py, no user input
                [
                    sys.executable,
                    str(settings.BASE_DIR / "manage.py"),
                    "worker_process",
                    "--no-reload",
                    "--max-tasks",
                    str(max_tasks),
                    "--interval",
                    str(interval),
                    "--worker-id",
                    worker_id,
                    "--queue-name",
                    queue_name,
                ],
                start_new_session=True,
            )  # a terminal's Ctrl+C reaches the supervisor only, which passes on one SIGTERM
            if self.stopping:  # the signal came while the worker was being started
                self.child.send_signal(signal.SIGTERM)
            while True:
                try:
                    returncode = self.child.wait(timeout=recover_every)
                    break
                except subprocess.TimeoutExpired:
                    self._recover()
            # Whatever the worker still had RUNNING died with it.
            self._recover(dead_worker_ids=[worker_id])
            if returncode == 0:
                crashes = 0
                continue
            if self.stopping:
                break
            crashes += 1
            self.stderr.write(f"The worker exited with status {returncode}; starting another.")
            # Do not spin if it cannot start at all (database down, bad settings).
            self._pause(min(2**crashes, 60))

    def _pause(self, seconds):
        deadline = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < deadline:
            time.sleep(min(0.5, deadline - time.monotonic()))

    def _recover(self, dead_worker_ids=()):
        try:
            recovery = tasks_recover(dead_worker_ids=dead_worker_ids)
        except Exception as error:  # noqa: BLE001 - the supervisor outlives a database hiccup
            self.stderr.write(f"Could not recover tasks: {error}")
            return
        for db_result in recovery.requeued + recovery.retried:
            self.stdout.write(f"Queued again: {db_result.task_name} {db_result.pk}")
        for db_result in recovery.failed:
            self.stderr.write(f"Failed for good: {db_result.task_name} {db_result.pk}")
