"""'Failed (can retry on ...)' follows the quiz's cooldown, without a query per person."""

import datetime

from django.utils import timezone

from tests.factories import attempt_make, days
from tracking import status as statuses
from tracking.selectors import module_status_grid
from tracking.services import assignment_create


def _cell(person, module):
    return module_status_grid(people=[person], modules=[module])[0]["cells"][0]


def test_a_person_in_cooldown_sees_when_they_can_retry(people, module, quiz):
    quiz.attempts_before_cooldown, quiz.cooldown_hours = 2, 48
    quiz.save()
    assignment_create(module=module, due_on=days(30))
    staff = people["staff"]
    attempt_make(person=staff, quiz=quiz, passed=False, percent=30)
    assert _cell(staff, module).retry_on is None  # one failure: may try again now
    last = attempt_make(person=staff, quiz=quiz, passed=False, percent=40)
    cell = _cell(staff, module)
    assert cell.status == statuses.FAILED
    assert cell.retry_on == timezone.localdate(last.submitted_at + datetime.timedelta(hours=48))


def test_without_a_cooldown_a_failed_person_may_retry_now(people, module, quiz):
    quiz.attempts_before_cooldown, quiz.cooldown_hours = 0, 0
    quiz.save()
    assignment_create(module=module, due_on=days(30))
    attempt_make(person=people["staff"], quiz=quiz, passed=False, percent=30)
    attempt_make(person=people["staff"], quiz=quiz, passed=False, percent=30)
    cell = _cell(people["staff"], module)
    assert cell.status == statuses.FAILED and cell.retry_on is None
