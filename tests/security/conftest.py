"""The world both access tests request things in: an owner with a passed attempt and its
certificate, their manager, people outside their line, an author and an auditor."""

import pytest

from certificates.models import Certificate
from quizzes.services import attempt_start, attempt_submit


@pytest.fixture
def world(people, quiz, module, clause, django_capture_on_commit_callbacks):
    owner = people["staff"]
    attempt = attempt_start(person=owner, quiz=quiz)
    answers = {str(q["id"]): [next(o["id"] for o in q["options"] if o["correct"])] for q in attempt.questions}
    with django_capture_on_commit_callbacks(execute=True):
        attempt_submit(attempt=attempt, answers=answers)
    return {
        "owner": owner,
        "attempt": attempt,
        "certificate": Certificate.objects.get(attempt=attempt),
        "quiz": quiz,
        "module": module,
        "clause": clause,
        "people": {
            "owner": owner,
            "other_staff": people["other_staff"],
            "owner_manager": people["manager"],
            "other_manager": people["other_manager"],
            "author": people["author"],
            "auditor": people["auditor"],
        },
    }
