from django.core.management.base import BaseCommand, CommandError

from lms.xapi import (
    xapi_is_enabled,
    xapi_requeue,
    xapi_send_waiting,
    xapi_statements_needing_attention,
)


class Command(BaseCommand):
    help = (
        "Send every xAPI statement still waiting for the learning record store, oldest first "
        "(for cron: catches up after an outage longer than the task retries). --report lists "
        "statements waiting or refused; --requeue ID sends a refused one again once its cause "
        "is fixed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--report", action="store_true")
        parser.add_argument("--requeue", type=int, metavar="ID")

    def handle(self, *args, report=False, requeue=None, **options):
        if requeue is not None:
            if not xapi_requeue(statement_pk=requeue):
                raise CommandError(f"Statement {requeue} was not refused; nothing was queued.")
            self.stdout.write(f"Statement {requeue} queued again.")
            return
        if report:
            rows = xapi_statements_needing_attention()
            for row in rows:
                self.stdout.write(
                    f"{row.pk}\t{row.get_state_display()}\t{row.verb}\t{row.statement_id}\t"
                    f"{row.tries} tries\t{row.last_error}"
                )
            self.stdout.write(f"{len(rows)} statement(s) waiting or refused.")
            return
        if not xapi_is_enabled():
            raise CommandError(
                "xAPI is off: set XAPI_ENDPOINT, XAPI_USERNAME and XAPI_PASSWORD to send statements."
            )
        sent, waiting = xapi_send_waiting()
        self.stdout.write(f"Sent {sent} statement(s); {waiting} still waiting.")
        if waiting:
            raise CommandError(
                f"{waiting} statement(s) could not be sent yet; see `send_xapi --report`."
            )
