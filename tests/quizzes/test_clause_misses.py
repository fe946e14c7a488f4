"""Most-missed clauses, against figures worked out by hand from attempts whose snapshots are
written out here: ties, a clause no one was asked, one attempt, the trend by month, a reporting
line, and one query for the figures however many attempts."""

import datetime

import pytest

from django.db import connection
from django.utils import timezone

from people.selectors import reporting_line
from quizzes.answered_questions import answered_questions_record
from quizzes.models import Attempt
from quizzes.selectors import clause_misses, months_back
from tests.factories import facts_refresh

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 15)
JUNE = timezone.make_aware(datetime.datetime(2026, 6, 10, 12))
APRIL = timezone.make_aware(datetime.datetime(2026, 4, 10, 12))
LAST_YEAR = timezone.make_aware(datetime.datetime(2025, 5, 10, 12))  # before the 12 months


def clause(clause_id, reference):
    return {
        "id": clause_id,
        "organisation": "Council",
        "document": "Safeguarding",
        "document_version": "1",
        "reference": reference,
        "version": 1,
        "heading": f"Heading {reference}",
    }


A, B, C, D = clause(1, "2.1"), clause(2, "2.2"), clause(3, "3"), clause(4, "10")


def question(question_id, *clauses, version="v1"):
    return {
        "id": question_id,
        "type": "single_choice",
        "text": f"Question {question_id}?",
        "version": version,
        "options": [
            {"id": str(n), "text": f"Option {n}", "correct": n == 0, "clause": cited}
            for n, cited in enumerate(clauses)
        ],
    }


Q1, Q2, Q3, Q4 = question(11, A), question(12, A, B), question(13, B), question(14, D)
Q5 = question(15, C)  # in the bank, never asked


def sit(person, quiz, at, shown=None, **right_or_wrong):
    """An attempt of the questions named (``q1=True`` right, ``q1=False`` missed); ``shown``
    replaces their snapshots."""
    shown = shown or [globals()[name.upper()] for name in right_or_wrong]
    attempt = Attempt.objects.create(
        person=person,
        quiz=quiz,
        pass_mark=quiz.pass_mark,
        questions=shown,
        results=[
            {
                "question": str(q["id"]),
                "points": "1" if right else "0",
                "max_points": "1",
                "correct": right,
            }
            for q, right in zip(shown, right_or_wrong.values(), strict=True)
        ],
        answers={},
        submitted_at=at,
        passed=False,
        score=0,
        max_score=1,
        percent=0,
    )
    # Written straight into the table, as the submission would have: its reports' rows too.
    answered_questions_record(attempts=[attempt])
    facts_refresh(person=person, module=quiz.module)
    return attempt


@pytest.fixture
def sittings(people, quiz):
    p = people
    sit(p["staff"], quiz, JUNE, q1=False, q2=True, q4=False)
    sit(p["deep"], quiz, JUNE, q1=True, q2=False, q3=False, q4=True)
    sit(p["lead"], quiz, JUNE, q1=False, q4=False)
    sit(p["other_staff"], quiz, JUNE, q4=True)
    sit(p["author"], quiz, JUNE, q4=False)
    sit(p["staff"], quiz, APRIL, q3=True)
    sit(p["staff"], quiz, LAST_YEAR, q1=False, q3=False)  # outside the window
    # An attempt still open (not submitted) never counts.
    Attempt.objects.create(
        person=p["auditor"], quiz=quiz, pass_mark=60, questions=[Q1], results=[], answers={}
    )
    return quiz


def by_clause(rows):
    return {row.reference: row for row in rows}


