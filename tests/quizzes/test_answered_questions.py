"""The reports' answered questions (``AnsweredQuestion``) against the attempts' snapshots they
copy: written once for each submission by the worker (``quizzes.submitted``; the request
itself writes none: tests/quizzes/test_submission_follow_up.py) and never changed, filled for attempts submitted before the
table, and giving the same item analysis and most-missed clauses as the snapshots did, on a
fixed, random-looking set of attempts (several people, repeated attempts, two versions of a
question, part marks, unanswered questions, months apart)."""

import datetime
import importlib
import inspect
import random
from decimal import Decimal

import pytest

from django.apps import apps as django_apps
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from people.selectors import reporting_line
from quizzes import selectors
from quizzes.answered_questions import answered_questions_record
from quizzes.item_analysis import item_analysis
from quizzes.models import AnsweredQuestion, Attempt
from quizzes.selectors import (
    ALL_ATTEMPTS,
    ATTEMPT_BASES,
    clause_misses,
    item_analysis_attempts,
    quiz_item_analysis,
)
from quizzes.services import attempt_submit
from tests.factories import attempt_begin, facts_refresh, submission_followed_up
from tests.quizzes.answers import answers_for

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 15)


@pytest.fixture
def mixed_attempts(people, quiz):
    """Forty submitted attempts written straight into the table, as a generator would, from the
    quiz's real snapshots, seeded so that every run sees the same ones."""
    rng = random.Random(19)
    snapshots = [question.snapshot(quiz=quiz) for question in quiz.questions.all()]
    reworded = {**snapshots[0], "text": "First question, reworded?", "version": "reworded"}
    everyone = list(people.values())
    for index in range(40):
        shown = [reworded if index % 3 == 0 else snapshots[0], *snapshots[1:]]
        rng.shuffle(shown)
        results, answers = [], {}
        for question in shown:
            option_ids = [option["id"] for option in question["options"]]
            given = rng.choice([None, *option_ids])
            right = next(o["id"] for o in question["options"] if o["correct"])
            points = (
                "0.00"
                if given is None
                else ("1.00" if given == right else rng.choice(["0.00", "0.50"]))
            )
            if given is not None:
                answers[str(question["id"])] = given
            results.append(
                {
                    "question": str(question["id"]),
                    "points": points,
                    "max_points": "1.00",
                    "correct": points == "1.00",
                }
            )
        score = sum(Decimal(result["points"]) for result in results)
        attempt = Attempt.objects.create(
            person=everyone[index % len(everyone)],
            quiz=quiz,
            pass_mark=quiz.pass_mark,
            questions=shown,
            results=results,
            answers=answers,
            submitted_at=timezone.make_aware(
                datetime.datetime(2026, 1, 1) + datetime.timedelta(hours=rng.randint(0, 4000))
            ),
            score=score,
            max_score=len(shown),
            percent=100 * score / len(shown),
            passed=False,
        )
        answered_questions_record(attempts=[attempt])
        facts_refresh(person=attempt.person, module=quiz.module)
    return quiz


def _same_statistics(table_rows, snapshot_rows):
    assert [(row.question_id, row.version) for row in table_rows] == [
        (row.question_id, row.version) for row in snapshot_rows
    ]
    for new, old in zip(table_rows, snapshot_rows, strict=True):
        for name in ("facility", "standard_deviation", "discrimination", "efficiency"):
            assert getattr(new, name) == pytest.approx(getattr(old, name), abs=1e-9), name
        assert (new.type, new.text, new.attempts, new.responses, new.flags) == (
            old.type,
            old.text,
            old.attempts,
            old.responses,
            old.flags,
        )


