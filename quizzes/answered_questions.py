"""The reports' rows of submitted attempts (``AnsweredQuestion``): one per question shown, copied
from what the attempt stored and never changed after (a trigger refuses it). Item analysis, the
most-missed clauses and the managers' insight read them (``quizzes.selectors``)."""

from decimal import Decimal

from lms.sql import rows_insert

from .models import AnsweredQuestion


def answered_questions_record(*, attempts):
    """Write the reports' rows (``AnsweredQuestion``) of submitted ``attempts``, one per question
    in the order shown, from what each attempt stored: its snapshot, results and answers. A
    submission's rows are written by the worker (``quizzes.submitted``); data written straight
    into the table (a bank import's history, the bench) calls it afterwards. Attempts not
    submitted are skipped; ``quizzes`` migration 0010 holds a copy of it for the attempts
    submitted before the table existed."""
    rows = []
    for attempt in attempts:
        if attempt.submitted_at is None:
            continue
        results = {str(result["question"]): result for result in attempt.results}
        attempt_points = sum((Decimal(result["points"]) for result in results.values()), Decimal(0))
        for position, question in enumerate(attempt.questions, start=1):
            result = results[str(question["id"])]
            rows.append(
                {
                    "attempt_id": attempt.pk,
                    "quiz_id": attempt.quiz_id,
                    "person_id": attempt.person_id,
                    "submitted_at": attempt.submitted_at,
                    "position": position,
                    "question_id": question["id"],
                    "version": question["version"],
                    "points": result["points"],
                    "max_points": result["max_points"],
                    "correct": bool(result["correct"]),
                    "response": attempt.answers.get(str(question["id"])),
                    "attempt_points": attempt_points,
                }
            )
    rows_insert(model=AnsweredQuestion, rows=rows)
