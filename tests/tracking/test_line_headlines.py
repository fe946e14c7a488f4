"""A manager's kept headline (tracking.headlines): read back while it holds, counted again as
soon as anything it rests on changes, and never written back from a count that a learner's
refresh overtook. Each test shows the kept row being used (a figure planted in it is shown),
then makes one kind of change and shows the dashboard counting again."""

import datetime
import io

import pytest

from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from modules.services import content_cache_forget
from people.models import Person, Team
from people.services import team_get_or_create
from tests.factories import (
    OrganisationFactory,
    attempt_make,
    certificate_make,
    days,
    module_page_create,
)
from tracking import headlines
from tracking.facts import module_status_facts_rebuild
from tracking.headlines import line_headline_kept, line_headlines_differences, line_inputs_epoch
from tracking.models import Assignment, LineHeadline
from tracking.selectors import modules_for_tracking
from tracking.services import assignment_create

from .test_dashboard import table_of

pytestmark = pytest.mark.django_db

PLANTED = 4321


def _dashboard(client_for, manager):
    response = client_for(manager).get(reverse("team_dashboard"))
    assert response.status_code == 200
    return response


def _planted(manager):
    """Plant a figure in the manager's kept row: a request that shows it read the row."""
    LineHeadline.objects.filter(manager=manager).update(people=PLANTED)


@pytest.fixture
def kept(people, module, client_for):
    """The manager's dashboard viewed once (its headline counted and kept), then a figure planted
    in the kept row and shown: the next request reads the row."""
    manager = people["manager"]
    _dashboard(client_for, manager)
    row = LineHeadline.objects.get(manager=manager)
    assert (row.people, row.counted_on) == (3, timezone.localdate())
    _planted(manager)
    assert str(PLANTED) in _dashboard(client_for, manager).content.decode()
    yield manager
    # The planted figure is not what counting gives: put back what counting gives before the
    # after-test check compares every kept headline with a count.
    LineHeadline.objects.filter(manager=manager, people=PLANTED).delete()


def _counted_again(client_for, manager):
    response = _dashboard(client_for, manager)
    assert str(PLANTED) not in response.content.decode()
    assert LineHeadline.objects.get(manager=manager).people != PLANTED
    return response


def test_a_learner_s_new_record_below_the_manager_has_the_headline_counted_again(
    kept, people, quiz, client_for
):
    attempt_make(person=people["deep"], quiz=quiz, passed=False, percent=10)
    _counted_again(client_for, kept)


def test_a_record_of_someone_outside_the_line_leaves_the_kept_headline(
    kept, people, quiz, client_for
):
    attempt_make(person=people["other_staff"], quiz=quiz, passed=False, percent=10)
    assert str(PLANTED) in _dashboard(client_for, kept).content.decode()


def test_a_certificate_issued_below_the_manager_has_it_counted_again(
    kept, people, module, client_for
):
    certificate_make(person=people["staff"], module=module, expires_on=days(20))
    response = _counted_again(client_for, kept)
    assert LineHeadline.objects.get(manager=kept).expiring_soon == 1
    assert "Sam Staff" in str(table_of(response))


@pytest.mark.parametrize(
    "change",
    [
        "joins",
        "leaves",
        "moves team",
        "starts later",
        "changes organisation",
        "moves manager",
        "is deleted",
    ],
)
def test_a_change_to_someone_in_the_line_has_it_counted_again(kept, people, change, client_for):
    staff = Person.objects.get(pk=people["staff"].pk)
    epoch = line_inputs_epoch()
    if change == "joins":
        people["other_staff"].line_manager = people["lead"]
        people["other_staff"].save()
    elif change == "leaves":
        Person.objects.filter(pk=staff.pk).update(left_on=timezone.localdate())
    elif change == "moves team":
        staff.team = team_get_or_create(name="Adoption team")
        staff.save(update_fields=["team"])
    elif change == "starts later":
        Person.objects.filter(pk=staff.pk).update(start_date=days(-3))
    elif change == "changes organisation":
        Person.objects.filter(pk=staff.pk).update(
            organisation=OrganisationFactory(code="probation")
        )
    elif change == "moves manager":
        Person.objects.filter(pk=people["deep"].pk).update(line_manager=people["other_manager"])
    elif change == "is deleted":
        staff.user.delete()
    assert line_inputs_epoch() > epoch
    _counted_again(client_for, kept)


def test_an_edit_that_changes_nothing_a_status_rests_on_keeps_it(kept, people, client_for):
    epoch = line_inputs_epoch()
    Person.objects.filter(pk=people["staff"].pk).update(job_title="Family court adviser")
    staff = Person.objects.get(pk=people["staff"].pk)
    staff.save()  # every column written, none of them changed
    assert line_inputs_epoch() == epoch
    assert str(PLANTED) in _dashboard(client_for, kept).content.decode()


