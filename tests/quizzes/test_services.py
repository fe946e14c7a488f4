"""Starting, saving and submitting attempts: snapshots, draws, limits, time and tampering."""

import datetime
import random

import pytest

from django.utils import timezone

from certificates.models import Certificate
from quizzes.models import Attempt, TopicDraw
from quizzes.services import (
    AttemptAlreadySubmitted,
    AttemptError,
    AttemptStale,
    AttemptTimeUp,
    attempt_close_overdue,
    attempt_save_progress,
    attempt_start,
    attempt_submit,
)
from tests.factories import PersonFactory, attempt_begin, single_choice_create
from tests.quizzes.answers import answers_for, right_values, wrong_values

pytestmark = pytest.mark.django_db


def _fields(attempt):
    return {field.name: getattr(attempt, field.name) for field in Attempt._meta.concrete_fields}


def _unchanged(attempt):
    """The row exactly as it was: the proof that nothing was saved."""
    before = _fields(attempt)
    return lambda: _fields(Attempt.objects.get(pk=attempt.pk)) == before


def test_start_freezes_every_question_with_its_version_and_order(people, mixed_quiz):
    attempt = attempt_begin(person=people["staff"], quiz=mixed_quiz, rng=random.Random(1))
    assert sorted(question["type"] for question in attempt.questions) == [
        "multiple_response",
        "ordering",
        "scenario_judgement",
        "single_choice",
        "true_false",
    ]
    assert all(len(question["version"]) == 16 for question in attempt.questions)
    attempt.refresh_from_db()
    assert (
        attempt_begin(person=people["staff"], quiz=mixed_quiz).questions == attempt.questions
    )  # order kept
    ordering = next(question for question in attempt.questions if question["type"] == "ordering")
    assert [option["position"] for option in ordering["options"]] != [1, 2, 3]  # always shuffled
    for question in attempt.questions:
        for option in question["options"]:
            assert option["clause"]["reference"] == "2.19" and option["clause"]["version"] == 1


def test_a_reload_returns_the_open_attempt_instead_of_drawing_again(people, mixed_quiz):
    first = attempt_begin(person=people["staff"], quiz=mixed_quiz)
    assert attempt_begin(person=people["staff"], quiz=mixed_quiz) == first
    assert Attempt.objects.count() == 1


def test_editing_a_question_changes_its_version_but_not_the_attempts_that_saw_it(
    people, mixed_quiz
):
    attempt = attempt_begin(person=people["staff"], quiz=mixed_quiz)
    question = mixed_quiz.questions.get(sort_order=0)
    seen = attempt.questions[0]
    option = question.options.first()
    option.text = "Reworded option"
    option.save()
    fresh = question.snapshot()
    assert fresh["version"] != seen["version"]
    attempt.refresh_from_db()
    assert attempt.questions[0] == seen


def test_shuffled_options_and_questions_vary_between_attempts(people, mixed_quiz):
    mixed_quiz.shuffle_options = mixed_quiz.shuffle_questions = True
    mixed_quiz.save()
    orders = set()
    for seed in range(8):
        attempt = attempt_begin(person=people["staff"], quiz=mixed_quiz, rng=random.Random(seed))
        orders.add(
            tuple((q["id"], tuple(o["id"] for o in q["options"])) for q in attempt.questions)
        )
        Attempt.objects.filter(pk=attempt.pk).delete()
    assert len(orders) > 1


def test_start_draws_per_topic_and_always_asks_critical_questions(people, module, clause):
    from tests.factories import QuizFactory

    quiz = QuizFactory(module=module, questions_per_attempt=3)
    for index in range(4):
        question = single_choice_create(
            quiz=quiz, clause=clause, sort_order=index, critical=index == 3
        )
        question.topic = "Privacy" if index < 2 else "Threats"
        question.save()
    TopicDraw.objects.create(quiz=quiz, topic="Privacy", count=1)
    for seed in range(10):
        attempt = attempt_begin(person=people["staff"], quiz=quiz, rng=random.Random(seed))
        topics = [question["topic"] for question in attempt.questions]
        assert sorted(topics) == ["Privacy", "Threats", "Threats"]
        assert any(question["critical"] for question in attempt.questions)
        Attempt.objects.filter(pk=attempt.pk).delete()


