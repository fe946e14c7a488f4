"""Raw form values for a question snapshot, as the quiz page would post them."""

from quizzes.kinds import kind_of


def right_values(question):
    return kind_of(question).example_values(question, right=True)


def wrong_values(question):
    return kind_of(question).example_values(question, right=False)


def answers_for(attempt, *, wrong=()):
    """Every question answered right, except the question ids in ``wrong``."""
    return {
        str(question["id"]): (wrong_values if question["id"] in wrong else right_values)(question)
        for question in attempt.questions
    }


def post_data(attempt, answers, **extra):
    """The form fields for those answers: per-item values go in their own ``q-<question>.<item>`` field."""
    data = {}
    for question_id, values in answers.items():
        for value in values:
            item, separator, item_value = value.partition("=")
            if separator:
                data[f"q-{question_id}.{item}"] = item_value
            else:
                data.setdefault(f"q-{question_id}", []).append(value)
    return data | extra
