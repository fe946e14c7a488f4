"""Reads for the API, built on the selectors the pages use: the status grid, the auditor's
certificate list and the verify page's lookup. Nothing here decides a status itself."""

from dataclasses import dataclass

from certificates.selectors import certificates_for_auditor
from people.models import Person, Team
from people.selectors import reporting_line, team_and_sub_team_ids
from tracking.selectors import module_status_grid, modules_for_tracking


class FilterNotFound(Exception):
    """A filter names a team or a manager that does not exist (answered 404, with why)."""


@dataclass(frozen=True)
class Page:
    count: int
    page: int
    page_size: int
    items: list


def _team(team_id):
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        raise FilterNotFound(f"There is no team with id {team_id}.")
    return team


def _manager(employee_number):
    manager = Person.objects.filter(employee_number=employee_number).first()
    if manager is None:
        raise FilterNotFound(f"Nobody has the employee number {employee_number}.")
    return manager


def _people_filtered(people, *, person, team, manager):
    if person:
        people = people.filter(employee_number=person)
    if team:
        people = people.filter(team_id__in=team_and_sub_team_ids(team_id=_team(team).pk))
    if manager:
        people = people.filter(pk__in=reporting_line(manager=_manager(manager)).values("pk"))
    return people


def _slice(items, *, page, page_size):
    start = (page - 1) * page_size
    return items[start : start + page_size]


def statuses_page(
    *, person=None, team=None, manager=None, module=None, status=None, page, page_size
):
    """People still working here, by id, each with their status in every live module (or one),
    as the team grid computes it.

    ``status`` narrows the entries: each person keeps only the modules in that status, and
    people with none are left out (so ``count`` and the pages count only people who match). A
    status is computed, not stored, so then the grid is worked out for everyone filtered before
    the page is cut."""
    people = _people_filtered(
        Person.objects.filter(left_on__isnull=True).order_by("pk"),
        person=person,
        team=team,
        manager=manager,
    )
    modules = modules_for_tracking()
    if module:
        modules = modules.filter(pk=module)
    if status:
        rows = [
            {"person": row["person"], "cells": cells}
            for row in module_status_grid(people=people, modules=modules)
            if (cells := [cell for cell in row["cells"] if cell.status == status])
        ]
        return Page(
            count=len(rows),
            page=page,
            page_size=page_size,
            items=_slice(rows, page=page, page_size=page_size),
        )
    count = people.count()
    page_ids = list(_slice(people, page=page, page_size=page_size).values_list("pk", flat=True))
    rows = module_status_grid(
        people=Person.objects.filter(pk__in=page_ids).order_by("pk"), modules=modules
    )
    return Page(count=count, page=page, page_size=page_size, items=rows)


def certificates_page(
    *,
    person=None,
    team=None,
    manager=None,
    issued_from=None,
    issued_to=None,
    status="",
    certifies="",
    page,
    page_size,
):
    """Certificates, newest first, filtered as the auditor's list filters them, and further by
    holder and by reporting line."""
    certificates = certificates_for_auditor(
        issued_from=issued_from,
        issued_to=issued_to,
        certifies=certifies or "",
        team=_team(team) if team else None,
        status=status or "",
    ).select_related("superseded_by")
    if person:
        certificates = certificates.filter(person__employee_number=person)
    if manager:
        certificates = certificates.filter(
            person__in=reporting_line(manager=_manager(manager)).values("pk")
        )
    return Page(
        count=certificates.count(),
        page=page,
        page_size=page_size,
        items=list(_slice(certificates, page=page, page_size=page_size)),
    )
