import pytest

from django.core.cache import cache

from certificates.services import certificate_issue_for_attempt
from quizzes.services import attempt_submit
from tests.factories import (
    QuizFactory,
    attempt_begin,
    module_page_create,
    single_choice_create,
    true_false_create,
)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # The rate limit counts per address in the cache; each test starts with a clean slate.
    cache.clear()
    yield
    cache.clear()


def answers_for(attempt, *, correct=True):
    answers = {}
    for question in attempt.questions:
        options = [option for option in question["options"] if option["correct"] == correct]
        answers[str(question["id"])] = [options[0]["id"]]
    return answers


def attempt_passed(*, person, quiz):
    attempt = attempt_begin(person=person, quiz=quiz)
    return attempt_submit(attempt=attempt, answers=answers_for(attempt))


def attempt_failed(*, person, quiz):
    attempt = attempt_begin(person=person, quiz=quiz)
    return attempt_submit(attempt=attempt, answers=answers_for(attempt, correct=False))


def module_certificate_for(*, person, quiz):
    return certificate_issue_for_attempt(attempt_id=attempt_passed(person=person, quiz=quiz).pk)


def quiz_for(*, module, clause):
    quiz = QuizFactory(module=module, title=f"{module.title} quiz")
    single_choice_create(quiz=quiz, clause=clause, text="Which is right?", sort_order=0)
    true_false_create(quiz=quiz, clause=clause, answer=True, sort_order=1)
    return quiz


@pytest.fixture
def second_quiz(quiz, clause):
    """A second base-competence module beside the ``quiz`` fixture's, citing a clause of another policy."""
    from tests.factories import PolicyClauseFactory

    other_clause = PolicyClauseFactory(
        reference="4.2", document__title="Information sharing policy", document__version="3.0"
    )
    module = module_page_create(
        clause=other_clause, title="Instagram and families", slug="instagram"
    )
    return quiz_for(module=module, clause=other_clause)


@pytest.fixture
def fast_pdf(monkeypatch):
    """Stand in for WeasyPrint where a test is about lists, logs or statuses, not the PDF itself:
    a small, distinct PDF-looking file per certificate, still stored through the storage API."""
    calls = []

    def render(*, certificate):
        calls.append(certificate.pk)
        return f"%PDF-1.7\n% certificate {certificate.serial} {certificate.code}\n%%EOF\n".encode()

    monkeypatch.setattr("certificates.services.certificate_pdf_render", render)
    return calls
