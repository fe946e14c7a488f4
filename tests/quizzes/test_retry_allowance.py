"""An administrator may let someone retry before the cooldown ends: with a reason, audited."""

import pytest

from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from lms import audit
from lms.models import AuditEvent
from quizzes.models import RetryAllowance
from quizzes.selectors import attempt_retry_at, attempts_retry_at
from quizzes.services import AttemptError, retry_allow
from tests.factories import attempt_make


@pytest.fixture
def waiting(people, quiz):
    quiz.attempts_before_cooldown, quiz.cooldown_hours = 1, 72
    quiz.save()
    attempt_make(person=people["staff"], quiz=quiz, passed=False, percent=20)
    assert attempt_retry_at(person=people["staff"], quiz=quiz) is not None
    return people["staff"]


@pytest.fixture
def admin_user(db):
    return get_user_model().objects.create_superuser(
        "root", "root@example.org", "a-long-admin-password"
    )


def test_an_allowance_ends_the_wait_and_is_audited(waiting, quiz, admin_user):
    retry_allow(
        person=waiting, quiz=quiz, by=admin_user, reason="The quiz page failed to load questions."
    )
    assert attempt_retry_at(person=waiting, quiz=quiz) is None
    assert attempts_retry_at(person_ids=[waiting.pk], module_ids=[quiz.module_id]) == {}
    event = AuditEvent.objects.get(action=audit.ATTEMPT_RESET)
    assert event.subject_person_id == waiting.pk and "failed to load" in event.summary
    # Failing again after the allowance starts a new wait.
    attempt_make(person=waiting, quiz=quiz, passed=False, percent=30)
    assert attempt_retry_at(person=waiting, quiz=quiz) is not None


def test_no_reason_or_no_wait_is_refused_and_saves_nothing(waiting, people, quiz, admin_user):
    with pytest.raises(AttemptError, match="Say why"):
        retry_allow(person=waiting, quiz=quiz, by=admin_user, reason="  ")
    with pytest.raises(AttemptError, match="is not waiting"):
        retry_allow(person=people["other_staff"], quiz=quiz, by=admin_user, reason="Because")
    assert (
        not RetryAllowance.objects.exists()
        and not AuditEvent.objects.filter(action=audit.ATTEMPT_RESET).exists()
    )


def test_the_command_needs_the_permission(waiting, quiz, people, admin_user):
    with pytest.raises(CommandError, match="may not grant"):
        call_command(
            "allow_retry",
            person="sam.staff",
            quiz=quiz.pk,
            reason="x",
            by=people["auditor"].user.username,
        )
    call_command("allow_retry", person="sam.staff", quiz=quiz.pk, reason="Power cut", by="root")
    assert RetryAllowance.objects.filter(person=waiting).count() == 1
