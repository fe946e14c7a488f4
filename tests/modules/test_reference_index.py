"""Wagtail's reference index, which its admin's usage view of a policy clause lists: every place
our content cites a clause is recorded, a module's decision choices and each question of its quiz.
The rest of the suite leaves the index out (tests/conftest.py), so this is where our blocks and
question kinds are shown to index cleanly."""

import pytest

from wagtail.models import ReferenceIndex

from modules.models import ModulePage
from quizzes.models import Question
from tests.conftest import quiz_make
from tests.factories import PolicyClauseFactory, module_page_create

pytestmark = [pytest.mark.reference_index, pytest.mark.django_db]


def _citing(clause):
    """(model, id) of each object that the index says refers to ``clause``."""
    return {
        (reference.content_type.model_class(), int(reference.object_id))
        for reference in ReferenceIndex.get_references_to(clause)
    }


def test_a_clause_s_usage_lists_the_module_and_every_question_that_cites_it(wagtail_root):
    clause = PolicyClauseFactory(reference="2.19")
    other = PolicyClauseFactory(reference="2.20")
    module = module_page_create(clause=clause)
    quiz = quiz_make(module=module, clause=clause)
    questions = list(Question.objects.filter(quiz=quiz))
    assert len(questions) == 3

    citing = _citing(clause)
    assert (ModulePage, module.pk) in citing
    assert {object_id for model, object_id in citing if issubclass(model, Question)} == {
        question.pk for question in questions
    }
    assert _citing(other) == set()


def test_the_index_drops_a_question_deleted(wagtail_root):
    clause = PolicyClauseFactory(reference="2.19")
    quiz = quiz_make(module=module_page_create(clause=clause), clause=clause)
    question = Question.objects.filter(quiz=quiz).first()
    question_id = question.pk

    def cited_by_questions():
        return {object_id for model, object_id in _citing(clause) if issubclass(model, Question)}

    assert question_id in cited_by_questions()
    question.delete()
    assert question_id not in cited_by_questions()
