"""What publishing a module version does (``reports.module_publish_effect``), worked out in the
database, must be what building every current person's grid says: the same people newly
assigned and the same compliance before and after, over people with every combination of
facts (``line_maker``)."""

import datetime

import pytest

from django.utils import timezone

from modules.models import ModulePage
from people.models import Person
from tests.factories import facts_refreshed_once
from tracking.dashboard import headline_compute
from tracking.reports import module_publish_effect
from tracking.selectors import module_status_grid, modules_for_tracking

from .line_maker import line_make, line_modules

pytestmark = pytest.mark.django_db


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def modules(clause, wagtail_root, today, people):
    modules = line_modules(clause=clause, today=today)
    with facts_refreshed_once():
        line_make(manager=people["manager"], modules=modules, seed=7, size=40, today=today)
    # Someone who has left counts on neither side.
    Person.objects.filter(pk=people["other_staff"].pk).update(left_on=today)
    return modules


def grid_effect(*, module, today):
    """The effect as it was worked out before: every current person's grid, twice."""
    people = Person.objects.filter(left_on__isnull=True)
    live = [m for m in modules_for_tracking() if m.pk != module.pk]
    current = ModulePage.objects.live().filter(pk=module.pk).specific().first()
    before = module_status_grid(
        people=people, modules=[*live, *([current] if current else [])], today=today
    )
    after = module_status_grid(people=people, modules=[*live, module], today=today)

    def assigned(grid):
        return {row["person"].pk for row in grid if row["cells"][-1].is_assigned}

    newly = assigned(after) - (assigned(before) if current else set())
    return (
        len(newly),
        headline_compute(rows=before, today=today).percent_compliant,
        headline_compute(rows=after, today=today).percent_compliant,
    )


def _effect(module, today):
    effect = module_publish_effect(module=module, today=today)
    return effect.newly_assigned, effect.percent_before, effect.percent_after


def test_making_a_module_base_competence_assigns_it_to_everyone_it_did_not_reach(modules, today):
    team_module = ModulePage.objects.get(pk=modules[0].pk)
    team_module.base_competence = True
    expected = grid_effect(module=team_module, today=today)
    assert _effect(team_module, today) == expected
    # Some of the line were reached by the team assignment already; the rest are new.
    assert 0 < expected[0] < Person.objects.filter(left_on__isnull=True).count()


def test_no_longer_base_competence_assigns_nobody_new(modules, today):
    base_module = ModulePage.objects.get(pk=modules[2].pk)
    base_module.base_competence = False
    expected = grid_effect(module=base_module, today=today)
    assert _effect(base_module, today) == expected
    assert expected[0] == 0


def test_a_module_published_for_the_first_time(modules, today):
    ModulePage.objects.filter(pk=modules[1].pk).update(live=False)
    first = ModulePage.objects.get(pk=modules[1].pk)
    first.base_competence = True
    first.first_published_at = timezone.now() - datetime.timedelta(days=3)
    expected = grid_effect(module=first, today=today)
    assert _effect(first, today) == expected
    assert expected[0] == Person.objects.filter(left_on__isnull=True).count()


def test_an_unchanged_module_and_one_without_a_publication_date(modules, today):
    for module in (modules[2], modules[3]):
        unchanged = ModulePage.objects.get(pk=module.pk)
        expected = grid_effect(module=unchanged, today=today)
        assert _effect(unchanged, today) == expected
        assert expected[0] == 0 and expected[1] == expected[2]
