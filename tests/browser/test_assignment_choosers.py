"""An L&D author points an assignment at one person, then at a team, with the admin's choosers
(searched, a page at a time) instead of drop-downs of every person and team: the chooser is
checked by axe open, and what is saved is what was chosen."""

import datetime
import re

from playwright.sync_api import expect

from people.services import team_get_or_create
from tracking.models import Assignment
from tracking.services import assignment_create

from .keyboard import activate, open_modal, tab_to
from .steps import sign_in


def _choose(page, *, field, button, search_for, choice):
    """In the widget of ``field``, open the chooser with ``button``, type ``search_for`` into its
    search box and follow the link named ``choice``, all with the keyboard."""
    widget = page.locator(f"#id_{field}-chooser")
    modal = open_modal(page, widget.get_by_role("button", name=button))
    tab_to(page, modal.get_by_label("Search by name"))
    with page.expect_response(lambda response: "/results/" in response.url):
        page.keyboard.type(search_for)
    link = modal.get_by_role("link", name=choice, exact=True)
    expect(link).to_be_visible()
    page.audit.check_admin(within=".modal-dialog")
    activate(page, link, navigates=False)
    expect(modal).to_be_hidden()
    expect(widget.locator("[data-chooser-title]")).to_have_text(choice)


def _save(page):
    """Save with the editor's own shortcut (Ctrl/Cmd+S, which presses Save). A click can find the
    due date's calendar open over the button: in a fresh-clone run the focus had passed through
    the date field on its way to the choosers, and the calendar took the click."""
    expect(page.get_by_role("button", name="Save")).to_be_enabled()
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("ControlOrMeta+s")
    page.audit.check_admin()


def test_an_assignment_is_pointed_at_a_person_then_a_team_with_the_choosers(page, people, module):
    for number in range(30):
        team_get_or_create(name=f"Bay team {number:02d}")
    assignment = assignment_create(module=module, due_on=datetime.date(2027, 3, 31))

    sign_in(page, "alex.author", start_at=f"/admin/snippets/lms/assignment/edit/{assignment.pk}/")
    page.audit.check_admin()
    page.get_by_role("combobox", name="Audience").select_option("person")
    _choose(
        page, field="person", button="Choose a person", search_for="oscar", choice="Oscar Other"
    )
    _save(page)
    assignment.refresh_from_db()
    assert (assignment.audience, assignment.person, assignment.team) == (
        "person",
        people["other_staff"],
        None,
    )

    page.goto(f"/admin/snippets/lms/assignment/edit/{assignment.pk}/")
    page.audit.check_admin()
    page.get_by_role("combobox", name="Audience").select_option("team")
    # The person is cleared from the widget's own menu, and the team found among thirty others.
    person = page.locator("#id_person-chooser")
    activate(page, person.get_by_role("button", name="Actions"), navigates=False)
    activate(page, person.get_by_role("button", name=re.compile("^Clear")), navigates=False)
    _choose(page, field="team", button="Choose a team", search_for="bay 07", choice="Bay team 07")
    _save(page)
    assignment.refresh_from_db()
    assert (assignment.audience, assignment.person, assignment.team.name) == (
        "team",
        None,
        "Bay team 07",
    )
    assert Assignment.objects.count() == 1
