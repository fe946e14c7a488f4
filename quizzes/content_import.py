"""Creating quiz questions from the shipped content files (see modules/content_import.py and
/work/briefs/content-schema.md). A question the file gets wrong raises ContentError naming it."""

from django.db import transaction

from .models import (
    MultipleResponseQuestion,
    Option,
    OrderingQuestion,
    PartialCredit,
    ScenarioJudgementQuestion,
    SingleChoiceQuestion,
    TrueFalseQuestion,
)


class ContentError(ValueError):
    pass


def _field(spec, name, where=None):
    try:
        return spec[name]
    except (KeyError, TypeError) as error:
        raise ContentError(f"question {where or spec.get('key', '?')}: “{name}” is missing") from error


def _common(spec, quiz, sort_order):
    return {
        "quiz": quiz,
        "sort_order": sort_order,
        "key": _field(spec, "key"),
        "topic": spec.get("topic", ""),
        "text": _field(spec, "text"),
        "explanation": spec.get("explanation", ""),
        "critical": bool(spec.get("critical", False)),
    }


def _options_create(*, question, key, entries, correct_field, clause_for):
    if len(entries) < 2:
        raise ContentError(f"question {key}: needs at least two options")
    Option.objects.bulk_create(
        Option(
            question=question,
            sort_order=index,
            text=_field(entry, "text", key),
            is_correct=bool(entry.get(correct_field, False)) if correct_field else False,
            feedback=_field(entry, "feedback", key),
            clause=clause_for(_field(entry, "clause", key)),
        )
        for index, entry in enumerate(entries)
    )
    return question


def _correct_count(spec, entries_field, correct_field):
    entries = _field(spec, entries_field)
    if not isinstance(entries, list):
        raise ContentError(f"question {spec['key']}: “{entries_field}” must be a list")
    for entry in entries:
        if correct_field not in entry:
            raise ContentError(f"question {spec['key']}: every entry of “{entries_field}” needs “{correct_field}”")
    return entries, sum(bool(entry[correct_field]) for entry in entries)


def _single_choice(*, spec, quiz, sort_order, clause_for):
    options, correct = _correct_count(spec, "options", "correct")
    if correct != 1:
        raise ContentError(f"question {spec['key']}: a single-choice question needs exactly one correct option")
    question = SingleChoiceQuestion.objects.create(**_common(spec, quiz, sort_order))
    return _options_create(question=question, key=spec["key"], entries=options, correct_field="correct", clause_for=clause_for)


def _multiple_response(*, spec, quiz, sort_order, clause_for):
    options, correct = _correct_count(spec, "options", "correct")
    if correct < 1:
        raise ContentError(f"question {spec['key']}: a multiple-response question needs at least one correct option")
    partial_credit = spec.get("partial_credit", "")
    if partial_credit not in ("", *PartialCredit.values):
        raise ContentError(
            f"question {spec['key']}: “partial_credit” must be one of {', '.join(PartialCredit.values)}"
        )
    question = MultipleResponseQuestion.objects.create(**_common(spec, quiz, sort_order), partial_credit=partial_credit)
    return _options_create(question=question, key=spec["key"], entries=options, correct_field="correct", clause_for=clause_for)


def _ordering(*, spec, quiz, sort_order, clause_for):
    items = _field(spec, "items")
    if not isinstance(items, list):
        raise ContentError(f"question {spec['key']}: “items” must be a list")
    question = OrderingQuestion.objects.create(**_common(spec, quiz, sort_order))
    # Items are listed in the correct order, which becomes the options' sort order.
    return _options_create(question=question, key=spec["key"], entries=items, correct_field=None, clause_for=clause_for)


def _scenario_judgement(*, spec, quiz, sort_order, clause_for):
    actions, _ = _correct_count(spec, "actions", "appropriate")
    question = ScenarioJudgementQuestion.objects.create(**_common(spec, quiz, sort_order))
    return _options_create(
        question=question, key=spec["key"], entries=actions, correct_field="appropriate", clause_for=clause_for
    )


def _true_false(*, spec, quiz, sort_order, clause_for):
    if not isinstance(_field(spec, "answer"), bool):
        raise ContentError(f"question {spec['key']}: “answer” must be true or false")
    return TrueFalseQuestion.objects.create(
        **_common(spec, quiz, sort_order),
        correct_answer=spec["answer"],
        feedback_true=_field(spec, "feedback_true"),
        feedback_false=_field(spec, "feedback_false"),
        clause=clause_for(_field(spec, "clause")),
    )


# content "type" -> creator
QUESTION_CREATORS = {
    "single_choice": _single_choice,
    "multiple_response": _multiple_response,
    "true_false": _true_false,
    "ordering": _ordering,
    "scenario_judgement": _scenario_judgement,
}


def question_create_from_spec(*, spec, quiz, sort_order, clause_for):
    creator = QUESTION_CREATORS.get(_field(spec, "type"))
    if creator is None:
        raise ContentError(
            f"question {spec.get('key', '?')}: unknown question type “{spec['type']}” "
            f"(known: {', '.join(sorted(QUESTION_CREATORS))})"
        )
    with transaction.atomic():  # a bad option leaves no half-made question
        return creator(spec=spec, quiz=quiz, sort_order=sort_order, clause_for=clause_for)