def test_start_is_refused_when_the_settings_cannot_be_met(people, quiz):
    quiz.questions_per_attempt = 10
    quiz.save()
    with pytest.raises(AttemptError, match="settings do not match its questions"):
        attempt_begin(person=people["staff"], quiz=quiz)
    assert not Attempt.objects.exists()


def test_submit_scores_every_type_and_a_pass_issues_the_certificate_on_commit(
    people, mixed_quiz, django_capture_on_commit_callbacks
):
    attempt = attempt_begin(person=people["staff"], quiz=mixed_quiz)
    with django_capture_on_commit_callbacks(execute=True):
        attempt = attempt_submit(attempt=attempt, answers=answers_for(attempt))
    assert (attempt.score, attempt.max_score, attempt.percent, attempt.passed) == (5, 5, 100, True)
    assert [row["correct"] for row in attempt.results] == [True] * 5
    assert Certificate.objects.get(attempt=attempt).person == people["staff"]


@pytest.mark.parametrize("wrong_count", [0, 3])
def test_the_submitted_attempt_holds_what_the_database_holds_without_reading_it_back(
    people, mixed_quiz, wrong_count
):
    attempt = attempt_begin(person=people["staff"], quiz=mixed_quiz)
    wrong = {question["id"] for question in attempt.questions[:wrong_count]}
    answers = answers_for(attempt, wrong=wrong)
    submitted = attempt_submit(attempt=attempt, answers=answers)
    stored = Attempt.objects.get(pk=attempt.pk)
    for field in (
        "submitted_at",
        "answers",
        "draft",
        "results",
        "score",
        "max_score",
        "percent",
        "passed",
    ):
        assert getattr(submitted, field) == getattr(stored, field), field
        assert type(getattr(submitted, field)) is type(getattr(stored, field)), field
    assert submitted.answers and submitted.passed is (wrong_count == 0)


def test_a_wrong_critical_answer_fails_the_attempt_whatever_the_total(people, mixed_quiz):
    mixed_quiz.questions.filter(sort_order=2).update(critical=True)
    attempt = attempt_begin(person=people["staff"], quiz=mixed_quiz)
    critical_id = next(question["id"] for question in attempt.questions if question["critical"])
    attempt = attempt_submit(attempt=attempt, answers=answers_for(attempt, wrong={critical_id}))
    assert attempt.percent == 80 and attempt.pass_mark == 60
    assert attempt.passed is False
    assert not Certificate.objects.exists()


def test_a_second_submission_is_refused_and_changes_nothing(people, quiz):
    attempt = attempt_begin(person=people["staff"], quiz=quiz)
    stale_copy = Attempt.objects.get(pk=attempt.pk)
    attempt_submit(attempt=attempt, answers=answers_for(attempt))
    unchanged = _unchanged(attempt)
    wrong = answers_for(stale_copy, wrong={question["id"] for question in stale_copy.questions})
    with pytest.raises(AttemptAlreadySubmitted):
        attempt_submit(attempt=stale_copy, answers=wrong)  # the row changed under this copy
    with pytest.raises(AttemptAlreadySubmitted):
        attempt_submit(attempt=Attempt.objects.get(pk=attempt.pk), answers=wrong)
    with pytest.raises(AttemptAlreadySubmitted):
        attempt_save_progress(attempt=Attempt.objects.get(pk=attempt.pk), answers={})
    assert unchanged()


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (lambda attempt, answers: answers | {"999999": ["1"]}, "not part of this attempt"),
        (
            lambda attempt, answers: (
                answers
                | {str(attempt.questions[0]["id"]): [attempt.questions[1]["options"][0]["id"]]}
            ),
            "Some answers need your attention",
        ),
        (
            lambda attempt, answers: answers | {str(attempt.questions[3]["id"]): ["424242=1"]},
            "Some answers need your attention",
        ),
        (
            lambda attempt, answers: dict(list(answers.items())[1:]),
            "Some answers need your attention",
        ),
    ],
    ids=[
        "question not in attempt",
        "option of another question",
        "unknown ordering item",
        "unanswered question",
    ],
)
def test_a_bad_submission_is_refused_and_nothing_is_saved(people, mixed_quiz, tamper, message):
    attempt = attempt_begin(person=people["staff"], quiz=mixed_quiz)
    unchanged = _unchanged(attempt)
    with pytest.raises(AttemptError, match=message):
        attempt_submit(attempt=attempt, answers=tamper(attempt, answers_for(attempt)))
    assert unchanged()


