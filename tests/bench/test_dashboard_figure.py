"""Figure 9 measures the dashboard at two line sizes, cutting the line and putting it back."""

from types import SimpleNamespace

import pytest

from bench import dashboard as bench_dashboard
from bench.dashboard import _line_cut, _line_put_back, dashboard_measure
from bench.organisation import organisation_generate
from people.models import Person
from people.selectors import reporting_line

pytestmark = pytest.mark.django_db


def test_the_dashboard_figure_measures_both_sizes_and_leaves_the_line_as_it_was(
    role_groups, module, quiz, monkeypatch
):
    top = organisation_generate(people=30, seed=5).top_manager
    managers_before = dict(Person.objects.values_list("pk", "line_manager_id"))
    logged = []
    forgotten = []
    forget = bench_dashboard.line_views_forget
    monkeypatch.setattr(
        bench_dashboard, "line_views_forget", lambda: forgotten.append(1) or forget()
    )
    figures = dashboard_measure(
        data=SimpleNamespace(module=module), line_sizes=[3, 20], requests=2, log=logged.append
    )
    assert [figure.name for figure in figures] == [
        "manager dashboard: p50 at line of 20",
        "manager dashboard: p50 at line of 20 (page 1 by name, kept as drawn)",
        "manager dashboard: p50 at line of 20 (overdue, by the first module, page 2)",
    ]
    # Before each timed request of the views that are not the kept one: two views, two sizes,
    # two requests each. The kept view's requests keep their view.
    assert len(forgotten) == 8
    main = figures[0]
    assert (len(main.rounds), len(main.yardstick_rounds)) == (2, 2)
    assert main.extra["people"] == {"3": 3, "20": 20}
    assert isinstance(main.passed, bool) and figures[1].passed is figures[2].passed is None
    assert figures[2].extra["params"]["sort"] == f"module-{module.pk}"
    assert dict(Person.objects.values_list("pk", "line_manager_id")) == managers_before
    assert reporting_line(manager=top).count() == 29
    assert len(logged) == 3


def test_a_cut_left_by_a_stopped_run_is_put_back_by_the_next(role_groups, settings, tmp_path):
    settings.BENCH_VAR = tmp_path
    top = organisation_generate(people=30, seed=5).top_manager
    managers_before = dict(Person.objects.values_list("pk", "line_manager_id"))
    _line_cut(size=3)  # and the run stops here
    assert reporting_line(manager=top).count() == 3
    assert (tmp_path / "dashboard-line-cut.json").exists()
    _line_put_back()
    assert dict(Person.objects.values_list("pk", "line_manager_id")) == managers_before
    assert reporting_line(manager=top).count() == 29
    assert not (tmp_path / "dashboard-line-cut.json").exists()
    _line_put_back()  # nothing left to do
    assert dict(Person.objects.values_list("pk", "line_manager_id")) == managers_before
