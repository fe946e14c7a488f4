"""Creating quiz questions from the shipped content files (see modules/content_import.py)."""

from .models import Option, SingleChoiceQuestion, TrueFalseQuestion


class ContentError(ValueError):
    pass


def _common(spec, quiz, sort_order):
    return {
        "quiz": quiz,
        "sort_order": sort_order,
        "key": spec["key"],
        "topic": spec.get("topic", ""),
        "text": spec["text"],
        "explanation": spec.get("explanation", ""),
        "critical": bool(spec.get("critical", False)),
    }


def _single_choice(*, spec, quiz, sort_order, clause_for):
    correct = [option for option in spec["options"] if option["correct"]]
    if len(correct) != 1:
        raise ContentError(f"question {spec['key']}: a single-choice question needs exactly one correct option")
    question = SingleChoiceQuestion.objects.create(**_common(spec, quiz, sort_order))
    Option.objects.bulk_create(
        Option(
            question=question,
            sort_order=index,
            text=option["text"],
            is_correct=bool(option["correct"]),
            feedback=option["feedback"],
            clause=clause_for(option["clause"]),
        )
        for index, option in enumerate(spec["options"])
    )
    return question


def _true_false(*, spec, quiz, sort_order, clause_for):
    return TrueFalseQuestion.objects.create(
        **_common(spec, quiz, sort_order),
        correct_answer=bool(spec["answer"]),
        feedback_true=spec["feedback_true"],
        feedback_false=spec["feedback_false"],
        clause=clause_for(spec["clause"]),
    )


# content "type" -> creator. Types missing here are reported by the importer, not silently dropped.
QUESTION_CREATORS = {
    "single_choice": _single_choice,
    "true_false": _true_false,
}


def question_create_from_spec(*, spec, quiz, sort_order, clause_for):
    creator = QUESTION_CREATORS.get(spec["type"])
    if creator is None:
        return None
    return creator(spec=spec, quiz=quiz, sort_order=sort_order, clause_for=clause_for)