@pytest.mark.parametrize("change", ["made", "edited", "deleted"])
def test_any_change_to_an_assignment_has_it_counted_again(kept, module, change, client_for):
    if change == "made":
        assignment_create(module=module, due_on=days(-1))
    else:
        Assignment.objects.create(module=module, due_on=days(5))
        LineHeadline.objects.filter(manager=kept).delete()
        _dashboard(client_for, kept)
        _planted(kept)
        assignment = Assignment.objects.get()
        if change == "edited":
            Assignment.objects.filter(pk=assignment.pk).update(due_on=days(-5))
        else:
            assignment.delete()
    _counted_again(client_for, kept)


def test_a_team_moved_under_another_has_it_counted_again(kept, people, client_for):
    above = team_get_or_create(name="Region")
    Team.objects.filter(pk=people["staff"].team_id).update(parent=above)
    _counted_again(client_for, kept)


def test_a_module_published_has_it_counted_again(kept, clause, client_for):
    module_page_create(clause=clause, title="Privacy settings", slug="privacy")
    content_cache_forget()  # as the admin's publish hook does
    _counted_again(client_for, kept)


def test_the_next_day_it_is_counted_again(kept, people, module):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    modules = list(modules_for_tracking())
    line = line_headline_kept(manager=kept, modules=modules, today=tomorrow)
    assert line.line is not None  # counted, not read
    assert line.totals.people == 3
    row = LineHeadline.objects.get(manager=kept)
    assert row.counted_on == tomorrow


def test_a_rebuild_of_every_fact_has_every_headline_counted_again(kept, people, client_for):
    module_status_facts_rebuild()
    _counted_again(client_for, kept)


def test_a_count_that_a_refresh_overtakes_is_shown_but_not_kept(people, module, quiz, monkeypatch):
    """A submission committed while the line is being counted moves the generation on: the
    count is shown to the manager who asked, but not kept for the next."""
    manager = people["manager"]
    modules = list(modules_for_tracking())
    today = timezone.localdate()
    counting = headlines.line_count

    def count_then_a_submission_lands(**kwargs):
        counted = counting(**kwargs)
        attempt_make(person=people["staff"], quiz=quiz, passed=False, percent=10)
        return counted

    monkeypatch.setattr(headlines, "line_count", count_then_a_submission_lands)
    line = line_headline_kept(manager=manager, modules=modules, today=today)
    assert line.totals.people == 3
    row = LineHeadline.objects.get(manager=manager)
    assert (row.counted_on, row.generation) == (None, 1)
    monkeypatch.setattr(headlines, "line_count", counting)
    assert line_headline_kept(manager=manager, modules=modules, today=today).line is not None
    assert line_headline_kept(manager=manager, modules=modules, today=today).line is None


def test_the_check_finds_a_bent_headline(kept):
    modules = list(modules_for_tracking())
    differences = line_headlines_differences(modules=modules, today=timezone.localdate())
    assert list(differences) == [kept.pk]
    (kept_figures, _teams), (counted, _counted_teams) = differences[kept.pk]
    assert (kept_figures.people, counted.people) == (PLANTED, 3)


def test_the_epoch_is_kept_by_the_database_whatever_writes(people):
    """Raw SQL too: the triggers, not the application, move the epoch on."""
    epoch = line_inputs_epoch()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE lms_person SET start_date = %s WHERE id = %s",
            [days(-10), people["staff"].pk],
        )
    assert line_inputs_epoch() == epoch + 1
    with connection.cursor() as cursor:
        cursor.execute("UPDATE lms_person SET job_title = 'x' WHERE id = %s", [people["staff"].pk])
    assert line_inputs_epoch() == epoch + 1


def test_the_command_checks_and_forgets(kept):
    with pytest.raises(CommandError, match="1 kept headline"):
        call_command("line_headlines", "--check", stdout=io.StringIO())
    out = io.StringIO()
    call_command("line_headlines", "--forget", stdout=out)
    assert "counted again" in out.getvalue()
    out = io.StringIO()
    call_command("line_headlines", "--check", stdout=out)
    assert "is what counting gives" in out.getvalue()


def test_a_change_rolled_back_leaves_the_epoch_and_the_next_one_moves_it(people):
    """On PostgreSQL the epoch moves once a transaction, marked by a setting local to it: the
    mark must go with a savepoint rolled back, or the next change would not move it."""
    staff = people["staff"]
    epoch = line_inputs_epoch()
    with pytest.raises(RuntimeError), transaction.atomic():
        Person.objects.filter(pk=staff.pk).update(start_date=days(-10))
        assert line_inputs_epoch() == epoch + 1
        raise RuntimeError
    assert line_inputs_epoch() == epoch
    Person.objects.filter(pk=staff.pk).update(start_date=days(-11))
    assert line_inputs_epoch() > epoch


def test_a_statement_changing_many_people_moves_the_epoch(people):
    epoch = line_inputs_epoch()
    changed = Person.objects.update(start_date=days(-30))
    assert changed == len(people)
    moved = line_inputs_epoch() - epoch
    assert moved == (1 if connection.vendor == "postgresql" else changed)
