"""The dashboard works in the database: the status in SQL (tracking.status_sql) must say what
status_compute says for every combination of facts, and the stored grid what the records say.
That a page of the filtered, sorted line is the page the old path gave is
test_dashboard_paging_sql.py."""

import dataclasses

import pytest

from django.utils import timezone

from people.models import Person
from people.selectors import reporting_line
from quizzes.models import Quiz
from tests.factories import attempt_make, facts_refreshed_once
from tracking import status as statuses
from tracking.selectors import module_status_grid, person_rows
from tracking.status_sql import cell_statuses
from tracking.stored_grid import stored_status_grid

from .line_maker import line_make, line_modules

pytestmark = pytest.mark.django_db


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def modules(clause, wagtail_root, today):
    return line_modules(clause=clause, today=today)


@pytest.mark.parametrize("seed", range(4))
def test_the_status_in_sql_is_status_compute_for_every_combination(people, modules, today, seed):
    manager = people["manager"]
    with facts_refreshed_once():
        line_make(manager=manager, modules=modules, seed=seed, size=150, today=today)
    in_sql = cell_statuses(people=reporting_line(manager=manager), modules=modules, today=today)
    in_python = {
        (row["person"].pk, cell.module.pk): (cell.status, cell.due_on)
        for row in module_status_grid(
            people=reporting_line(manager=manager), modules=modules, today=today
        )
        for cell in row["cells"]
    }
    assert len(in_python) == 4 * (150 + 3)
    disagreements = {
        key: (in_sql.get(key), value)
        for key, value in in_python.items()
        if in_sql.get(key) != value
    }
    assert disagreements == {}
    assert in_sql.keys() == in_python.keys()
    # The generated facts reach every status, so the comparison is not of a few easy cases.
    assert {status for status, _due in in_sql.values()} == set(statuses.STATUS_NAMES)


def as_shown(cell):
    """A cell as the dashboard and its exports have it: without the best score and the
    certificate's id, which only a person's own page shows (tracking.stored_grid)."""
    return dataclasses.replace(cell, best_score=None, certificate_id=None)


@pytest.mark.parametrize("seed", range(4))
def test_the_stored_grid_is_the_grid_of_the_records(people, modules, today, seed):
    """The shown rows are built from the stored facts: every cell must be what the records say,
    words and dates included, "can retry on" too (three failures in a row start the wait)."""
    manager = people["manager"]
    with facts_refreshed_once():
        line_make(manager=manager, modules=modules, seed=seed, size=80, today=today)
    # Up to five people who may still take a module's quiz fail it until they must wait.
    line = reporting_line(manager=manager)
    may_take = [
        (row["person"], cell.module)
        for row in module_status_grid(people=line, modules=modules, today=today)
        for cell in row["cells"]
        if cell.status in (statuses.FAILED, statuses.NOT_STARTED, statuses.IN_PROGRESS)
    ][:5]
    with facts_refreshed_once():
        for person, module in may_take:
            quiz = Quiz.objects.get(module=module)
            for _ in range(quiz.attempts_before_cooldown):
                attempt_make(
                    person=Person.objects.get(pk=person.pk), quiz=quiz, passed=False, percent=10
                )
    people_shown = person_rows(people=reporting_line(manager=manager).order_by("pk"))
    old = module_status_grid(people=people_shown, modules=modules, today=today)
    new = stored_status_grid(people=people_shown, modules=modules, today=today)
    assert [row["person"] for row in new] == people_shown
    assert len(new) == 80 + 3
    disagreements = [
        (old_cell, new_cell)
        for old_row, new_row in zip(old, new, strict=True)
        for old_cell, new_cell in zip(old_row["cells"], new_row["cells"], strict=True)
        if as_shown(old_cell) != new_cell
    ]
    assert disagreements == []
    labels = [cell.label for row in new for cell in row["cells"]]
    assert sum("can retry on" in label for label in labels) == len(may_take) == 5
    assert {cell.status for row in new for cell in row["cells"]} == set(statuses.STATUS_NAMES)


def test_a_person_deleted_since_the_page_was_read_has_no_row(people, modules, today):
    shown = person_rows(people=reporting_line(manager=people["manager"]).order_by("pk"))
    assert len(shown) >= 2
    Person.objects.filter(pk=shown[0].pk).delete()
    rows = stored_status_grid(people=shown, modules=modules, today=today)
    assert [row["person"] for row in rows] == shown[1:]
    assert all(len(row["cells"]) == len(modules) for row in rows)


def test_the_stored_grid_of_nobody_and_of_no_module(people, modules, today):
    assert stored_status_grid(people=[], modules=modules, today=today) == []
    shown = person_rows(people=reporting_line(manager=people["manager"]))
    assert [row["cells"] for row in stored_status_grid(people=shown, modules=[], today=today)] == [
        [] for _ in shown
    ]
