"""Whose policy applies: a learner is drawn only questions whose cited documents apply to their
organisation, authors are told which organisations a quiz leaves without a fair draw, and the
certificates name only the documents that applied."""

import random

import pytest

from django.urls import reverse

from certificates.services import certificate_issue_base_competence
from quizzes.content_checks import key_cue_problems
from quizzes.drawing import BankEntry, draw_for_audience, retry_problems
from quizzes.models import Option, Quiz
from quizzes.selectors import quiz_audience_problems, quiz_check_spec, quiz_questions_applicable
from quizzes.services import (
    NO_ORGANISATION_MESSAGE,
    NOT_FOR_YOUR_ORGANISATION_MESSAGE,
    AttemptError,
)
from tests.factories import (
    OrganisationFactory,
    PersonFactory,
    PolicyClauseFactory,
    QuizFactory,
    attempt_begin,
    module_certificate_for,
    module_page_create,
    single_choice_create,
    true_false_create,
)
from tests.quizzes.test_admin import _quiz_form

# --- the pure rule -------------------------------------------------------------------------------

BANK = [
    BankEntry(id=1, topic="a", critical=False),
    BankEntry(id=2, topic="a", critical=False),
    BankEntry(id=3, topic="b", critical=True),
    BankEntry(id=4, topic="b", critical=False),
    BankEntry(id=5, topic="", critical=False),
    BankEntry(id=6, topic="", critical=False),
]


def test_only_applicable_questions_stay_and_counts_are_cut_to_them():
    draw = draw_for_audience(bank=BANK, applicable_ids={1, 4, 5, 6}, total=4, per_topic={"a": 2})
    assert [entry.id for entry in draw.bank] == [1, 4, 5, 6]
    assert draw.per_topic == {"a": 1}
    assert draw.total == 4 and draw.problems == []


def test_a_topic_with_nothing_that_applies_is_dropped():
    draw = draw_for_audience(
        bank=BANK, applicable_ids={3, 4, 5, 6}, total=4, per_topic={"a": 1, "b": 1}
    )
    # Topic "b" gives a second question, so that the attempt is still four long.
    assert draw.per_topic == {"b": 2} and draw.total == 4 and draw.problems == []


def test_counted_topics_give_only_what_they_hold_when_the_rest_cannot_fill_the_total():
    draw = draw_for_audience(
        bank=BANK, applicable_ids={1, 3, 4}, total=4, per_topic={"a": 1, "b": 1}
    )
    assert draw.per_topic == {"a": 1, "b": 2} and draw.total == 3 and draw.problems == []


def test_settings_the_whole_bank_meets_are_unchanged_when_everything_applies():
    draw = draw_for_audience(bank=BANK, applicable_ids={1, 2, 3, 4, 5, 6}, total=5, per_topic={})
    assert (draw.total, draw.per_topic, len(draw.bank), draw.problems) == (5, {}, 6, [])


def test_nothing_applicable_is_a_problem_not_an_empty_quiz():
    draw = draw_for_audience(bank=BANK, applicable_ids=set(), total=4, per_topic={})
    assert draw.problems == [
        "No question of this quiz rests on a policy that applies to the learner."
    ]


def test_fewer_than_half_of_the_quiz_size_is_a_problem_not_a_token_quiz():
    draw = draw_for_audience(bank=BANK, applicable_ids={5}, total=4, per_topic={})
    assert len(draw.problems) == 1 and "fewer than half of the quiz's 4" in draw.problems[0]
    # Half is enough.
    assert draw_for_audience(bank=BANK, applicable_ids={5, 6}, total=4, per_topic={}).problems == []


def test_without_a_total_every_applicable_question_is_asked():
    draw = draw_for_audience(bank=BANK, applicable_ids={1, 2, 5}, total=None, per_topic={})
    assert draw.total is None and [entry.id for entry in draw.bank] == [1, 2, 5]


