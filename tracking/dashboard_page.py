"""The manager's dashboard drawn as HTML, below the page's header: its headline, filters, table
and pages. The view draws every request's dashboard here, and the default view (no filter, no
sort, the first page) is drawn here alone from the manager's kept headline
(``dashboard_default_html``), so that what ``kept_view`` keeps is what the view would draw."""

from django.conf import settings
from django.http import QueryDict
from django.template.loader import render_to_string

from .dashboard import dashboard_build, dashboard_choices
from .dashboard_rows import reporting_line_rows_html
from .forms import DashboardFilterForm

TEMPLATE = "tracking/team_dashboard_content.html"


def dashboard_asked(*, manager, kept, teams, all_modules, chosen, today):
    """What the request asks of the manager's line, from its checked filters (``chosen``)."""
    return {
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


def dashboard_content_html(*, form, dashboard, query):
    """The dashboard as HTML; ``query``: the request's query string (a ``QueryDict``), which the
    sort and page links keep."""
    return render_to_string(
        TEMPLATE,
        {
            "form": form,
            "dashboard": dashboard,
            "expiring_soon_days": settings.LMS_EXPIRING_SOON_DAYS,
            "page": dashboard.page,
            "rows_html": reporting_line_rows_html(dashboard.page.object_list),
            "columns": _sortable_columns(query, dashboard),
            "query_without_page": query_without(query, drop=("page", "export")),
        },
    )


def dashboard_default_html(*, manager, kept, modules, today):
    """The default view (the whole line by name, its first page, nothing asked) of the
    manager's line from their ``headlines.KeptLine``, as the view draws it."""
    teams, all_modules = dashboard_choices(manager=manager, team_ids=kept.team_ids, modules=modules)
    form = DashboardFilterForm(None, modules=all_modules, teams=teams)
    asked = dashboard_asked(
        manager=manager, kept=kept, teams=teams, all_modules=all_modules, chosen={}, today=today
    )
    dashboard = dashboard_build(page=None, kept=kept, **asked)
    return dashboard_content_html(form=form, dashboard=dashboard, query=QueryDict())


def query_without(query, *, drop=(), **changes):
    params = query.copy()
    for name in drop:
        params.pop(name, None)
    for name, value in changes.items():
        params[name] = value
    return params.urlencode()


def _sortable_columns(query, dashboard):
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
                "url": "?" + query_without(query, drop=("page", "export"), sort=key, order=order),
            }
        )
    return columns
