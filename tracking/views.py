from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe

from certificates.selectors import certificates_for_person
from lms import roles
from lms.access import current_person, has_role, require_role
from lms.audit import audit_export
from lms.exports import table_response
from modules.selectors import content_generation, modules_live
from people.selectors import person_in_reporting_line, reporting_line_read_once

from .dashboard import (
    dashboard_build,
    dashboard_choices,
    dashboard_export_rows,
    dashboard_headers,
    whole_line_by_name,
)
from .dashboard_page import dashboard_asked, dashboard_content_html
from .forms import DashboardFilterForm
from .headlines import line_headline_kept
from .insight import SUPPRESSED_WHY, manager_insight
from .kept_view import line_view_shown
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
    from the query string, so the export is exactly the table on the screen (every page of it).
    The default view (nothing asked) is kept as drawn while nothing it shows has changed
    (``kept_view``)."""
    require_role(request.user, roles.LINE_MANAGERS)
    manager = current_person(request)
    today = timezone.localdate()
    default = not request.GET
    # Read before the modules: a view is never kept under a content generation newer than the
    # modules it was drawn from (a publish between the two reads would keep old titles).
    content = content_generation() if default else None
    modules = modules_for_tracking_cached()
    kept = line_headline_kept(manager=manager, modules=modules, today=today, with_view=default)
    if default:
        html = line_view_shown(
            manager=manager, kept=kept, modules=modules, today=today, content=content
        )
        return _dashboard_page(request, content_html=mark_safe(html))  # noqa: S308  (drawn by us)
    teams, all_modules = dashboard_choices(manager=manager, team_ids=kept.team_ids, modules=modules)
    form = DashboardFilterForm(request.GET, modules=all_modules, teams=teams)
    form.is_valid()
    chosen = {name: value for name, value in form.cleaned_data.items() if name not in form.errors}
    asked = dashboard_asked(
        manager=manager,
        kept=kept,
        teams=teams,
        all_modules=all_modules,
        chosen=chosen,
        today=today,
    )
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
    return _dashboard_page(
        request,
        content_html=dashboard_content_html(form=form, dashboard=dashboard, query=request.GET),
        has_errors=bool(form.errors),
    )


def _dashboard_page(request, *, content_html, has_errors=False):
    return render(
        request,
        "tracking/team_dashboard.html",
        {"content_html": content_html, "has_errors": has_errors},
    )


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