def test_raising_counts_takes_from_the_roomiest_topic_first():
    """Where the rest cannot fill the total, the topic with most questions left undrawn gives
    more, not each topic in turn: raising a small topic would ask all of it every time."""
    bank = [BankEntry(id=number, topic="small", critical=True) for number in range(2)] + [
        BankEntry(id=10 + number, topic="large", critical=False) for number in range(8)
    ]
    draw = draw_for_audience(
        bank=bank,
        applicable_ids={entry.id for entry in bank},
        total=4,
        per_topic={"small": 1, "large": 1},
    )
    assert draw.per_topic == {"small": 1, "large": 3} and draw.problems == []
    assert retry_problems(bank=draw.bank, total=draw.total, per_topic=draw.per_topic) == []


# --- a retry must be able to ask new questions, for each audience ----------------------------------


def test_a_topic_drawn_whole_on_every_attempt_is_a_retry_problem():
    problems = retry_problems(bank=BANK, total=4, per_topic={"a": 2})
    assert problems == [
        "Topic “a” has 2 questions and 2 are drawn from it per attempt; it needs at least 4 so "
        "that a retry can see different questions."
    ]
    # Twice the draw is enough.
    assert retry_problems(bank=BANK, total=3, per_topic={"a": 1}) == []


def test_the_uncounted_rest_must_also_hold_twice_what_it_gives():
    # Topic "a" gives 1 of 2; the critical question 3 is always asked; questions 4, 5 and 6 give
    # the other 2, and 3 is under twice that.
    assert retry_problems(bank=BANK, total=4, per_topic={"a": 1}) == [
        "2 questions per attempt come from outside the counted topics, where 3 are held; at "
        "least 4 are needed so that a retry can see different questions."
    ]
    assert retry_problems(bank=BANK, total=3, per_topic={"a": 1}) == []


def test_critical_questions_always_asked_are_not_a_retry_problem():
    """They are asked on every attempt by design: the quiz's own checks decide how many."""
    bank = [BankEntry(id=1, topic="", critical=True)] + [
        BankEntry(id=number, topic="", critical=False) for number in range(2, 6)
    ]
    assert retry_problems(bank=bank, total=3, per_topic={}) == []
    assert retry_problems(bank=BANK, total=None, per_topic={}) == []


# --- drawing for people of two organisations -----------------------------------------------------


@pytest.fixture
def organisations(db):
    return {
        "cafcass": OrganisationFactory(code="cafcass", name="Cafcass"),
        "herts": OrganisationFactory(code="hertfordshire", name="Hertfordshire County Council"),
    }


@pytest.fixture
def two_policy_quiz(organisations, wagtail_root):
    """A quiz of six Cafcass questions and six Hertfordshire ones, three asked per attempt: each
    organisation's share is twice its draw, so a retry can be all new questions."""
    cafcass = PolicyClauseFactory(
        reference="2.19",
        document__title="Cafcass policy",
        document__organisation="Cafcass",
        document__audience=[organisations["cafcass"]],
    )
    herts = PolicyClauseFactory(
        reference="3.2",
        document__title="Hertfordshire chapter",
        document__organisation="Hertfordshire County Council",
        document__audience=[organisations["herts"]],
    )
    module = module_page_create(clause=cafcass, title="Mixed", slug="mixed")
    quiz = QuizFactory(module=module, title="Mixed quiz", questions_per_attempt=3)
    for number in range(6):
        single_choice_create(
            quiz=quiz, clause=cafcass, text=f"Cafcass {number}?", sort_order=number
        )
        single_choice_create(
            quiz=quiz, clause=herts, text=f"Herts {number}?", sort_order=10 + number
        )
    return quiz, cafcass, herts


def _asked(attempt):
    return {question["text"].split()[0] for question in attempt.questions}


