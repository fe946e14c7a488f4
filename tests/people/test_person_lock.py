"""The people lock that makes writes about one person take turns (quiz starts, base-competence
issues, the refresh of stored facts): it holds their rows, and only those, until the transaction
ends (PostgreSQL: row locks)."""

import threading

import pytest

from django.db import OperationalError, connection, connections, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from people.services import people_lock

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROW_LOCK_NOWAIT = {
    "lms_person": "SELECT id FROM lms_person WHERE id = %s FOR UPDATE NOWAIT",
    "auth_user": "SELECT id FROM auth_user WHERE id = %s FOR UPDATE NOWAIT",
}


def _locked_elsewhere(table, row_id):
    """Whether another connection finds the row locked: it asks without waiting."""
    found = {}

    def ask():
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(ROW_LOCK_NOWAIT[table], [row_id])
            found["locked"] = False
        except OperationalError:  # psycopg's LockNotAvailable
            found["locked"] = True
        finally:
            connections.close_all()

    thread = threading.Thread(target=ask)
    thread.start()
    thread.join(timeout=30)
    return found["locked"]


def test_the_lock_holds_the_peoples_rows_until_the_transaction_ends(people):
    locked = [people["staff"], people["deep"]]
    with transaction.atomic():
        people_lock(person_ids=[person.pk for person in locked])
        assert all(_locked_elsewhere("lms_person", person.pk) for person in locked)
        assert not _locked_elsewhere("lms_person", people["lead"].pk), "nobody else is locked"
    assert not any(_locked_elsewhere("lms_person", person.pk) for person in locked)


def test_the_lock_leaves_the_persons_account_free_for_a_sign_in(people):
    """Ordered by the person's default ordering, the lock joined the user table and held the
    account's row too: a sign-in recording its time waited for the quiz start to finish."""
    person = people["staff"]
    with transaction.atomic():
        people_lock(person_ids=[person.pk])
        assert not _locked_elsewhere("auth_user", person.user_id)


def test_the_lock_taken_outside_a_transaction_is_refused(people):
    """Outside a transaction each statement commits at once, so the lock would be let go before
    the write it guards: a caller that forgot its transaction is told, not left unguarded."""
    with pytest.raises(TransactionManagementError):
        people_lock(person_ids=[people["staff"].pk])


def test_the_rows_are_locked_in_the_order_of_their_ids_whatever_order_they_are_given_in(people):
    """Two writes locking the same people take them in one order, so neither can hold a row the
    other waits for."""
    ids = sorted(person.pk for person in (people["staff"], people["deep"], people["lead"]))
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        people_lock(person_ids=list(reversed(ids)))
    (statement,) = [query["sql"] for query in queries if "FOR UPDATE" in query["sql"]]
    assert "ORDER BY id FOR UPDATE" in statement
