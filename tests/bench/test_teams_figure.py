"""Figure 9's organisation-size check measures the dashboard and My learning with and without
many more teams, and leaves the organisation's teams as they were."""

from types import SimpleNamespace

import pytest

from bench.organisation import organisation_generate
from bench.teams import SCRATCH_PREFIX, _teams_add, scratch_teams_remove, teams_measure
from people.models import Person, Team

pytestmark = pytest.mark.django_db


def test_the_teams_figure_measures_both_states_and_leaves_the_teams_as_they_were(role_groups):
    top = organisation_generate(people=30, seed=5).top_manager
    viewer = Person.objects.exclude(pk=top.pk).select_related("user").first()
    teams_before = dict(Team.objects.values_list("pk", "parent_id"))
    logged = []
    figures = teams_measure(
        data=SimpleNamespace(manager=top, manager_line=29, viewer=viewer),
        extra_teams=1000,
        requests=2,
        log=logged.append,
    )
    assert [figure.name for figure in figures] == [
        "manager dashboard: p50 at line of 29 with 1,111 more teams",
        "my learning: p50 with 1,111 more teams",
    ]
    for figure in figures:
        assert (len(figure.rounds), len(figure.yardstick_rounds)) == (2, 2)
        assert figure.extra == {"teams": len(teams_before), "added": 1111}
        assert isinstance(figure.passed, bool)
    assert dict(Team.objects.values_list("pk", "parent_id")) == teams_before
    assert len(logged) == 2


def test_teams_a_stopped_run_left_are_removed_and_no_others(role_groups):
    organisation_generate(people=30, seed=5)
    teams_before = dict(Team.objects.values_list("pk", "parent_id"))
    assert _teams_add(count=1000) == 1111  # and the run stops here
    assert (
        Team.objects.filter(name__startswith=SCRATCH_PREFIX, parent__isnull=False).count() == 1110
    )
    scratch_teams_remove()
    assert dict(Team.objects.values_list("pk", "parent_id")) == teams_before
    scratch_teams_remove()  # nothing left to do
    assert dict(Team.objects.values_list("pk", "parent_id")) == teams_before
