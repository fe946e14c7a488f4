"""Two workers sending the same reminder at once still send one e-mail (PostgreSQL only: SQLite
serialises writers, so there is no race to test)."""

import threading

import pytest

from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import connection, connections

from lms.models import Reminder
from lms.services import reminder_send

from .helpers import days

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL for concurrent writers"),
]


@pytest.fixture
def migration_data_restored(django_db_setup, django_db_blocker):
    """A transactional test ends by emptying every table, including the rows migrations made
    (Wagtail's root page, locale and collection) that later tests rely on. With serialized
    rollback the flush leaves the tables quite empty; set up before ``transactional_db``, this
    tears down after that flush and puts the rows back, as Django's serialized rollback would."""
    with django_db_blocker.unblock():
        saved = connection.creation.serialize_db_to_string()
    yield
    with django_db_blocker.unblock():
        connection.creation.deserialize_db_from_string(saved)
        ContentType.objects.clear_cache()


def test_two_workers_racing_send_one_email(
    migration_data_restored, django_db_serialized_rollback, transactional_db, people, module
):
    barrier = threading.Barrier(4)
    results = []

    def worker():
        try:
            barrier.wait()
            results.append(reminder_send(person_id=people["staff"].pk, module_id=module.pk, reason="overdue",
                                         about_date=days(-2)))
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
