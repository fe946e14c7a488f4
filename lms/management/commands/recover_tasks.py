from django.core.management.base import BaseCommand

from lms.background import tasks_failed_for_good, tasks_recover


class Command(BaseCommand):
    help = (
        "Finish background work a dead worker left behind: queue again tasks left RUNNING for longer "
        "than TASK_STALE_AFTER_SECONDS and failed tasks with attempts left, and list the tasks that "
        "failed for good. Meant for cron (every few minutes); safe to run at any time."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--stale-after",
            type=int,
            default=None,
            metavar="SECONDS",
            help="Treat RUNNING tasks started longer ago than this as abandoned (default: TASK_STALE_AFTER_SECONDS). "
            "Only lower it when no worker is running.",
        )

    def handle(self, *args, stale_after=None, **options):
        recovery = tasks_recover(stale_after=stale_after)
        for db_result in recovery.requeued:
            self.stdout.write(
                f"Queued again (its worker stopped): {db_result.task_name} {db_result.pk}"
            )
        for db_result in recovery.retried:
            self.stdout.write(
                f"Queued again (failed; retry from {db_result.run_after:%Y-%m-%d %H:%M:%S}): "
                f"{db_result.task_name} {db_result.pk}"
            )
        for db_result in recovery.failed:
            self.stdout.write(
                f"Gave up (its worker stopped, no attempts left): {db_result.task_name} {db_result.pk}"
            )
        failed_for_good = tasks_failed_for_good()
        if failed_for_good:
            self.stderr.write(
                f"{len(failed_for_good)} background task(s) failed for good and will not run again "
                "(Wagtail admin: Reports > Failed background tasks):"
            )
            for db_result in failed_for_good:
                self.stderr.write(
                    f"  {db_result.finished_at:%Y-%m-%d %H:%M:%S} {db_result.task_name} {db_result.pk} "
                    f"after {len(db_result.worker_ids)} attempt(s): {db_result.exception_class_path}"
                )
