"""Two transactions changing the reporting line at once, on PostgreSQL: the triggers that keep
the stored links take turns, so neither misses the links the other writes."""

import threading

import pytest

from django.db import connection, connections, transaction

from people.models import Person
from people.selectors import reporting_line_ids, reporting_links_differences
from tests.factories import PersonFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _waiting_for_the_tree(pid):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT wait_event FROM pg_stat_activity WHERE pid = %s AND wait_event_type = 'Lock'",
            [pid],
        )
        return cursor.fetchone() is not None


def test_a_person_and_their_new_manager_moved_at_once_keep_every_link():
    top, manager, person = PersonFactory(), PersonFactory(), PersonFactory()
    report = PersonFactory(line_manager=person)
    first_moved, second_started, second_done = (
        threading.Event(),
        threading.Event(),
        threading.Event(),
    )
    second_pid = []
    failures = []

    def first():  # the person, with their report, goes below the manager; commits last
        try:
            with transaction.atomic():
                Person.objects.filter(pk=person.pk).update(line_manager=manager)
                first_moved.set()
                second_started.wait(timeout=60)
                # Commit once the second is held up by this transaction (or, were nothing to
                # hold it, has finished without it).
                for _ in range(6000):
                    if second_done.is_set() or (
                        second_pid and _waiting_for_the_tree(second_pid[0])
                    ):
                        break
                    second_done.wait(timeout=0.01)
        except Exception as error:  # noqa: BLE001  (reported below)
            failures.append(error)
        finally:
            connections.close_all()

    def second():  # meanwhile the manager goes below the top
        try:
            first_moved.wait(timeout=60)
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_backend_pid()")
                    second_pid.append(cursor.fetchone()[0])
                second_started.set()
                Person.objects.filter(pk=manager.pk).update(line_manager=top)
        except Exception as error:  # noqa: BLE001  (reported below)
            failures.append(error)
        finally:
            second_done.set()
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    assert reporting_line_ids(manager=top) == {manager.pk, person.pk, report.pk}
    assert reporting_links_differences() == {}
