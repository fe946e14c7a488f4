"""Reads for quizzes."""

from .models import Attempt


def attempt_for_person(*, person, attempt_id):
    """The person's own attempt, or None: nobody reaches someone else's attempt by its id."""
    return Attempt.objects.select_related("quiz__module").filter(person=person, pk=attempt_id).first()


def attempt_result_rows(*, attempt):
    """What the result page shows for each question: the answer given, whether it was right,
    and the feedback and clause for it. Only ever called on a submitted attempt."""
    results = {row["question"]: row for row in attempt.results}
    rows = []
    for question in attempt.questions:
        question_id = str(question["id"])
        chosen_id = attempt.answers[question_id]
        chosen = next(option for option in question["options"] if option["id"] == chosen_id)
        rows.append(
            {
                "question": question,
                "chosen": chosen,
                "correct": results[question_id]["correct"],
                "correct_options": [option for option in question["options"] if option["correct"]],
            }
        )
    return rows
