"""Two workers sending the same reminder at once still send one e-mail (PostgreSQL only: SQLite
serialises writers, so there is no race to test)."""

import threading

import pytest

from django.core import mail
from django.db import connections

from tests.factories import days
from tracking.models import Reminder
from tracking.services import reminder_send

pytestmark = [
    pytest.mark.postgres,
]


def test_two_workers_racing_send_one_email(transactional_db, people, module):
    barrier = threading.Barrier(4)
    results = []

    def worker():
        try:
            barrier.wait()
            results.append(
                reminder_send(
                    person_id=people["staff"].pk,
                    module_id=module.pk,
                    reason="overdue",
                    about_date=days(-2),
                )
            )
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, False, False, True]
    assert Reminder.objects.count() == 1
    assert len([m for m in mail.outbox if "sam.staff@example.org" in m.to]) == 1