@pytest.mark.parametrize("basis", sorted(ATTEMPT_BASES))
def test_item_analysis_from_the_table_is_the_snapshots_item_analysis(mixed_attempts, basis):
    from_snapshots = item_analysis(
        attempts=item_analysis_attempts(quiz=mixed_attempts, basis=basis)
    )
    from_table = quiz_item_analysis(quiz=mixed_attempts, basis=basis)
    # The fixture is worth comparing: both versions, part marks, unanswered, several attempts.
    assert any(row.version is None for row in from_table)
    assert any(response.response == "No answer" for row in from_table for response in row.responses)
    assert all(row.attempts > 1 for row in from_table)
    _same_statistics(from_table, from_snapshots)


def test_item_analysis_of_a_quiz_nobody_submitted_is_empty(quiz, people):
    attempt_begin(person=people["staff"], quiz=quiz)
    assert quiz_item_analysis(quiz=quiz, basis=ALL_ATTEMPTS) == []


def snapshot_question_months(*, people, since, by_person):
    """``quizzes.selectors._question_month_sql`` as it was before ``AnsweredQuestion``: the
    database unpacks every attempt's snapshot. Kept here as the reference the table must match."""
    table = Attempt._meta.db_table
    if connection.vendor == "postgresql":
        source = (
            f"{table} a CROSS JOIN LATERAL jsonb_array_elements(a.questions) WITH ORDINALITY"
            " AS q(value, n) JOIN LATERAL jsonb_array_elements(a.results) WITH ORDINALITY"
            " AS r(value, n) ON r.n = q.n"
        )
        question_id, version = "q.value->>'id'", "q.value->>'version'"
        result_question = "r.value->>'question'"
        missed = "CASE WHEN r.value->>'correct' = 'true' THEN 0 ELSE 1 END"
        month = "to_char(a.submitted_at AT TIME ZONE %s, 'YYYY-MM')"
        month_params = [settings.TIME_ZONE]
    else:
        source = f"{table} a, json_each(a.questions) AS q, json_each(a.results) AS r"
        question_id = "CAST(json_extract(q.value, '$.id') AS TEXT)"
        version = "json_extract(q.value, '$.version')"
        result_question = "CAST(json_extract(r.value, '$.question') AS TEXT)"
        missed = "CASE WHEN json_extract(r.value, '$.correct') = 1 THEN 0 ELSE 1 END"
        month = "strftime('%%Y-%%m', a.submitted_at)"  # UTC: SQLite knows no time zones
        month_params = []
    where = [f"{result_question} = {question_id}", "a.submitted_at IS NOT NULL"]
    params = []
    if connection.vendor != "postgresql":
        where.append("r.key = q.key")
    where.append("a.submitted_at >= %s")
    params.append(since)
    if people is not None:
        people_sql, people_params = people.values("pk").query.sql_with_params()
        where.append(f"a.person_id IN ({people_sql})")
        params.extend(people_params)
    # By position, as the report does: with server-side parameters the month expression written
    # twice would be two expressions to PostgreSQL.
    groups = ["1", "2", "3"] + (["4"] if by_person else [])
    sql = (
        f"SELECT {question_id}, {version}, {month}, "  # noqa: S608  (our own names; values bound)
        f"{'a.person_id' if by_person else 'NULL'}, COUNT(*), SUM({missed}), MIN(a.id) "
        f"FROM {source} WHERE {' AND '.join(where)} GROUP BY {', '.join(groups)} "
        # Added: the old query left the order, and so which version's text a question showed,
        # to the database; both now list the latest first.
        "ORDER BY MAX(a.submitted_at) DESC, MAX(a.id) DESC"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, month_params + params)
        return cursor.fetchall()


@pytest.mark.parametrize("count_people", [False, True])
@pytest.mark.parametrize("line", [None, "manager"])
def test_most_missed_clauses_from_the_table_are_the_snapshots_ones(
    mixed_attempts, people, monkeypatch, count_people, line
):
    who = reporting_line(manager=people[line]) if line else None
    from_table = clause_misses(people=who, today=TODAY, count_people=count_people)
    monkeypatch.setattr(selectors, "_question_month_sql", snapshot_question_months)
    from_snapshots = clause_misses(people=who, today=TODAY, count_people=count_people)
    assert from_table
    assert from_table == from_snapshots


