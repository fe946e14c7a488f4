"""Records for tracking tests, made directly (the quiz and certificate flows are tested elsewhere)."""

import datetime
import itertools

from django.utils import timezone

from certificates.models import Certificate
from modules.models import ModuleProgress
from quizzes.models import Attempt, Quiz

_serials = itertools.count(1)


def certificate_make(
    *, person, module, expires_on, status=Certificate.Status.VALID, issued_at=None, attempt=None
):
    # A module certificate always rests on a passed attempt (a database constraint says so).
    if attempt is None:
        quiz = Quiz.objects.filter(module=module).first() or Quiz.objects.create(
            module=module, title=f"{module.title} quiz"
        )
        attempt = attempt_make(person=person, quiz=quiz, passed=True, percent=100)
    return Certificate.objects.create(
        serial=f"T-{next(_serials):06d}",
        person=person,
        kind=Certificate.Kind.MODULE,
        module=module,
        attempt=attempt,
        holder_name=person.full_name,
        title=module.title,
        scope={},
        expires_on=expires_on,
        status=status,
        issued_at=issued_at or timezone.now(),
    )


def attempt_make(*, person, quiz, passed, percent, answers=None):
    return Attempt.objects.create(
        person=person,
        quiz=quiz,
        pass_mark=quiz.pass_mark,
        questions=[],
        answers=answers or {"q-1": "secret-answer"},
        submitted_at=timezone.now(),
        passed=passed,
        percent=percent,
        score=percent,
        max_score=100,
    )


def progress_make(*, person, module):
    return ModuleProgress.objects.create(
        person=person, module=module, revision=module.latest_revision
    )


def days(n):
    return timezone.localdate() + datetime.timedelta(days=n)
