from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from certificates.selectors import certificates_for_person
from lms import roles
from lms.access import current_person, has_role, require_role
from lms.audit import audit_export
from lms.exports import table_response
from modules.selectors import modules_live
from people.selectors import person_in_reporting_line, reporting_line_read_once

from .dashboard import (
    dashboard_build,
    dashboard_choices,
    dashboard_export_rows,
    dashboard_headers,
    whole_line_by_name,
)
from .dashboard_rows import reporting_line_rows_html
from .forms import DashboardFilterForm
from .headlines import line_headline_kept
from .insight import SUPPRESSED_WHY, manager_insight
from .selectors import module_status_grid, modules_for_tracking, modules_for_tracking_cached


@login_required
def home(request):
    """My learning: the modules, where I am with each, and my certificates."""
    person = getattr(request.user, "person", None)
    context = {
        "person": person,
        "is_manager": has_role(request.user, roles.LINE_MANAGERS),
        "is_auditor": has_role(request.user, roles.AUDITORS),
    }
    if person is not None:
        modules = list(modules_live())
        context["grid"] = module_status_grid(people=[person], modules=modules)[0]["cells"]
        context["certificates"] = certificates_for_person(person=person)
    return render(request, "tracking/home.html", context)


@login_required
def team_dashboard(request):
    """The manager's whole reporting line, a page at a time: filters, sort and export all come
    from the query string, so the export is exactly the table on the screen (every page of it)."""
    require_role(request.user, roles.LINE_MANAGERS)
    manager = current_person(request)
    today = timezone.localdate()
    modules = modules_for_tracking_cached()
    kept = line_headline_kept(manager=manager, modules=modules, today=today)
    teams, all_modules = dashboard_choices(manager=manager, team_ids=kept.team_ids, modules=modules)
    form = DashboardFilterForm(request.GET or None, modules=all_modules, teams=teams)
    chosen = {}
    if form.is_bound:
        form.is_valid()
        chosen = {
            name: value for name, value in form.cleaned_data.items() if name not in form.errors
        }
    asked = {
        "manager": manager,
        "line": kept.line,
        "teams": teams,
        "all_modules": all_modules,
        "status": chosen.get("status") or "",
        "module_id": chosen.get("module"),
        "team_id": chosen.get("team"),
        "sort": chosen.get("sort") or "name",
        "descending": chosen.get("order") == "desc",
        "today": today,
    }
    export = request.GET.get("export")
    if asked["line"] is None and (export or not whole_line_by_name(**asked)):
        # Walked once for the rest of the request: a filtered or sorted page and its totals, or
        # an export, read the whole line.
        asked["line"] = reporting_line_read_once(manager=manager)
    if export in ("csv", "xlsx"):
        audit_export(request=request, what="the reporting line dashboard", export_format=export)
        # The CSV streams, a chunk of the line at a time in the page's order; the XLSX is one
        # file that needs every row before it can be sent.
        return table_response(
            export_format=export,
            filename="reporting-line",
            headers=dashboard_headers(**asked),
            rows=dashboard_export_rows(**asked),
            stream=True,
        )
    dashboard = dashboard_build(page=request.GET.get("page"), kept=kept, **asked)
    return render(
        request,
        "tracking/team_dashboard.html",
        {
            "form": form,
            "dashboard": dashboard,
            "expiring_soon_days": settings.LMS_EXPIRING_SOON_DAYS,
            "page": dashboard.page,
            "rows_html": reporting_line_rows_html(dashboard.page.object_list),
            "columns": _sortable_columns(request, dashboard),
            "query_without_page": _query(request, drop=("page", "export")),
        },
    )


def _query(request, *, drop=(), **changes):
    params = request.GET.copy()
    for name in drop:
        params.pop(name, None)
    for name, value in changes.items():
        params[name] = value
    return params.urlencode()


def _sortable_columns(request, dashboard):
    """Each column heading with the link that sorts by it and its aria-sort state."""
    keys = ["name", "team", *(f"module-{module.pk}" for module in dashboard.modules)]
    columns = []
    for heading, key in zip(dashboard.headers, keys, strict=True):
        current = key == dashboard.sort
        aria_sort = ("descending" if dashboard.descending else "ascending") if current else "none"
        order = "asc" if current and dashboard.descending else ("desc" if current else "asc")
        columns.append(
            {
                "heading": heading,
                "aria_sort": aria_sort,
                "url": "?" + _query(request, drop=("page", "export"), sort=key, order=order),
            }
        )
    return columns


@login_required
def team_member(request, person_id):
    """One person in the manager's line: statuses, dates, attempts and best scores; never answers."""
    require_role(request.user, roles.LINE_MANAGERS)
    person = person_in_reporting_line(manager=current_person(request), person_id=person_id)
    if person is None:
        raise Http404
    cells = module_status_grid(people=[person], modules=modules_for_tracking())[0]["cells"]
    return render(request, "tracking/team_member.html", {"member": person, "cells": cells})


INSIGHT_TABLES = {"compliance": "compliance over time", "clauses": "most-missed policy clauses"}


@login_required
def team_insight(request):
    """The manager's reporting line as a whole: compliance month by month and the policy clauses
    it gets wrong, as charts and tables; never who answered what, and no figure about fewer than
    five people. ``?export=csv|xlsx&table=compliance|clauses`` downloads a table as shown."""
    require_role(request.user, roles.LINE_MANAGERS)
    insight = manager_insight(manager=current_person(request))
    export = request.GET.get("export")
    if export:
        table = request.GET.get("table")
        if table not in INSIGHT_TABLES or export not in ("csv", "xlsx"):
            raise Http404
        headers, rows = (
            (insight.compliance_headers, insight.compliance_rows)
            if table == "compliance"
            else (insight.clause_headers, insight.clause_rows)
        )
        audit_export(
            request=request,
            what=f"the reporting line's {INSIGHT_TABLES[table]}",
            export_format=export,
        )
        return table_response(
            export_format=export,
            filename=f"reporting-line-{table}",
            headers=headers,
            rows=rows,
            title=INSIGHT_TABLES[table].capitalize(),
        )
    return render(
        request,
        "tracking/team_insight.html",
        {
            "insight": insight,
            "suppressed_why": SUPPRESSED_WHY,
            "compliance_rows": _labelled(insight.compliance_headers, insight.compliance_rows),
            "clause_rows": _labelled(insight.clause_headers, insight.clause_rows),
        },
    )


def _labelled(headers, rows):
    """Each cell with its column's heading, which a stacked table shows beside it."""
    return [list(zip(headers, row, strict=True)) for row in rows]
