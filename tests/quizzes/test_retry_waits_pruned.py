"""The cooldown for many people at once, told how many attempts each has submitted: those with
fewer than a wait needs are not read, and the answer is the same as without the counts."""

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext

from modules.services import content_cache_forget
from quizzes.selectors import attempts_retry_at, quiz_cooldowns
from tests.factories import attempt_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def histories(people, quiz):
    """Three failures in a row (waiting), two (not yet), three with a pass between (not
    waiting): a wait starts after three."""
    quiz.attempts_before_cooldown, quiz.cooldown_hours = 3, 24
    quiz.save()
    waiting, close, passed_between = people["staff"], people["other_staff"], people["manager"]
    for person, outcomes in (
        (waiting, [False, False, False]),
        (close, [False, False]),
        (passed_between, [False, True, False]),
    ):
        for passed in outcomes:
            attempt_make(person=person, quiz=quiz, passed=passed, percent=90 if passed else 10)
    return {"waiting": waiting, "close": close, "passed_between": passed_between}


def test_the_counts_change_what_is_read_not_the_answer(histories, quiz):
    person_ids = sorted(person.pk for person in histories.values())
    module = quiz.module_id
    submitted = {
        (histories["waiting"].pk, module): 3,
        (histories["close"].pk, module): 2,
        (histories["passed_between"].pk, module): 3,
    }
    everyone = attempts_retry_at(person_ids=person_ids, module_ids=[module])
    assert everyone.keys() == {(histories["waiting"].pk, module)}
    pruned = attempts_retry_at(person_ids=person_ids, module_ids=[module], submitted=submitted)
    assert pruned == everyone
    # A pair given fewer attempts than a wait needs is not read at all: told (wrongly) that the
    # waiting person has submitted two, nobody is waiting.
    told_two = {**submitted, (histories["waiting"].pk, module): 2}
    assert attempts_retry_at(person_ids=person_ids, module_ids=[module], submitted=told_two) == {}


def test_nobody_with_enough_attempts_costs_no_query_once_the_settings_are_cached(histories, quiz):
    module = quiz.module_id
    submitted = {(person.pk, module): 2 for person in histories.values()}
    quiz_cooldowns()  # as the first page read since the content last changed leaves them
    with CaptureQueriesContext(connection) as queries:
        assert (
            attempts_retry_at(
                person_ids=[person.pk for person in histories.values()],
                module_ids=[module],
                submitted=submitted,
            )
            == {}
        )
    assert len(queries) == 0


def test_a_changed_cooldown_counts_once_the_content_is_forgotten_as_every_change_does(
    histories, quiz
):
    person_ids = sorted(person.pk for person in histories.values())
    module = quiz.module_id
    waits = attempts_retry_at(person_ids=person_ids, module_ids=[module])
    assert waits.keys() == {(histories["waiting"].pk, module)}
    # Two failures in a row now start a wait: the person two short of it before is waiting.
    quiz.attempts_before_cooldown = 2
    quiz.save()
    content_cache_forget()  # what the admin's hooks and the content services call
    waits = attempts_retry_at(person_ids=person_ids, module_ids=[module])
    assert waits.keys() == {(histories["waiting"].pk, module), (histories["close"].pk, module)}
    # No cooldown at all: nobody waits.
    quiz.cooldown_hours = 0
    quiz.save()
    content_cache_forget()
    assert attempts_retry_at(person_ids=person_ids, module_ids=[module]) == {}
