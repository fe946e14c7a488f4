from django.conf import settings
from django.core.management.base import BaseCommand

from tracking.reports import reminders_already_sent, reminders_due
from tracking.tasks import reminder_send_task


class Command(BaseCommand):
    help = (
        "Queue today's reminder e-mails (due soon, overdue, certificate expiring, escalation to the "
        "line manager). Meant for cron, e.g. daily at 07:00; safe to run as often as you like, as "
        "each reminder is sent at most once."
    )

    def handle(self, *args, **options):
        due = reminders_due(
            due_soon_days=settings.LMS_REMINDER_DUE_SOON_DAYS,
            escalate_after_days=settings.LMS_ESCALATE_OVERDUE_AFTER_DAYS,
            already_sent=reminders_already_sent(),
        )
        for reminder in due:
            reminder_send_task.enqueue(
                person_id=reminder.person_id,
                module_id=reminder.module_id,
                reason=reminder.reason,
                about_date=reminder.about_date.isoformat(),
            )
        self.stdout.write(f"Queued {len(due)} reminder(s).")
