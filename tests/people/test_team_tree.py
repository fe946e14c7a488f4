"""Reading the team tree around the teams asked about, never the whole organisation's: the walks
up and down give what a walk over every team gives, loops in the data end them, and the grid and
the dashboard read no team outside the path up from their people's teams."""

import pytest

from lms.trees import tree_ancestors, tree_descendants
from people.models import Team
from people.selectors import (
    team_and_parent_ids,
    team_and_sub_team_ids,
    team_parents_above,
    teams_above,
)
from tests.factories import PersonFactory
from tracking import selectors as tracking_selectors
from tracking.selectors import module_status_grid

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    """Two regions, each with a chain of teams three deep and a sibling at each level, and a team
    of its own with no parent."""
    teams = {}
    for region in ("north", "south"):
        top = Team.objects.create(name=f"{region}")
        teams[region] = top
        parent = top
        for depth in (1, 2, 3):
            teams[f"{region}-{depth}"] = Team.objects.create(
                name=f"{region} {depth}", parent=parent
            )
            teams[f"{region}-{depth}-sibling"] = Team.objects.create(
                name=f"{region} {depth} sibling", parent=parent
            )
            parent = teams[f"{region}-{depth}"]
    teams["alone"] = Team.objects.create(name="alone")
    return teams


def _whole_tree():
    return dict(Team.objects.values_list("pk", "parent_id"))


def test_the_teams_above_are_the_teams_and_their_ancestors_only(tree):
    deep = tree["north-3"]
    parent_of = team_parents_above(team_ids=[deep.pk, tree["south-1"].pk, None])
    assert set(parent_of) == {
        tree[name].pk for name in ("north", "north-1", "north-2", "north-3", "south", "south-1")
    }
    assert parent_of == {pk: _whole_tree()[pk] for pk in parent_of}
    assert [team.name for team in teams_above(team_ids=[deep.pk])] == [
        "north",
        "north 1",
        "north 2",
        "north 3",
    ]
    assert team_parents_above(team_ids=[]) == {}
    assert team_parents_above(team_ids=[None]) == {}
    assert list(teams_above(team_ids=[None])) == []


def test_each_walk_gives_what_a_walk_over_every_team_gives(tree):
    whole = _whole_tree()
    for team in Team.objects.all():
        above = team_parents_above(team_ids=[team.pk])
        assert team_and_parent_ids(team_id=team.pk, parent_of=above) == tree_ancestors(
            parent_of=whole, node=team.pk
        )
        assert team_and_sub_team_ids(team_id=team.pk) == tree_descendants(
            parent_of=whole, node=team.pk
        )


def test_a_loop_in_the_teams_ends_each_walk(tree):
    # Bad data that the admin would not save: north's parent is one of its own sub-teams.
    Team.objects.filter(pk=tree["north"].pk).update(parent=tree["north-2"])
    whole = _whole_tree()
    chain = {tree[name].pk for name in ("north", "north-1", "north-2", "north-3")}
    assert set(team_parents_above(team_ids=[tree["north-3"].pk])) == chain
    above = team_parents_above(team_ids=[tree["north-3"].pk])
    assert team_and_parent_ids(team_id=tree["north-3"].pk, parent_of=above) == tree_ancestors(
        parent_of=whole, node=tree["north-3"].pk
    )
    assert team_and_sub_team_ids(team_id=tree["north-1"].pk) == tree_descendants(
        parent_of=whole, node=tree["north-1"].pk
    )


def test_the_grid_reads_only_the_path_up_from_its_peoples_teams(tree, monkeypatch):
    read = []

    def recording(*, team_ids):
        found = team_parents_above(team_ids=team_ids)
        read.append(set(found))
        return found

    monkeypatch.setattr(tracking_selectors, "team_parents_above", recording)
    person = PersonFactory(team=tree["south-2"])
    module_status_grid(people=[person], modules=[])
    assert read == [{tree["south"].pk, tree["south-1"].pk, tree["south-2"].pk}]