def test_saving_along_the_way_keeps_partial_answers_and_counts_revisions(people, mixed_quiz):
    attempt = attempt_begin(person=people["staff"], quiz=mixed_quiz)
    first, ordering = attempt.questions[0], attempt.questions[3]
    partial = {
        str(first["id"]): right_values(first),
        str(ordering["id"]): right_values(ordering)[:1],
    }
    attempt = attempt_save_progress(attempt=attempt, answers=partial, revision=0)
    assert attempt.draft == partial and attempt.revision == 1 and attempt.saved_at is not None
    assert attempt.submitted_at is None


def test_a_stale_save_or_submit_is_refused_and_nothing_is_saved(people, quiz):
    attempt = attempt_begin(person=people["staff"], quiz=quiz)
    first = attempt.questions[0]
    attempt = attempt_save_progress(
        attempt=attempt, answers={str(first["id"]): right_values(first)}, revision=0
    )
    unchanged = _unchanged(attempt)
    with pytest.raises(AttemptStale, match="out of date"):
        attempt_save_progress(
            attempt=attempt, answers={str(first["id"]): wrong_values(first)}, revision=0
        )
    with pytest.raises(AttemptStale):
        attempt_submit(attempt=attempt, answers=answers_for(attempt), revision=0)
    assert unchanged()


def test_a_save_naming_a_foreign_option_is_refused_whole(people, mixed_quiz):
    attempt = attempt_begin(person=people["staff"], quiz=mixed_quiz)
    first, second = attempt.questions[0], attempt.questions[1]
    unchanged = _unchanged(attempt)
    with pytest.raises(AttemptError, match="not recognised") as error:
        attempt_save_progress(
            attempt=attempt,
            answers={
                str(first["id"]): right_values(first),
                str(second["id"]): [first["options"][0]["id"]],
            },
        )
    assert str(second["id"]) in error.value.errors
    assert unchanged()


def test_a_time_limit_sets_a_deadline_and_refuses_late_submissions(people, quiz):
    quiz.time_limit_minutes, quiz.grace_seconds = 20, 30
    quiz.save()
    started = timezone.now()
    attempt = attempt_begin(person=people["staff"], quiz=quiz, now=started)
    assert attempt.deadline == started + datetime.timedelta(minutes=20)
    assert attempt.submit_by == attempt.deadline + datetime.timedelta(seconds=30)
    unchanged = _unchanged(attempt)
    late = attempt.submit_by + datetime.timedelta(seconds=1)
    with pytest.raises(AttemptTimeUp, match="ran out"):
        attempt_submit(attempt=attempt, answers=answers_for(attempt), now=late)
    with pytest.raises(AttemptTimeUp):
        attempt_save_progress(attempt=attempt, answers={}, now=late)
    assert unchanged()
    within_grace = attempt.deadline + datetime.timedelta(seconds=29)
    assert (
        attempt_submit(attempt=attempt, answers=answers_for(attempt), now=within_grace).passed
        is True
    )


def test_an_overdue_attempt_is_closed_from_its_saved_answers_and_never_passes(people, quiz):
    quiz.time_limit_minutes = 10
    quiz.save()
    started = timezone.now() - datetime.timedelta(hours=1)
    attempt = attempt_begin(person=people["staff"], quiz=quiz, now=started)
    all_right = answers_for(attempt)
    attempt = attempt_save_progress(
        attempt=attempt, answers=all_right, now=started + datetime.timedelta(minutes=5)
    )
    attempt = attempt_close_overdue(attempt=attempt)
    assert attempt.timed_out is True and attempt.passed is False
    assert attempt.submitted_at == attempt.submit_by
    assert attempt.percent == 100  # scored for the record only
    # The next start opens a fresh attempt.
    assert attempt_begin(person=people["staff"], quiz=quiz) != attempt


