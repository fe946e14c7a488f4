"""The record of changes that the kept headlines rest on, under concurrent writers (PostgreSQL).

Until tracking migration 0005 it was one row that each changing transaction updated, taking its
lock after the lock of the person row the trigger fired for and holding it to the commit: an HR
import that had changed one person and went on to a second, and an edit of that second person
waiting for the row, deadlocked. Each changing transaction now adds a row of its own, so no
writer waits for another on it; a kept headline's reading finds, through its snapshot, a change
whose transaction had begun before the reading and committed after it.

Every wait here is for an event or for PostgreSQL to show a lock being waited for
(``tests.locks``), never a guessed pause."""

import datetime
import io
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest

from django.core.management import call_command
from django.db import OperationalError, connection, transaction

from people.models import Person
from tests.factories import PersonFactory
from tests.locks import PATIENCE_SECONDS, finished_or_waiting, run_closing
from tracking.facts import module_status_facts_refresh
from tracking.headlines import (
    line_headlines_forget,
    line_inputs_seen,
    line_inputs_unchanged_since,
)
from tracking.models import LineHeadline, LineInputsChange

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

NEW_START = datetime.date(2020, 1, 1)


def _move(person, *, days=0):
    Person.objects.filter(pk=person.pk).update(start_date=NEW_START + datetime.timedelta(days=days))


def test_a_write_changing_several_people_and_one_changing_one_of_them_both_commit():
    """The order that deadlocked: the import changes person 1, an edit of person 2 runs, the
    import goes on to person 2. Now the edit commits at once and the import follows it."""
    first, second = PersonFactory(), PersonFactory()
    several_has_first = threading.Event()
    one_done = threading.Event()
    one_pid = []

    def several():  # as the HR import: the first person, then the second, in one transaction
        with transaction.atomic():
            _move(first)
            several_has_first.set()
            assert one_done.wait(PATIENCE_SECONDS)
            _move(second)

    def one():  # as an administrator's edit of the second person
        assert several_has_first.wait(PATIENCE_SECONDS)
        with transaction.atomic():
            one_pid.append(connection.connection.info.backend_pid)
            _move(second, days=1)

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = [pool.submit(run_closing, several), pool.submit(run_closing, one)]
        assert several_has_first.wait(PATIENCE_SECONDS)
        one_finished = finished_or_waiting(outcomes[1], one_pid)
        one_done.set()
        errors = [outcome.result()[1] for outcome in outcomes]

    assert errors == [None, None]
    assert one_finished, "the edit of the second person waited for the import of the first"
    assert Person.objects.get(pk=first.pk).start_date == NEW_START
    # The import's change to the second person came after the edit, so it is the one that stays.
    assert Person.objects.get(pk=second.pk).start_date == NEW_START


@contextmanager
def _a_change_held_open(person):
    """Another transaction moves ``person`` and stays open until the block ends; it then
    commits."""
    changed = threading.Event()
    released = threading.Event()

    def change_and_wait():
        with transaction.atomic():
            _move(person)
            changed.set()
            assert released.wait(PATIENCE_SECONDS)

    with ThreadPoolExecutor(max_workers=1) as pool:
        outcome = pool.submit(run_closing, change_and_wait)
        assert changed.wait(PATIENCE_SECONDS)
        try:
            yield
        finally:
            released.set()
        assert outcome.result() == (None, None)


def test_a_change_begun_before_a_reading_and_committed_after_it_is_not_taken_as_seen():
    """Rows are numbered when added, not when committed: the first change below has the lower
    number but commits last, after a reading that saw the second. The reading's snapshot knows
    the first was still running."""
    first, second = PersonFactory(), PersonFactory()
    with _a_change_held_open(first):
        _move(second)  # committed at once, with a higher number
        seen = line_inputs_seen()
        assert line_inputs_unchanged_since(seen)

    assert not line_inputs_unchanged_since(seen)
    last_seen = int(seen.split(" ")[0])
    numbers = LineInputsChange.objects.order_by("id").values_list("id", flat=True)
    assert max(numbers) == last_seen, "the late change has a number below the last one seen"


def test_pruning_removes_what_every_transaction_sees_and_keeps_what_one_still_runs():
    finished_long_ago = LineInputsChange.objects.create(transaction_id=1)
    with _a_change_held_open(PersonFactory()):
        seen = line_inputs_seen()
        call_command("line_headlines", "--prune", stdout=io.StringIO())
        assert not LineInputsChange.objects.filter(pk=finished_long_ago.pk).exists()

    # The running transaction's change was kept: the reading taken while it ran still finds it.
    assert not line_inputs_unchanged_since(seen)


def _forget(learner, module):
    line_headlines_forget(person_ids=[learner.pk])


def _refresh(learner, module):
    module_status_facts_refresh(person_ids=[learner.pk], module_ids=[module.pk])


@pytest.mark.parametrize("forget", [_forget, _refresh], ids=["forget alone", "the facts' refresh"])
def test_a_refresh_locks_the_managers_headlines_in_their_order(forget, module):
    """Two refreshes below the same managers (two learners of one team submitting at once) must
    take the managers' kept headlines in one order (their ids'), or each can hold a row the
    other waits for. The row of the manager with the greater id is made first, so that the
    table's own order is the other way round; while that row is held elsewhere, the refresh must
    already hold the other. The facts' refresh forgets them inside its own statement."""
    top = PersonFactory()
    middle = PersonFactory(line_manager=top)
    learner = PersonFactory(line_manager=middle)
    assert top.pk < middle.pk
    LineHeadline.objects.create(manager=middle)
    LineHeadline.objects.create(manager=top)
    holding = threading.Event()
    released = threading.Event()
    refresh_pid = []

    def hold_the_greater_id_s_row():
        with transaction.atomic():
            list(LineHeadline.objects.select_for_update().filter(manager=middle))
            holding.set()
            assert released.wait(PATIENCE_SECONDS)

    def refresh():
        assert holding.wait(PATIENCE_SECONDS)
        with transaction.atomic():
            refresh_pid.append(connection.connection.info.backend_pid)
            forget(learner, module)

    with ThreadPoolExecutor(max_workers=2) as pool:
        holder = pool.submit(run_closing, hold_the_greater_id_s_row)
        outcome = pool.submit(run_closing, refresh)
        assert holding.wait(PATIENCE_SECONDS)
        finished = finished_or_waiting(outcome, refresh_pid)
        lesser_row_taken = False
        if not finished:
            try:
                with transaction.atomic():
                    list(LineHeadline.objects.select_for_update(nowait=True).filter(manager=top))
            except OperationalError:
                lesser_row_taken = True
        released.set()
        assert holder.result() == (None, None)
        assert outcome.result() == (None, None)

    assert not finished, "the refresh did not wait for the row held elsewhere"
    assert lesser_row_taken, (
        "the refresh waited for the greater id's row before taking the lesser's"
    )
    assert set(LineHeadline.objects.values_list("generation", flat=True)) == {1}


def test_the_command_forgets_and_prunes_outside_any_transaction():
    """As cron runs it: each statement on its own, no transaction of the test around it."""
    manager = PersonFactory()
    LineHeadline.objects.create(manager=manager, counted_on=datetime.date.today())
    for action in ("--forget", "--prune"):
        call_command("line_headlines", action, stdout=io.StringIO())
    assert LineHeadline.objects.get(manager=manager).counted_on is None
    assert LineHeadline.objects.get(manager=manager).generation == 2