def test_a_submission_writes_its_answered_questions_in_order(people, quiz):
    attempt = attempt_begin(person=people["staff"], quiz=quiz)
    wrong = {attempt.questions[0]["id"]}
    attempt = submission_followed_up(
        attempt_submit(attempt=attempt, answers=answers_for(attempt, wrong=wrong))
    )
    rows = list(AnsweredQuestion.objects.filter(attempt=attempt).order_by("position"))
    assert [(row.position, row.question_id, row.version) for row in rows] == [
        (number, question["id"], question["version"])
        for number, question in enumerate(attempt.questions, start=1)
    ]
    results = {int(result["question"]): result for result in attempt.results}
    for row in rows:
        assert (row.quiz_id, row.person_id, row.submitted_at) == (
            quiz.pk,
            people["staff"].pk,
            attempt.submitted_at,
        )
        assert row.correct == results[row.question_id]["correct"]
        assert row.points == Decimal(results[row.question_id]["points"])
        assert row.max_points == Decimal(results[row.question_id]["max_points"])
        assert row.response == attempt.answers[str(row.question_id)]
        assert row.attempt_points == attempt.score
    assert [row.correct for row in rows] == [False, True, True]


def test_an_attempt_closed_when_its_time_ran_out_records_unanswered_questions_as_null(people, quiz):
    """Closed with one question answered in time: that one keeps its answer, the others are
    stored as SQL NULL (not JSON null), and every row scores nothing but the answer it had."""
    from quizzes.services import attempt_close_overdue, attempt_save_progress

    quiz.time_limit_minutes = 10
    quiz.save()
    attempt = attempt_begin(person=people["staff"], quiz=quiz)
    first = attempt.questions[0]
    attempt_save_progress(
        attempt=attempt, answers={str(first["id"]): answers_for(attempt)[str(first["id"])]}
    )
    attempt = submission_followed_up(
        attempt_close_overdue(
            attempt=attempt, now=attempt.submit_by + datetime.timedelta(seconds=1)
        )
    )
    assert attempt.timed_out
    rows = list(AnsweredQuestion.objects.filter(attempt=attempt).order_by("position"))
    assert len(rows) == len(attempt.questions)
    assert rows[0].response is not None and rows[0].correct
    unanswered = AnsweredQuestion.objects.filter(attempt=attempt, response__isnull=True)
    assert unanswered.count() == len(attempt.questions) - 1
    assert {row.points for row in rows[1:]} == {Decimal(0)}


def test_a_refused_submission_writes_no_answered_questions(people, quiz):
    attempt = attempt_begin(person=people["staff"], quiz=quiz)
    submission_followed_up(attempt_submit(attempt=attempt, answers=answers_for(attempt)))
    with pytest.raises(Exception, match="already"):
        attempt_submit(attempt=attempt, answers=answers_for(attempt))
    submission_followed_up(attempt)
    assert AnsweredQuestion.objects.filter(attempt=attempt).count() == len(attempt.questions)


def test_answered_questions_cannot_be_changed(people, quiz):
    attempt = attempt_begin(person=people["staff"], quiz=quiz)
    submission_followed_up(attempt_submit(attempt=attempt, answers=answers_for(attempt)))
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AnsweredQuestion.objects.filter(attempt=attempt).update(correct=False)
    assert set(AnsweredQuestion.objects.values_list("correct", flat=True)) == {True}


def test_open_attempts_get_no_answered_questions(people, quiz):
    attempt = attempt_begin(person=people["staff"], quiz=quiz)
    answered_questions_record(attempts=[attempt])
    assert not AnsweredQuestion.objects.exists()


