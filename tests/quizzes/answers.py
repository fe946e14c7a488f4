"""Raw form values for a question snapshot, as the quiz page would post them."""


def right_values(question):
    options = question["options"]
    kind = question["type"]
    if kind in ("single_choice", "true_false"):
        return [next(option["id"] for option in options if option["correct"])]
    if kind == "multiple_response":
        return [option["id"] for option in options if option["correct"]]
    if kind == "ordering":
        return [f"{option['id']}={option['position']}" for option in options]
    return [
        f"{option['id']}={'appropriate' if option['appropriate'] else 'not_appropriate'}"
        for option in options
    ]


def wrong_values(question):
    options = question["options"]
    kind = question["type"]
    if kind in ("single_choice", "true_false"):
        return [next(option["id"] for option in options if not option["correct"])]
    if kind == "multiple_response":
        return [option["id"] for option in options if not option["correct"]] or [options[0]["id"]]
    if kind == "ordering":
        count = len(options)
        return [f"{option['id']}={count + 1 - option['position']}" for option in options]
    return [
        f"{option['id']}={'not_appropriate' if option['appropriate'] else 'appropriate'}"
        for option in options
    ]


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