def test_a_start_after_an_overdue_attempt_closes_it_first(people, quiz):
    quiz.time_limit_minutes = 10
    quiz.save()
    old = attempt_begin(
        person=people["staff"], quiz=quiz, now=timezone.now() - datetime.timedelta(hours=1)
    )
    new = attempt_begin(person=people["staff"], quiz=quiz)
    old.refresh_from_db()
    assert new != old and old.timed_out is True and old.passed is False


def _fail(person, quiz, now):
    attempt = attempt_begin(person=person, quiz=quiz, now=now)
    return attempt_submit(
        attempt=attempt,
        answers=answers_for(attempt, wrong={q["id"] for q in attempt.questions}),
        now=now,
    )


def test_after_the_allowed_failures_the_person_waits_out_the_cooldown(people, quiz):
    quiz.attempts_before_cooldown, quiz.cooldown_hours = 2, 24
    quiz.save()
    staff, start = people["staff"], timezone.now() - datetime.timedelta(hours=2)
    _fail(staff, quiz, start)
    last = _fail(staff, quiz, start + datetime.timedelta(minutes=5))
    with pytest.raises(AttemptError, match="You can try again from") as error:
        attempt_begin(person=staff, quiz=quiz)
    assert Attempt.objects.filter(submitted_at__isnull=True).count() == 0
    assert (
        str(timezone.localtime(last.submitted_at + datetime.timedelta(hours=24)).day)
        in error.value.message
    )
    later = last.submitted_at + datetime.timedelta(hours=24, seconds=1)
    assert attempt_begin(person=staff, quiz=quiz, now=later).submitted_at is None


def test_no_attempt_limit_means_no_cooldown(people, quiz):
    quiz.attempts_before_cooldown = None
    quiz.save()
    for _ in range(4):
        _fail(people["staff"], quiz, timezone.now())
    assert attempt_begin(person=people["staff"], quiz=quiz).submitted_at is None


def _steps_done_up_to(*, person, module, count):
    from modules.selectors import module_steps
    from modules.services import module_decision_record, module_progress_start, module_step_complete

    progress = module_progress_start(person=person, module=module)
    for number in range(1, count + 1):
        if module_steps(progress=progress)[number - 1].block_type == "decision":
            module_decision_record(progress=progress, number=number, choice_index=0)
        module_step_complete(progress=progress, number=number)
    return progress


def test_a_quiz_does_not_start_before_the_module_is_begun(people, quiz):
    with pytest.raises(
        AttemptError, match="Work through every step of the module before you take its quiz"
    ):
        attempt_start(person=people["staff"], quiz=quiz)
    assert not Attempt.objects.exists()


def test_a_quiz_does_not_start_part_way_through_the_module(people, quiz, module):
    progress = _steps_done_up_to(person=people["staff"], module=module, count=len(module.steps) - 1)
    assert progress.steps_finished_at is None
    with pytest.raises(AttemptError, match="Nothing was started"):
        attempt_start(person=people["staff"], quiz=quiz)
    assert not Attempt.objects.exists()


def test_a_quiz_starts_once_every_step_is_done(people, quiz, module):
    progress = _steps_done_up_to(person=people["staff"], module=module, count=len(module.steps))
    assert progress.steps_finished_at is not None
    attempt = attempt_start(person=people["staff"], quiz=quiz)
    assert Attempt.objects.get().pk == attempt.pk


def test_a_quiz_that_can_be_taken_without_the_module_starts_without_progress(people, quiz):
    quiz.can_take_without_module = True
    quiz.save()
    attempt = attempt_start(person=people["staff"], quiz=quiz)
    assert attempt.person == people["staff"] and attempt.questions


def test_someone_who_passed_may_sit_the_quiz_again_but_not_after_restarting_the_module(
    people, quiz, module
):
    from modules.services import module_progress_start

    staff = people["staff"]
    attempt = attempt_begin(person=staff, quiz=quiz)
    attempt_submit(attempt=attempt, answers=answers_for(attempt))
    assert (
        attempt_start(person=staff, quiz=quiz).submitted_at is None
    )  # the finished run's steps count
    Attempt.objects.filter(submitted_at__isnull=True).delete()
    module_progress_start(
        person=staff, module=module
    )  # a fresh run through the module, not yet done
    with pytest.raises(AttemptError, match="Work through every step"):
        attempt_start(person=staff, quiz=quiz)


