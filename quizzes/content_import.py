"""Creating quiz questions from the shipped content files (see modules/content_import.py and
/work/briefs/content-schema.md). A question the file gets wrong raises ContentError naming it."""

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
    field_validator,
)

from django.db import transaction

from .drawing import BankEntry, draw_problems
from .models import (
    MultipleResponseQuestion,
    Option,
    OrderingQuestion,
    PartialCredit,
    Quiz,
    ScenarioJudgementQuestion,
    SingleChoiceQuestion,
    TopicDraw,
    TrueFalseQuestion,
)


class ContentError(ValueError):
    pass


class TopicDrawSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    topic: StrictStr = Field(min_length=1, max_length=100)
    count: StrictInt = Field(ge=1)


class QuizSettings(BaseModel):
    """The draw and access settings a content file may give its quiz; anything left out takes the
    model's default (shuffled, every question, the module first, no limit of attempts in total)."""

    questions_per_attempt: StrictInt | None = Field(default=None, ge=1)
    shuffle_questions: StrictBool = True
    shuffle_options: StrictBool = True
    topic_draws: list[TopicDrawSpec] = []
    can_take_without_module: StrictBool = False
    max_attempts: StrictInt | None = Field(default=None, ge=1)

    @field_validator("topic_draws")
    @classmethod
    def _topics_once(cls, draws):
        topics = [draw.topic for draw in draws]
        twice = sorted({topic for topic in topics if topics.count(topic) > 1})
        if twice:
            raise ValueError(f"the topic “{twice[0]}” is listed twice")
        return draws


SETTINGS_FIELDS = tuple(QuizSettings.model_fields)


def quiz_settings_parse(*, spec):
    """The quiz settings of a content file's "quiz" object, or ContentError naming the field."""
    try:
        return QuizSettings.model_validate(
            {name: spec[name] for name in SETTINGS_FIELDS if name in spec}
        )
    except ValidationError as error:
        first = error.errors()[0]
        where = "".join(
            f"[{part}]" if isinstance(part, int) else f".{part}" for part in first["loc"]
        ).lstrip(".")
        message = first["msg"].removeprefix("Value error, ")
        raise ContentError(f"quiz “{where}”: {message}") from error


def quiz_settings_problems(*, settings, questions):
    """Why the settings cannot be met by the file's own questions (those the loader can create),
    as sentences; empty when they can."""
    bank = [
        BankEntry(id=index, topic=spec.get("topic", ""), critical=bool(spec.get("critical", False)))
        for index, spec in enumerate(questions)
        if spec.get("type") in QUESTION_CREATORS
    ]
    return draw_problems(
        bank=bank,
        total=settings.questions_per_attempt,
        per_topic={draw.topic: draw.count for draw in settings.topic_draws},
    )


def quiz_create_from_spec(*, spec, module, settings):
    """A new quiz for the module with the file's title, pass mark and settings."""
    quiz = Quiz.objects.create(
        module=module,
        title=spec["title"],
        pass_mark=spec["pass_mark"],
        **settings.model_dump(exclude={"topic_draws"}),
    )
    TopicDraw.objects.bulk_create(
        TopicDraw(quiz=quiz, topic=draw.topic, count=draw.count, sort_order=index)
        for index, draw in enumerate(settings.topic_draws)
    )
    return quiz


def _field(spec, name, where=None):
    try:
        return spec[name]
    except (KeyError, TypeError) as error:
        raise ContentError(
            f"question {where or spec.get('key', '?')}: “{name}” is missing"
        ) from error


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
            raise ContentError(
                f"question {spec['key']}: every entry of “{entries_field}” needs “{correct_field}”"
            )
    return entries, sum(bool(entry[correct_field]) for entry in entries)


def _single_choice(*, spec, quiz, sort_order, clause_for):
    options, correct = _correct_count(spec, "options", "correct")
    if correct != 1:
        raise ContentError(
            f"question {spec['key']}: a single-choice question needs exactly one correct option"
        )
    question = SingleChoiceQuestion.objects.create(**_common(spec, quiz, sort_order))
    return _options_create(
        question=question,
        key=spec["key"],
        entries=options,
        correct_field="correct",
        clause_for=clause_for,
    )


def _multiple_response(*, spec, quiz, sort_order, clause_for):
    options, correct = _correct_count(spec, "options", "correct")
    if correct < 1:
        raise ContentError(
            f"question {spec['key']}: a multiple-response question needs at least one correct option"
        )
    partial_credit = spec.get("partial_credit", "")
    if partial_credit not in ("", *PartialCredit.values):
        raise ContentError(
            f"question {spec['key']}: “partial_credit” must be one of {', '.join(PartialCredit.values)}"
        )
    question = MultipleResponseQuestion.objects.create(
        **_common(spec, quiz, sort_order), partial_credit=partial_credit
    )
    return _options_create(
        question=question,
        key=spec["key"],
        entries=options,
        correct_field="correct",
        clause_for=clause_for,
    )


def _ordering(*, spec, quiz, sort_order, clause_for):
    items = _field(spec, "items")
    if not isinstance(items, list):
        raise ContentError(f"question {spec['key']}: “items” must be a list")
    question = OrderingQuestion.objects.create(**_common(spec, quiz, sort_order))
    # Items are listed in the correct order, which becomes the options' sort order.
    return _options_create(
        question=question, key=spec["key"], entries=items, correct_field=None, clause_for=clause_for
    )


def _scenario_judgement(*, spec, quiz, sort_order, clause_for):
    actions, _ = _correct_count(spec, "actions", "appropriate")
    question = ScenarioJudgementQuestion.objects.create(**_common(spec, quiz, sort_order))
    return _options_create(
        question=question,
        key=spec["key"],
        entries=actions,
        correct_field="appropriate",
        clause_for=clause_for,
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