def test_each_learner_is_drawn_only_their_own_organisations_questions(
    organisations, two_policy_quiz
):
    quiz, _, _ = two_policy_quiz
    for code, prefix in [("cafcass", "Cafcass"), ("herts", "Herts")]:
        for seed in range(5):
            person = PersonFactory(organisation=organisations[code])
            attempt = attempt_begin(person=person, quiz=quiz, rng=random.Random(seed))
            assert len(attempt.questions) == 3
            assert _asked(attempt) == {prefix}


def test_a_person_without_an_organisation_is_refused_with_a_clear_message(two_policy_quiz):
    quiz, _, _ = two_policy_quiz
    person = PersonFactory(organisation=None)
    with pytest.raises(AttemptError) as refused:
        attempt_begin(person=person, quiz=quiz)
    assert refused.value.message == NO_ORGANISATION_MESSAGE
    assert not person.attempts.exists()


def test_a_person_without_an_organisation_takes_the_home_organisations_policies(
    organisations, two_policy_quiz, settings
):
    """People recorded before organisations existed are not shut out of every quiz: the
    organisation running the platform (LMS_HOME_ORGANISATION) stands in for theirs."""
    quiz, _, _ = two_policy_quiz
    settings.LMS_HOME_ORGANISATION = organisations["herts"].code.upper()
    prefix = "Herts"
    person = PersonFactory(organisation=None)
    attempt = attempt_begin(person=person, quiz=quiz, rng=random.Random(3))
    assert _asked(attempt) == {prefix}


def test_an_organisation_none_of_the_documents_apply_to_is_refused(two_policy_quiz):
    quiz, _, _ = two_policy_quiz
    person = PersonFactory(organisation=OrganisationFactory(code="together4children"))
    with pytest.raises(AttemptError) as refused:
        attempt_begin(person=person, quiz=quiz)
    assert refused.value.message == NOT_FOR_YOUR_ORGANISATION_MESSAGE
    assert not person.attempts.exists()


def test_a_question_citing_two_documents_applies_only_where_both_do(organisations, two_policy_quiz):
    quiz, cafcass, herts = two_policy_quiz
    mixed = single_choice_create(quiz=quiz, clause=cafcass, text="Mixed?", sort_order=99)
    option = mixed.options.last()
    option.clause = herts
    option.save()
    assert mixed.pk not in quiz_questions_applicable(
        quiz=quiz, organisation=organisations["cafcass"]
    )
    assert mixed.pk not in quiz_questions_applicable(quiz=quiz, organisation=organisations["herts"])
    herts.document.audience.add(organisations["cafcass"])
    herts.document.save(update_fields=["audience"])  # a parental many-to-many is saved with it
    assert mixed.pk in quiz_questions_applicable(quiz=quiz, organisation=organisations["cafcass"])


def test_a_true_false_question_applies_by_the_clause_it_cites_itself(
    organisations, two_policy_quiz
):
    quiz, _, herts = two_policy_quiz
    statement = true_false_create(quiz=quiz, clause=herts, sort_order=50)
    assert statement.pk in quiz_questions_applicable(quiz=quiz, organisation=organisations["herts"])
    assert statement.pk not in quiz_questions_applicable(
        quiz=quiz, organisation=organisations["cafcass"]
    )


def test_authors_are_told_which_organisation_a_quiz_leaves_without_a_fair_draw(
    organisations, two_policy_quiz
):
    quiz, _, herts = two_policy_quiz
    assert quiz_audience_problems(quiz=quiz) == []
    # Five of the six Hertfordshire questions go: one is left, for a quiz of three.
    quiz.questions.filter(text__in=[f"Herts {number}?" for number in range(5)]).delete()
    problems = quiz_audience_problems(quiz=quiz)
    assert len(problems) == 1
    assert problems[0].startswith("Staff of Hertfordshire County Council cannot take this quiz")
    # And a Hertfordshire learner is refused rather than given a one-question quiz.
    with pytest.raises(AttemptError, match="enough questions on the policies"):
        attempt_begin(person=PersonFactory(organisation=organisations["herts"]), quiz=quiz)


