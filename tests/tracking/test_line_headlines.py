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
from tracking.headlines import (
    line_headline_kept,
    line_headlines_differences,
    line_inputs_seen,
    line_inputs_unchanged_since,
)
from tracking.models import Assignment, LineHeadline, LineInputs, LineInputsChange
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
    seen = line_inputs_seen()
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
    assert not line_inputs_unchanged_since(seen)
    _counted_again(client_for, kept)


def test_an_edit_that_changes_nothing_a_status_rests_on_keeps_it(kept, people, client_for):
    seen = line_inputs_seen()
    Person.objects.filter(pk=people["staff"].pk).update(job_title="Family court adviser")
    staff = Person.objects.get(pk=people["staff"].pk)
    staff.save()  # every column written, none of them changed
    assert line_inputs_unchanged_since(seen)
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


def _a_count_overtaken_by(overtake, *, manager, monkeypatch):
    """Count the manager's line with ``overtake()`` landing as the count ends: the count is
    shown (3 people) but not kept, and the next two requests count and then read the row.
    Returns the row as the overtaken count left it."""
    modules = list(modules_for_tracking())
    today = timezone.localdate()
    counting = headlines.line_count

    def count_then_overtake(**kwargs):
        counted = counting(**kwargs)
        overtake()
        return counted

    monkeypatch.setattr(headlines, "line_count", count_then_overtake)
    line = line_headline_kept(manager=manager, modules=modules, today=today)
    assert line.totals.people == 3
    row = LineHeadline.objects.get(manager=manager)
    assert row.counted_on is None
    monkeypatch.setattr(headlines, "line_count", counting)
    assert line_headline_kept(manager=manager, modules=modules, today=today).line is not None
    assert line_headline_kept(manager=manager, modules=modules, today=today).line is None
    return row


def test_a_count_that_a_refresh_overtakes_is_shown_but_not_kept(people, module, quiz, monkeypatch):
    """A submission committed while the line is being counted moves the generation on: the
    count is shown to the manager who asked, but not kept for the next."""
    row = _a_count_overtaken_by(
        lambda: attempt_make(person=people["staff"], quiz=quiz, passed=False, percent=10),
        manager=people["manager"],
        monkeypatch=monkeypatch,
    )
    assert row.generation == 1


def test_the_check_finds_a_bent_headline(kept):
    modules = list(modules_for_tracking())
    differences = line_headlines_differences(modules=modules, today=timezone.localdate())
    assert list(differences) == [kept.pk]
    (kept_figures, _teams), (counted, _counted_teams) = differences[kept.pk]
    assert (kept_figures.people, counted.people) == (PLANTED, 3)


def _changes_recorded():
    if connection.vendor == "postgresql":
        return LineInputsChange.objects.count()
    return LineInputs.objects.get(pk=1).epoch


def test_changes_are_recorded_by_the_database_whatever_writes(people):
    """Raw SQL too: the triggers, not the application, record the change."""
    seen = line_inputs_seen()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE lms_person SET start_date = %s WHERE id = %s",
            [days(-10), people["staff"].pk],
        )
    assert not line_inputs_unchanged_since(seen)
    seen = line_inputs_seen()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE lms_person SET job_title = 'x' WHERE id = %s", [people["staff"].pk])
    assert line_inputs_unchanged_since(seen)


def test_a_change_after_a_reading_in_the_same_transaction_is_not_taken_as_seen(people):
    """On PostgreSQL a transaction records its changes once, marked by a setting local to it;
    a reading clears the mark, so that a change made after it is recorded again. A reading
    taken after the transaction's own change counts that change as seen."""
    staff = people["staff"]
    with transaction.atomic():
        Person.objects.filter(pk=staff.pk).update(start_date=days(-10))
        seen = line_inputs_seen()
        assert line_inputs_unchanged_since(seen)
        Person.objects.filter(pk=staff.pk).update(start_date=days(-11))
        assert not line_inputs_unchanged_since(seen)


def test_what_cannot_be_read_counts_as_changed(people):
    assert line_inputs_unchanged_since(line_inputs_seen())
    for unreadable in ["", "epoch", "x y z", "1 - not-a-snapshot", "1 - 3:x:", "a - 3:4:"]:
        assert not line_inputs_unchanged_since(unreadable)


def test_the_command_checks_and_forgets(kept):
    with pytest.raises(CommandError, match=r"1 kept headline\(s\) are not"):
        call_command("line_headlines", "--check", stdout=io.StringIO())
    out = io.StringIO()
    call_command("line_headlines", "--forget", stdout=out)
    assert "counted again" in out.getvalue()
    out = io.StringIO()
    call_command("line_headlines", "--check", stdout=out)
    assert "is what counting and drawing give" in out.getvalue()


def test_a_change_rolled_back_leaves_nothing_recorded_and_the_next_one_is(people):
    """The mark that a transaction's change is recorded must go with a savepoint rolled back, or
    the next change would not be recorded."""
    staff = people["staff"]
    seen = line_inputs_seen()
    with pytest.raises(RuntimeError), transaction.atomic():
        Person.objects.filter(pk=staff.pk).update(start_date=days(-10))
        assert not line_inputs_unchanged_since(seen)
        raise RuntimeError
    assert line_inputs_unchanged_since(seen)
    Person.objects.filter(pk=staff.pk).update(start_date=days(-11))
    assert not line_inputs_unchanged_since(seen)


def test_a_statement_changing_many_people_is_recorded_once_on_postgresql(people):
    seen = line_inputs_seen()
    before = _changes_recorded()
    changed = Person.objects.update(start_date=days(-30))
    assert changed == len(people)
    assert not line_inputs_unchanged_since(seen)
    recorded = _changes_recorded() - before
    assert recorded == (1 if connection.vendor == "postgresql" else changed)


def test_pruning_keeps_nothing_counted_before_it(kept, people, client_for):
    """The recorded changes are removed and every headline is counted again when next shown;
    changes made after the pruning are recorded as before."""
    Person.objects.filter(pk=people["staff"].pk).update(start_date=days(-10))
    out = io.StringIO()
    call_command("line_headlines", "--prune", stdout=out)
    assert "counted again" in out.getvalue()
    _counted_again(client_for, kept)
    seen = line_inputs_seen()
    Person.objects.filter(pk=people["staff"].pk).update(start_date=days(-12))
    assert not line_inputs_unchanged_since(seen)


def test_a_count_that_a_pruning_overtakes_is_shown_but_not_kept(people, module, monkeypatch):
    """A pruning may remove the very change a count in flight had not seen: the count is shown
    to the manager who asked, but not kept."""
    _a_count_overtaken_by(
        lambda: call_command("line_headlines", "--prune", stdout=io.StringIO()),
        manager=people["manager"],
        monkeypatch=monkeypatch,
    )
