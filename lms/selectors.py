"""Reads about people: reporting lines and what a manager may see of them."""

from collections import defaultdict

from certificates.models import Certificate
from modules.models import ModulePage, ModuleProgress
from quizzes.models import Attempt

from .models import Person


def reporting_line_ids(*, manager):
    """Ids of everyone below ``manager`` in the reporting line, to any depth.

    One query whatever the depth: the (id, manager) pairs are read once and walked here, which
    also copes safely with a loop in bad data."""
    reports_of = defaultdict(list)
    for person_id, manager_id in Person.objects.filter(left_on__isnull=True).values_list("id", "line_manager_id"):
        reports_of[manager_id].append(person_id)
    found, frontier = set(), [manager.pk]
    while frontier:
        next_frontier = []
        for person_id in frontier:
            for report_id in reports_of.get(person_id, ()):
                if report_id not in found and report_id != manager.pk:
                    found.add(report_id)
                    next_frontier.append(report_id)
        frontier = next_frontier
    return found


def reporting_line(*, manager):
    return Person.objects.filter(pk__in=reporting_line_ids(manager=manager)).select_related(
        "user", "team", "line_manager__user"
    )


def person_in_reporting_line(*, manager, person_id):
    if int(person_id) not in reporting_line_ids(manager=manager):
        return None
    return Person.objects.select_related("user", "team").filter(pk=person_id).first()


def module_status_grid(*, people, modules):
    """Status of each person for each module: what a manager may see (status, dates, best
    score), never answers. A fixed number of queries however many people there are."""
    people = list(people)
    modules = list(modules)
    person_ids = [person.pk for person in people]
    module_ids = [module.pk for module in modules]
    certificates = {}
    for certificate in Certificate.objects.filter(
        person_id__in=person_ids, module_id__in=module_ids, kind=Certificate.Kind.MODULE
    ).order_by("issued_at"):
        certificates[(certificate.person_id, certificate.module_id)] = certificate
    attempts = defaultdict(list)
    for person_id, module_id, passed, percent in Attempt.objects.filter(
        person_id__in=person_ids, quiz__module_id__in=module_ids, submitted_at__isnull=False
    ).values_list("person_id", "quiz__module_id", "passed", "percent"):
        attempts[(person_id, module_id)].append((passed, percent))
    started = set(
        ModuleProgress.objects.filter(person_id__in=person_ids, module_id__in=module_ids).values_list(
            "person_id", "module_id"
        )
    )
    rows = []
    for person in people:
        cells = []
        for module in modules:
            key = (person.pk, module.pk)
            cells.append(
                _status_cell(
                    module=module,
                    certificate=certificates.get(key),
                    attempts=attempts.get(key, []),
                    started=key in started,
                )
            )
        rows.append({"person": person, "cells": cells})
    return rows


def _status_cell(*, module, certificate, attempts, started):
    best = max((percent for _, percent in attempts), default=None)
    cell = {"module": module, "best_score": best, "attempts": len(attempts), "certificate": certificate}
    if certificate and certificate.is_currently_valid:
        return {**cell, "status": "passed", "label": f"Passed, valid until {certificate.expires_on:%-d %B %Y}"}
    if certificate and certificate.is_expired:
        return {**cell, "status": "expired", "label": "Expired"}
    if attempts:
        return {**cell, "status": "failed", "label": "Failed, can retry"}
    if started:
        return {**cell, "status": "in_progress", "label": "In progress"}
    return {**cell, "status": "not_started", "label": "Not started"}


def modules_for_tracking():
    return ModulePage.objects.live().order_by("path")