def test_authors_are_told_which_organisation_would_be_asked_the_same_questions_on_a_retry(
    organisations, two_policy_quiz
):
    """The bank as a whole is far over twice the draw, but one organisation's share of it is not:
    its staff would see the same questions on every retry, and a pass would measure memory."""
    quiz, _, _ = two_policy_quiz
    quiz.questions.filter(text__in=["Herts 0?", "Herts 1?", "Herts 2?"]).delete()
    problems = quiz_audience_problems(quiz=quiz)
    assert problems == [
        "Staff of Hertfordshire County Council would be asked the same questions again on a "
        "retry, so a retry would test memory of the last attempt: 3 questions per attempt come "
        "from outside the counted topics, where 3 are held; at least 6 are needed so that a retry "
        "can see different questions. Add questions on the policies that apply to them."
    ]
    # It is an author's problem to fix, not a learner's: Hertfordshire staff can still start.
    attempt = attempt_begin(person=PersonFactory(organisation=organisations["herts"]), quiz=quiz)
    assert _asked(attempt) == {"Herts"}


def test_authors_are_told_when_one_organisations_share_gives_its_keys_away(
    organisations, two_policy_quiz
):
    """Four of the twelve right answers are the longest option (33 %: the whole bank passes),
    but all four are Hertfordshire's, four of its six (67 %)."""
    quiz, _, _ = two_policy_quiz
    Option.objects.filter(
        question__text__in=[f"Herts {number}?" for number in range(4)], is_correct=True
    ).update(text="Option 0 option option option")  # longer, and no odd one out
    assert key_cue_problems(quiz=quiz_check_spec(quiz=quiz)[0]) == []
    assert quiz_audience_problems(quiz=quiz) == [
        "Staff of Hertfordshire County Council are asked only the questions on their own "
        "policies, and among those: The right answer is the longest option in 4 of the 6 "
        "single-choice questions (67 %); no more than 40 % may be, or picking the longest option "
        "passes without knowing the policy: write some wrong options as fully as the right one, "
        "or say the right one more briefly."
    ]


def test_submitting_a_quiz_that_would_repeat_one_organisations_questions_is_refused(
    organisations, two_policy_quiz, client_for, people
):
    """The quiz editor lists the problem and keeps the quiz out of review until it is fixed."""
    quiz, _, _ = two_policy_quiz
    quiz.questions.filter(text__in=["Herts 0?", "Herts 1?", "Herts 2?"]).delete()
    response = client_for(people["author"]).post(
        reverse("wagtailsnippets_quizzes_quiz:edit", args=[quiz.pk]),
        {**_quiz_form(quiz, total="3"), "action-submit": "action-submit"},
    )
    assert response.status_code == 200
    assert (
        "Staff of Hertfordshire County Council would be asked the same questions again on a retry"
        in response.content.decode()
    )
    assert Quiz.objects.get(pk=quiz.pk).current_workflow_state is None


# --- certificates --------------------------------------------------------------------------------


def test_certificates_name_only_the_documents_that_applied(
    organisations, two_policy_quiz, monkeypatch
):
    # The PDF itself is not the point here: a small stand-in is stored instead.
    monkeypatch.setattr(
        "certificates.services.certificate_pdf_render",
        lambda *, certificate: f"%PDF-1.7\n% {certificate.serial}\n%%EOF\n".encode(),
    )
    quiz, cafcass, herts = two_policy_quiz
    quiz.pass_mark = 0  # the answers do not matter here, only what was asked
    quiz.save()
    person = PersonFactory(organisation=organisations["herts"])
    certificate = module_certificate_for(person=person, quiz=quiz)
    assert [policy["title"] for policy in certificate.scope["policies"]] == [
        "Hertfordshire chapter"
    ]
    assert set(certificate.clauses.all()) == {herts}
    base = certificate_issue_base_competence(person=person)
    assert [policy["title"] for policy in base.scope["policies"]] == ["Hertfordshire chapter"]
