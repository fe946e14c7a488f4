from django.core.management.base import BaseCommand, CommandError

from lms.models import OutboxMessage
from lms.outbox import outbox_requeue, outbox_send_task


class Command(BaseCommand):
    help = (
        "Queue a send for every e-mail still waiting in the outbox (for cron: picks up messages "
        "whose task was lost). --report lists messages whose outcome is unknown; --requeue ID "
        "sends one of those again once you have checked the mail server did not deliver it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--report", action="store_true")
        parser.add_argument("--requeue", type=int, metavar="ID")

    def handle(self, *args, report=False, requeue=None, **options):
        if requeue is not None:
            if not outbox_requeue(message_id=requeue):
                raise CommandError(
                    f"Message {requeue} is not one whose outcome is unknown; nothing was queued."
                )
            self.stdout.write(f"Message {requeue} queued again.")
            return
        if report:
            doubtful = OutboxMessage.objects.filter(
                state__in=[OutboxMessage.State.SENDING, OutboxMessage.State.UNKNOWN]
            )
            for message in doubtful:
                self.stdout.write(
                    f"{message.pk}\t{message.get_state_display()}\t{message.to}\t"
                    f"{message.subject}\t{message.last_error}"
                )
            self.stdout.write(f"{doubtful.count()} message(s) whose outcome is unknown.")
            return
        waiting = list(
            OutboxMessage.objects.filter(state=OutboxMessage.State.QUEUED).values_list(
                "pk", flat=True
            )
        )
        for message_id in waiting:
            outbox_send_task.enqueue(message_id=message_id)
        self.stdout.write(f"Queued {len(waiting)} waiting message(s).")