def test_a_retry_draws_none_of_the_questions_the_first_attempt_showed(people, module, clause):
    from tests.factories import QuizFactory

    quiz = QuizFactory(module=module, questions_per_attempt=3, attempts_before_cooldown=None)
    for index in range(6):
        single_choice_create(quiz=quiz, clause=clause, sort_order=index, text=f"Question {index}?")
    staff = people["staff"]
    shown = []
    for seed in range(3):
        attempt = attempt_begin(person=staff, quiz=quiz, rng=random.Random(seed))
        shown.append({question["id"] for question in attempt.questions})
        attempt_submit(
            attempt=attempt,
            answers=answers_for(attempt, wrong={q["id"] for q in attempt.questions}),
        )
    assert not shown[0] & shown[1]
    assert shown[0] | shown[1] == set(quiz.questions.values_list("pk", flat=True))
    assert shown[2] == shown[0]  # the least recently seen come back first


def test_when_a_retry_must_repeat_it_asks_again_what_was_missed(people, module, clause):
    """Four questions, three per attempt: the second attempt asks the one not yet shown and must
    repeat two of the first's. It repeats the two the person got wrong there, not the one they got
    right, whose answer they could take from the last result page without knowing the rule."""
    from tests.factories import QuizFactory

    quiz = QuizFactory(
        module=module, questions_per_attempt=3, attempts_before_cooldown=None, pass_mark=100
    )
    for index in range(4):
        single_choice_create(quiz=quiz, clause=clause, sort_order=index, text=f"Question {index}?")
    all_ids = set(quiz.questions.values_list("pk", flat=True))
    for seed in range(5):
        staff = PersonFactory()
        first = attempt_begin(person=staff, quiz=quiz, rng=random.Random(seed))
        first_ids = [question["id"] for question in first.questions]
        right_once, *missed = first_ids
        attempt_submit(attempt=first, answers=answers_for(first, wrong=set(missed)))
        second = attempt_begin(person=staff, quiz=quiz, rng=random.Random(seed + 100))
        second_ids = {question["id"] for question in second.questions}
        assert second_ids == (all_ids - set(first_ids)) | set(missed)
        assert right_once not in second_ids


def test_critical_variants_in_a_counted_topic_take_turns(people, module, clause):
    from tests.factories import QuizFactory

    quiz = QuizFactory(module=module, attempts_before_cooldown=None)
    variants = set()
    for index in range(3):
        question = single_choice_create(
            quiz=quiz, clause=clause, sort_order=index, critical=True, text=f"RIPA {index}?"
        )
        question.topic = "RIPA"
        question.save()
        variants.add(question.pk)
    single_choice_create(quiz=quiz, clause=clause, sort_order=3, text="Other?")
    TopicDraw.objects.create(quiz=quiz, topic="RIPA", count=1)
    asked = []
    for _ in range(3):
        attempt = attempt_begin(person=people["staff"], quiz=quiz)
        ids = {question["id"] for question in attempt.questions}
        assert len(ids & variants) == 1
        asked += list(ids & variants)
        attempt_submit(attempt=attempt, answers=answers_for(attempt))
    assert set(asked) == variants


def test_options_are_shuffled_by_default(people, module, clause):
    from tests.factories import QuizFactory

    quiz = QuizFactory(module=module)
    assert quiz.shuffle_options and quiz.shuffle_questions and not quiz.can_take_without_module
    single_choice_create(quiz=quiz, clause=clause, n_options=4)
    keyed_positions = set()
    for seed in range(12):
        attempt = attempt_begin(person=people["staff"], quiz=quiz, rng=random.Random(seed))
        keyed_positions.add(
            [option["correct"] for option in attempt.questions[0]["options"]].index(True)
        )
        Attempt.objects.filter(pk=attempt.pk).delete()
    assert len(keyed_positions) > 1
