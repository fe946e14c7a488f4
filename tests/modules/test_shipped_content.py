"""The shipped content (modules/content/) as learners meet it: keyed answers citing clauses in the
learner's own policies, fair draws and retries, decisions that cite a clause on every choice. The
content is loaded once for the module's tests (``rows_shared_by_a_module``; about five seconds a
load) and each test's own changes are rolled back after it. That loading it is clean and
idempotent is tested from an empty database in ``test_content_import.py``."""

import json

from modules.content_import import CONTENT_DIR
from modules.models import ModulePage, PolicyClause
from people.models import Organisation
from quizzes.models import Option, Question, Quiz, clause_snapshot
from quizzes.scoring import response_parse, response_score
from quizzes.services import AttemptError
from tests.factories import PersonFactory, attempt_begin, attempt_failed
from tests.quizzes.answers import right_values

SHIPPED_FILES = sorted(CONTENT_DIR.glob("module-*.json"))


def test_a_retry_of_a_shipped_quiz_asks_new_questions_whichever_organisation_takes_it(shipped):
    """The remembering learner: whoever takes a shipped quiz, after failing it their next attempt
    asks none of the questions they were just shown, so that a pass cannot rest on the marks of the
    last attempt. Each organisation is drawn only the questions whose policy applies to it, so each
    one's share of the bank must be twice its draw, not just the bank as a whole."""
    assert shipped["errors"] == []
    taken = 0
    for quiz in Quiz.objects.order_by("pk"):
        for organisation in Organisation.objects.order_by("code"):
            person = PersonFactory(organisation=organisation)
            try:
                first = attempt_failed(person=person, quiz=quiz)
            except AttemptError:
                continue  # refused a start: too few of the quiz's questions apply to them
            second = attempt_begin(person=person, quiz=quiz)
            asked_first = {question["id"] for question in first.questions}
            asked_again = asked_first & {question["id"] for question in second.questions}
            assert len(second.questions) == quiz.questions_per_attempt, (quiz, organisation)
            assert not asked_again, (quiz.title, organisation.name, len(asked_again))
            taken += 1
    # Everyone takes every quiz but those with no policy of theirs in it (WhatsApp, viewing service
    # users' social media) or too little (privacy, for Together4Children).
    assert taken == 4 * 4 - 4


def test_shipped_quizzes_are_shuffled_drawn_from_a_bank_twice_the_draw_and_limit_attempts(shipped):
    """What keeps a pass meaningful: a learner cannot learn the key by position, a retry sees new
    questions, and after six attempts (two waits) someone in L&D must allow more."""
    assert shipped["errors"] == []
    for quiz in Quiz.objects.all():
        assert quiz.shuffle_options and quiz.shuffle_questions, quiz
        assert quiz.max_attempts == 6 and quiz.attempts_before_cooldown == 3, quiz
        drawn = sum(draw.count for draw in quiz.topic_draws.all())
        assert drawn == quiz.questions_per_attempt and quiz.questions.count() >= 2 * drawn, quiz
        assert not quiz.full_review_when_no_attempts_remain, quiz


def _shipped_questions():
    for path in SHIPPED_FILES:
        for spec in json.loads(path.read_text())["quiz"]["questions"]:
            yield path, spec


def _keyed_entries(spec):
    """The parts of a question spec that carry a right answer, each with its clause."""
    kind = spec["type"]
    if kind in ("single_choice", "multiple_response"):
        return [option for option in spec["options"] if option["correct"]]
    if kind == "true_false":
        return [spec] if isinstance(spec["answer"], bool) else []
    if kind == "ordering":
        return spec["items"] if len(spec["items"]) >= 2 else []
    if kind == "scenario_judgement":
        return [action for action in spec["actions"] if action["appropriate"]]
    raise AssertionError(f"unknown question type {kind}")


def test_every_shipped_question_has_a_keyed_answer_citing_a_clause_in_its_own_policy():
    policies = json.loads((CONTENT_DIR / "policies.json").read_text())
    known = {
        f"{doc['key']}:{clause['reference']}"
        for doc in policies["documents"]
        for clause in doc["clauses"]
    }
    for path, spec in _shipped_questions():
        where = f"{path.name} {spec['key']}"
        keyed = _keyed_entries(spec)
        assert keyed, f"{where} has no keyed answer"
        for entry in keyed:
            assert entry.get("clause") in known, f"{where} keyed answer cites no known clause"
            assert entry["clause"].startswith(spec["policy"] + ":"), f"{where} mixes policies"
        if spec["type"] == "single_choice":
            assert len(keyed) == 1, where


def test_every_shipped_question_is_in_the_database_with_a_keyed_answer_and_clause_citation(shipped):
    assert shipped["errors"] == []
    for path, spec in _shipped_questions():
        quiz = Quiz.objects.get(module__slug=json.loads(path.read_text())["slug"])
        question = Question.objects.get(quiz=quiz, key=spec["key"])
        snapshot = question.snapshot()
        assert any(option["correct"] for option in snapshot["options"]), spec["key"]
        for option in snapshot["options"]:
            assert option["clause"]["reference"], spec["key"]
            assert option["clause"]["document_version"], spec["key"]


def test_every_shipped_decision_cites_a_clause_on_every_choice(shipped):
    assert shipped["errors"] == []
    for page in ModulePage.objects.all():
        decisions = [step.value for step in page.steps if step.block_type == "decision"]
        assert len(decisions) >= 4, page.slug
        for decision in decisions:
            assert sum(choice["is_correct"] for choice in decision["choices"]) == 1
            assert all(choice["clause"] is not None for choice in decision["choices"])


def test_learners_see_where_to_find_a_clause_the_document_does_not_number(shipped):
    """Internal keys such as "s.3.1" stay what content cites; learners are shown a place they can
    find in the document. A numbered clause keeps "clause 2.19", and its question snapshot (and so
    its version fingerprint) gains nothing."""
    assert shipped["errors"] == []
    unnumbered = PolicyClause.objects.get(
        document__title="Social media community guidelines", reference="s.3.1"
    )
    assert unnumbered.where == "'Sharing case information', first paragraph"
    assert unnumbered.citation.endswith(
        "no version stated, 'Sharing case information', first paragraph"
    )
    assert clause_snapshot(unnumbered)["where"] == unnumbered.where
    numbered = PolicyClause.objects.get(document__title="Social media policy", reference="2.19")
    assert numbered.where == "clause 2.19" and "where" not in clause_snapshot(numbered)
    option = Option.objects.filter(clause=unnumbered).select_related("question").first()
    assert "'Sharing case information', first paragraph" in str(
        option.question.get_real_instance().snapshot()
    )


def test_every_shipped_question_loads_and_its_keyed_answer_scores_as_right(shipped):
    """Each question of every file is in the bank, of a kind the platform scores, and answered
    with its key it scores as right (loading it twice adds nothing: ``test_content_import.py``)."""
    expected = {}
    for path in SHIPPED_FILES:
        for spec in json.loads(path.read_text())["quiz"]["questions"]:
            expected[spec["type"]] = expected.get(spec["type"], 0) + 1
    assert shipped["questions"] == sum(expected.values()) == Question.objects.count()
    assert set(expected) <= {
        "single_choice",
        "multiple_response",
        "true_false",
        "ordering",
        "scenario_judgement",
    }
    for question in Question.objects.all():
        snapshot = question.snapshot()
        response = response_parse(question=snapshot, values=right_values(snapshot))
        assert response_score(question=snapshot, response=response).correct, question.key
