"""``stored_grid.status_grid_build``: the cells of a page from facts already read, each the one
rule's (``status.status_compute``). Cells with the same facts in the same module are built once
and shared, so these check that sharing never lends one person's cell, or one module's, to
another whose facts differ."""

import datetime
from types import SimpleNamespace

from tracking import status as statuses
from tracking.stored_grid import status_grid_build

TODAY = datetime.date(2026, 12, 6)
PERSONAL_USE = SimpleNamespace(pk=4, title="Personal use")
WHATSAPP = SimpleNamespace(pk=5, title="WhatsApp")


def facts(*, assigned=True, due_on=None, started=False, expires_on=None):
    """The facts of one cell, in ``CELL_FACT_COLUMNS``' order; no attempts, so no cooldown is
    read."""
    return (
        "valid" if expires_on else None,  # certificate status
        expires_on,
        None,  # revoked at
        0,  # attempts
        0,  # passed, certificate being issued
        int(started),
        None,  # recertify by
        int(assigned),
        due_on,
        0,  # quiz refused
    )


def person(pk):
    return SimpleNamespace(pk=pk)


def grid(people, facts_by_cell):
    return status_grid_build(
        people=people, modules=[PERSONAL_USE, WHATSAPP], facts=facts_by_cell, today=TODAY
    )


def test_people_with_the_same_facts_get_the_same_cell_and_each_module_its_own():
    due = datetime.date(2026, 12, 1)
    same = facts(due_on=due)
    rows = grid(
        [person(1), person(2)],
        {(1, 4): same, (1, 5): same, (2, 4): same, (2, 5): same},
    )
    assert [[(c.module.title, c.status, c.label) for c in r["cells"]] for r in rows] == [
        [
            ("Personal use", statuses.OVERDUE, "Overdue, was due 1 December 2026"),
            ("WhatsApp", statuses.OVERDUE, "Overdue, was due 1 December 2026"),
        ]
    ] * 2
    first, second = rows
    assert first["cells"][0] is second["cells"][0]  # built once
    assert first["cells"][0] is not first["cells"][1]  # each module its own


def test_a_person_whose_facts_differ_in_one_fact_gets_their_own_cell():
    due = datetime.date(2026, 12, 20)
    rows = grid(
        [person(1), person(2), person(3), person(4)],
        {
            (1, 4): facts(due_on=due),
            (2, 4): facts(due_on=due, started=True),
            (3, 4): facts(due_on=datetime.date(2026, 12, 21)),
            (4, 4): facts(assigned=False),
            **{(pk, 5): facts(expires_on=datetime.date(2027, 6, 1)) for pk in (1, 2, 3, 4)},
        },
    )
    assert [(r["person"].pk, r["cells"][0].label) for r in rows] == [
        (1, "Not started, due 20 December 2026"),
        (2, "In progress, due 20 December 2026"),
        (3, "Not started, due 21 December 2026"),
        (4, "Not assigned"),
    ]
    assert {r["cells"][1].label for r in rows} == {"Passed, valid until 1 June 2027"}


def test_a_person_with_no_facts_has_no_row():
    rows = grid([person(1), person(9)], {(1, 4): facts(), (1, 5): facts()})
    assert [r["person"].pk for r in rows] == [1]