def test_the_migration_fills_the_table_for_attempts_submitted_before_it(mixed_attempts):
    expected = sorted(
        AnsweredQuestion.objects.values_list(
            "attempt_id", "position", "question_id", "version", "points", "correct", "response"
        )
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Past the append-only trigger (TRUNCATE fires no row trigger), once the deferred
            # foreign key checks of the inserts have run.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {AnsweredQuestion._meta.db_table}")
    else:
        AnsweredQuestion.objects.all().delete()
    migration = importlib.import_module("quizzes.migrations.0011_answeredquestion")
    migration.answered_fill(django_apps, None)
    assert (
        sorted(
            AnsweredQuestion.objects.values_list(
                "attempt_id", "position", "question_id", "version", "points", "correct", "response"
            )
        )
        == expected
    )


@pytest.mark.postgres
def test_the_planner_knows_how_few_groups_item_analysis_makes():
    # The extended statistics must name exactly the columns the item analysis groups by
    # (quizzes.selectors._answer_groups_sql), or the planner goes back to sorting every row.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT array_agg(a.attname ORDER BY a.attname) FROM pg_statistic_ext s "
            "JOIN pg_attribute a ON a.attrelid = s.stxrelid AND a.attnum = ANY(s.stxkeys) "
            "WHERE s.stxname = 'quizzes_answeredquestion_groups' AND 'd' = ANY(s.stxkind)"
        )
        columns = cursor.fetchone()[0]
    assert columns == sorted(["question_id", "version", "points", "attempt_points", "response"])
    sql = inspect.getsource(selectors._answer_groups_sql)
    assert "GROUP BY question_id, version, points, attempt_points, response" in sql


def _submitted_straight(*, person, quiz, answers, results):
    snapshots = [question.snapshot(quiz=quiz) for question in quiz.questions.all()]
    attempt = Attempt.objects.create(
        person=person,
        quiz=quiz,
        pass_mark=quiz.pass_mark,
        questions=snapshots,
        results=results(snapshots),
        answers=answers(snapshots),
        submitted_at=timezone.now(),
        score=0,
        max_score=len(snapshots),
        percent=0,
        passed=False,
    )
    facts_refresh(person=person, module=quiz.module)  # written straight, as a generator would
    return attempt


def _results_all_wrong(snapshots):
    return [
        {"question": str(q["id"]), "points": "0", "max_points": "1", "correct": False}
        for q in snapshots
    ]


def test_an_answer_stored_as_json_null_is_no_answer(people, quiz):
    attempt = _submitted_straight(
        person=people["staff"],
        quiz=quiz,
        answers=lambda snapshots: {str(snapshots[0]["id"]): None},
        results=_results_all_wrong,
    )
    answered_questions_record(attempts=[attempt])
    first = AnsweredQuestion.objects.get(attempt=attempt, position=1)
    assert first.response is None
    assert AnsweredQuestion.objects.filter(attempt=attempt, response__isnull=True).count() == len(
        attempt.questions
    )


def test_a_question_without_a_result_writes_no_row_at_all(people, quiz):
    """A broken record is refused whole, on either database, rather than copied in part."""
    attempt = _submitted_straight(
        person=people["staff"],
        quiz=quiz,
        answers=lambda snapshots: {},
        results=lambda snapshots: _results_all_wrong(snapshots)[1:],
    )
    with pytest.raises((KeyError, DatabaseError)), transaction.atomic():
        answered_questions_record(attempts=[attempt])
    assert not AnsweredQuestion.objects.filter(attempt=attempt).exists()


def test_the_rows_follow_the_attempts_in_the_order_given(people, quiz):
    earlier, later = (
        _submitted_straight(
            person=people["staff"], quiz=quiz, answers=lambda s: {}, results=_results_all_wrong
        )
        for _ in range(2)
    )
    answered_questions_record(attempts=[later, earlier])
    written = list(
        AnsweredQuestion.objects.filter(attempt__in=[earlier, later])
        .order_by("pk")
        .values_list("attempt_id", "position")
    )
    count = len(later.questions)
    assert written == [(later.pk, n) for n in range(1, count + 1)] + [
        (earlier.pk, n) for n in range(1, count + 1)
    ]
