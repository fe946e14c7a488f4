from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from certificates.selectors import certificates_for_person
from modules.selectors import modules_live

from . import roles
from .access import current_person, has_role, require_role
from .selectors import (
    module_status_grid,
    modules_for_tracking,
    person_in_reporting_line,
    reporting_line,
)


@login_required
def home(request):
    """My learning: the modules, where I am with each, and my certificates."""
    person = getattr(request.user, "person", None)
    context = {"person": person, "is_manager": has_role(request.user, roles.LINE_MANAGERS),
               "is_auditor": has_role(request.user, roles.AUDITORS)}
    if person is not None:
        modules = list(modules_live())
        context["grid"] = module_status_grid(people=[person], modules=modules)[0]["cells"]
        context["certificates"] = certificates_for_person(person=person)
    return render(request, "lms/home.html", context)


@login_required
def team_dashboard(request):
    require_role(request.user, roles.LINE_MANAGERS)
    manager = current_person(request)
    modules = list(modules_for_tracking())
    rows = module_status_grid(people=reporting_line(manager=manager), modules=modules)
    return render(request, "lms/team_dashboard.html", {"modules": modules, "rows": rows})


@login_required
def team_member(request, person_id):
    require_role(request.user, roles.LINE_MANAGERS)
    person = person_in_reporting_line(manager=current_person(request), person_id=person_id)
    if person is None:
        raise Http404
    cells = module_status_grid(people=[person], modules=modules_for_tracking())[0]["cells"]
    return render(request, "lms/team_member.html", {"member": person, "cells": cells})
