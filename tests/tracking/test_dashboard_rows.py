"""The dashboard table's rows as drawn by ``tracking.dashboard_rows``: a link to each person, their
team, a tagged cell per module in order, and every value escaped, since the drawing builds HTML
outside the template language."""

from types import SimpleNamespace

import lxml.html
import pytest

from django.urls import reverse

from tests.factories import certificate_make, days
from tracking.dashboard_rows import reporting_line_rows_html
from tracking.services import assignment_create
from tracking.status import Cell

HOSTILE = '"><script>alert(1)</script><img src=x onerror="alert(2)">&amp;'


def row(*, pk=7, name="Ann Lee", team="Fostering", cells=()):
    return {
        "person": SimpleNamespace(pk=pk, full_name=name),
        "team_name": team,
        "cells": list(cells),
    }


def cell(*, title="Personal use", status="overdue", label="Overdue since 3 March 2026"):
    return Cell(module=SimpleNamespace(title=title), status=status, label=label)


def drawn(*rows):
    html = reporting_line_rows_html(list(rows))
    table = lxml.html.fromstring(f"<table><tbody>{html}</tbody></table>")
    return html, table.findall(".//tr")


@pytest.mark.django_db
def test_each_row_links_to_its_person_and_shows_the_team_then_a_cell_per_module_in_order():
    cells = [
        cell(title="Personal use", status="overdue", label="Overdue since 3 March 2026"),
        cell(title="WhatsApp", status="passed", label="Passed, valid until 1 May 2027"),
    ]
    _html, (first, second) = drawn(
        row(pk=7, cells=cells), row(pk=12, name="Bo Oduya", team="No team")
    )
    header = first.find("th")
    assert header.get("scope") == "row"
    assert header.find("a").get("href") == reverse("team_member", args=[7])
    assert header.text_content() == "Ann Lee"
    team, *module_cells = first.findall("td")
    assert (team.get("data-label"), team.text_content()) == ("Team", "Fostering")
    assert [
        (
            td.get("data-label"),
            td.get("data-status"),
            td.find("strong").get("class"),
            td.text_content(),
        )
        for td in module_cells
    ] == [
        ("Personal use", "overdue", "govuk-tag govuk-tag--red", "Overdue since 3 March 2026"),
        ("WhatsApp", "passed", "govuk-tag govuk-tag--green", "Passed, valid until 1 May 2027"),
    ]
    assert second.find("th/a").get("href") == reverse("team_member", args=[12])
    assert [td.text_content() for td in second.findall("td")] == ["No team"]


@pytest.mark.django_db
def test_every_value_from_a_person_a_team_a_module_and_a_label_is_escaped():
    html, (drawn_row,) = drawn(
        row(name=HOSTILE, team=HOSTILE, cells=[cell(title=HOSTILE, label=HOSTILE)])
    )
    assert "<script>" not in html and "<img" not in html
    assert drawn_row.find("th").text_content() == HOSTILE
    team, module_cell = drawn_row.findall("td")
    assert team.text_content() == HOSTILE
    assert module_cell.get("data-label") == HOSTILE
    assert module_cell.text_content() == HOSTILE


@pytest.mark.django_db
def test_no_rows_draw_nothing():
    assert reporting_line_rows_html([]) == ""


@pytest.mark.django_db
def test_the_dashboard_shows_a_hostile_name_as_text(people, client_for, module):
    people["staff"].user.first_name = HOSTILE
    people["staff"].user.save()
    assignment_create(module=module, due_on=days(-5))
    certificate_make(person=people["deep"], module=module, expires_on=days(20))
    response = client_for(people["manager"]).get(reverse("team_dashboard"))
    page = response.content.decode()
    assert "<script>alert(1)" not in page
    body = lxml.html.fromstring(page).get_element_by_id("reporting-line").find("tbody")
    rows = {tr.find("th").text_content(): tr for tr in body.findall("tr")}
    assert any(name.startswith(HOSTILE) for name in rows)
    statuses = {
        name: [td.get("data-status") for td in tr.findall("td")[1:]] for name, tr in rows.items()
    }
    assert statuses["Rita Report"] == ["expiring_soon"]
    assert statuses["Lee Lead"] == ["overdue"]


@pytest.mark.django_db
def test_a_cell_shared_by_several_rows_is_drawn_in_each_of_them():
    shared = cell(title="WhatsApp", status="passed", label="Passed, valid until 1 May 2027")
    other = cell(title="WhatsApp", status="overdue", label="Overdue since 3 March 2026")
    _html, rows = drawn(
        row(pk=1, cells=[shared]), row(pk=2, cells=[other]), row(pk=3, cells=[shared])
    )
    assert [
        (tr.find("td[2]").get("data-status"), tr.findall("td")[1].text_content()) for tr in rows
    ] == [
        ("passed", "Passed, valid until 1 May 2027"),
        ("overdue", "Overdue since 3 March 2026"),
        ("passed", "Passed, valid until 1 May 2027"),
    ]