def test_the_figures_worked_out_by_hand(sittings):
    rows = clause_misses(today=TODAY)
    # A: Q1 asked 3, missed 2; Q2 asked 2, missed 1 -> 5 asked, 3 missed, 60 %.
    # D: Q4 asked 5, missed 3 -> 60 %: a tie with A on share and on times missed, so the
    #    library's order decides, and "10" comes after "2.1" (numbers, not text).
    # B: Q2 asked 2, missed 1; Q3 asked 2 (June missed, April right) -> 4 asked, 2 missed, 50 %.
    # C: no one was asked its question: not listed (a share of nothing is not 0 %).
    assert [row.reference for row in rows] == ["2.1", "10", "2.2"]
    a, d, b = rows
    assert (a.asked, a.missed, a.share_missed) == (5, 3, 60)
    assert (d.asked, d.missed, d.share_missed) == (5, 3, 60)
    assert (b.asked, b.missed, b.share_missed) == (4, 2, 50)
    assert [(q.question_id, q.asked, q.missed) for q in a.questions] == [(11, 3, 2), (12, 2, 1)]
    assert [q.text for q in b.questions] == ["Question 12?", "Question 13?"]
    assert a.people is None  # not counted unless asked for


def test_the_trend_has_every_month_of_the_window(sittings):
    b = by_clause(clause_misses(today=TODAY))["2.2"]
    assert [month.month for month in b.months] == months_back(today=TODAY, months=12)
    assert b.months[0].month == datetime.date(2025, 7, 1)
    months = {month.month: (month.asked, month.missed) for month in b.months}
    assert months[datetime.date(2026, 6, 1)] == (3, 2)
    assert months[datetime.date(2026, 4, 1)] == (1, 0)
    assert months[datetime.date(2026, 5, 1)] == (0, 0)
    assert sum(asked for asked, _ in months.values()) == b.asked


def test_people_are_counted_for_the_small_numbers_rule(sittings):
    rows = by_clause(clause_misses(today=TODAY, count_people=True))
    assert rows["2.1"].people == 3  # staff, deep, lead
    assert rows["10"].people == 5
    june = {month.month: month.people for month in rows["2.2"].months}
    assert june[datetime.date(2026, 6, 1)] == 2  # staff (Q2) and deep (Q2, Q3)
    assert june[datetime.date(2026, 5, 1)] == 0


def test_a_reporting_line_counts_only_its_own_people(sittings, people):
    rows = by_clause(clause_misses(people=reporting_line(manager=people["manager"]), today=TODAY))
    # The line is staff, lead and deep: Q4 by staff (missed), deep (right), lead (missed).
    assert (rows["10"].asked, rows["10"].missed) == (3, 2)
    assert (rows["2.1"].asked, rows["2.1"].missed) == (5, 3)
    nobody = clause_misses(people=reporting_line(manager=people["other_staff"]), today=TODAY)
    assert nobody == []


def test_one_attempt(people, quiz):
    sit(people["staff"], quiz, JUNE, q3=False)
    (only,) = clause_misses(today=TODAY, count_people=True)
    assert (only.reference, only.asked, only.missed, only.share_missed, only.people) == (
        "2.2",
        1,
        1,
        100,
        1,
    )


def test_versions_of_a_question_count_together(people, quiz):
    newer = dict(Q3, version="v2", text="Question 13, reworded?")
    sit(people["staff"], quiz, JUNE, shown=[newer], q3=False)
    sit(people["deep"], quiz, JUNE, q3=True)
    (only,) = clause_misses(today=TODAY)
    assert (only.asked, only.missed) == (2, 1)
    assert len(only.questions) == 1


def test_no_attempts_no_rows(db):
    assert clause_misses(today=TODAY) == []


def test_the_figures_take_two_queries_however_many_attempts(
    sittings, people, quiz, django_assert_num_queries
):
    # On PostgreSQL the report also turns the JIT compiler off and back on (lms.sql.without_jit).
    queries = 2 + (2 if connection.vendor == "postgresql" else 0)
    with django_assert_num_queries(queries):
        clause_misses(today=TODAY)
    for _ in range(5):
        sit(people["deep"], quiz, JUNE, q1=True, q3=True)
    with django_assert_num_queries(queries):
        clause_misses(today=TODAY)
