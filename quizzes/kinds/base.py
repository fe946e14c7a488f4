"""What every question kind shares: the scoring primitives (pure: a kind scores a response
against the attempt's snapshot without touching the database), the review item, and the
``QuestionKind`` each type fills in."""

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.db import transaction

from modules.content_import import ContentError

from ..drawing import options_order
from ..models import Option
from .editor import (
    COMMON_FIELDS,
    OPTION_ID_PREFIX,
    QuestionBlock,
    clause_block,
    common_blocks,
    options_block,
    options_raw,
    pk_from_item_id,
)

ZERO = Decimal("0")
MAX_POINTS = Decimal("1")  # every question is worth one point; partial credit is a share of it
CENT = Decimal("0.01")


class ResponseError(ValueError):
    """A response that cannot be scored: unanswered, or naming something the question does not offer."""


class InvalidResponse(ResponseError):
    """Names something the question does not offer: never from an honest form, so never saved."""


class IncompleteResponse(ResponseError):
    """Not (yet) a full answer: fine to save along the way, not to submit."""


@dataclass(frozen=True)
class QuestionScore:
    points: Decimal
    max_points: Decimal

    @property
    def correct(self):
        return self.points == self.max_points


def option_ids(question):
    return [option["id"] for option in question["options"]]


def options_by_id(question):
    return {option["id"]: option for option in question["options"]}


def fraction(numerator, denominator):
    """A share of the question's point, rounded down so that rounding never gives what was not earned."""
    if numerator <= 0:
        return ZERO
    return (MAX_POINTS * numerator / denominator).quantize(CENT, ROUND_DOWN)


def item_values(question, values, *, check_value, missing_message):
    """For kinds answered item by item (``"<option id>=<value>"``): map each item to its value,
    refusing unknown items, bad values and an item sent twice."""
    ids = set(option_ids(question))
    given = {}
    for raw in values:
        option_id, separator, value = str(raw).partition("=")
        if not separator or option_id not in ids:
            raise InvalidResponse("That answer is not one of this question's options.")
        if option_id in given:
            raise InvalidResponse("Each item can be answered only once.")
        if value == "":
            continue
        check_value(value)
        given[option_id] = value
    if set(given) != ids:
        raise IncompleteResponse(missing_message)
    return given


def review_item(option, *, given, expected, right=None):
    """One part of a reviewed answer: what was given, what the policy expects, why, and where."""
    clause = option["clause"]
    return {
        "text": option["text"],
        "given": given,
        "expected": expected,
        "right": option["correct"] if right is None else right,
        "feedback": option["feedback"],
        "clause": clause,
        "citation": (
            f"{clause['organisation']} {clause['document']} (version {clause['document_version']}), "
            f"{clause.get('where') or 'clause ' + clause['reference']}, "
            f"clause version {clause['version']}"
        ),
    }


def spec_field(spec, name, where=None):
    try:
        return spec[name]
    except (KeyError, TypeError) as error:
        raise ContentError(
            f"question {where or spec.get('key', '?')}: “{name}” is missing"
        ) from error


def spec_common(spec, quiz, sort_order):
    """The fields every question takes from a content file."""
    return {
        "quiz": quiz,
        "sort_order": sort_order,
        "key": spec_field(spec, "key"),
        "topic": spec.get("topic", ""),
        "text": spec_field(spec, "text"),
        "explanation": spec.get("explanation", ""),
        "critical": bool(spec.get("critical", False)),
    }


def spec_entries(spec, entries_field, correct_field):
    """A list of options (or items) from the file, each saying whether it is keyed; and how many are."""
    entries = spec_field(spec, entries_field)
    if not isinstance(entries, list):
        raise ContentError(f"question {spec['key']}: “{entries_field}” must be a list")
    for entry in entries:
        if correct_field not in entry:
            raise ContentError(
                f"question {spec['key']}: every entry of “{entries_field}” needs “{correct_field}”"
            )
    return entries, sum(bool(entry[correct_field]) for entry in entries)


def options_create(*, question, key, entries, correct_field, clause_for):
    if len(entries) < 2:
        raise ContentError(f"question {key}: needs at least two options")
    Option.objects.bulk_create(
        Option(
            question=question,
            sort_order=index,
            text=spec_field(entry, "text", key),
            is_correct=bool(entry.get(correct_field, False)) if correct_field else False,
            feedback=spec_field(entry, "feedback", key),
            clause=clause_for(spec_field(entry, "clause", key)),
        )
        for index, entry in enumerate(entries)
    )
    return question


class QuestionKind:
    """Everything about one type of question. Subclasses say how a response is read from the form
    and scored (``parse``, ``score``: pure, against the snapshot), how an answer reads back
    (``answer_text``, ``review_items``), how options are shown (``shown_options``), what makes a
    question of the type sound (``correct_options_problem``, for the admin form and the content
    loader alike), how a content file creates one (``create``), and how the admin edits one
    (``model``, ``panels``). ``inputs_html`` draws its inputs on the quiz page
    (``quizzes.question_inputs``) and ``result_template`` its result."""

    name = ""  # the snapshot's "type" and the content file's "type"
    label = ""
    icon = ""
    hint = ""
    result_template = "quizzes/kinds/items_result.html"
    item_label = "Option"  # what each part of an answer is called on the result page
    relabel_options = True  # option ids are replaced by opaque ones on the page
    # Whether the content check refuses keys piled up in one authored option position (for
    # kinds with one keyed option in an order an author chose).
    key_position_matters = False

    model = None  # the Question subclass

    # The quiz's question editor (``quizzes.kinds.editor``): what the options are called there,
    # the label of the box that keys one (None: the order is the key), and how many it may have.
    editor_label = ""
    options_label = "Options"
    option_text_label = "Option"
    correct_label = "Correct"
    max_options = 10

    def inputs_html(self, question):
        """The question's inputs, as ``quizzes.views.question_for_form`` describes them."""
        raise NotImplementedError

    def panels(self):
        raise NotImplementedError

    def editor_block(self):
        return QuestionBlock(
            common_blocks() + self.editor_fields(),
            kind=self,
            label=self.editor_label,
            icon=self.icon,
        )

    def editor_fields(self):
        """The blocks this kind adds to the common ones (text, topic, critical, explanation)."""
        return [
            (
                "options",
                options_block(
                    label=self.options_label,
                    text_label=self.option_text_label,
                    correct_label=self.correct_label,
                    max_num=self.max_options,
                ),
            ),
            # Most questions rest on one clause: chosen once here rather than once per option.
            (
                "clause",
                clause_block(
                    required=False,
                    help_text="The policy clause every option rests on, unless an option names "
                    "its own.",
                ),
            ),
        ]

    def editor_value(self, question):
        """The raw values of ``editor_fields`` for ``question``."""
        options, shared = options_raw(question.options.all(), with_correct=bool(self.correct_label))
        return {"options": options, "clause": shared}

    def editor_problem(self, value):
        """Why an edited question cannot be saved, beyond a single field's rule, or None."""
        if value["clause"] is None:
            uncited = [
                str(number)
                for number, option in enumerate(value["options"], start=1)
                if option["clause"] is None
            ]
            if uncited:
                which = (
                    f"option {uncited[0]} cites"
                    if len(uncited) == 1
                    else f"options {', '.join(uncited[:-1])} and {uncited[-1]} cite"
                )
                return (
                    "Choose the clause the question rests on, or one for each option: "
                    f"{which} none."
                )
        if not self.correct_label:
            return None
        return self.correct_options_problem(
            sum(bool(option["is_correct"]) for option in value["options"])
        )

    def editor_normalise(self, value):
        """``value`` as ``editor_value`` would give it back once saved (the shared clause on the
        question, an option's own only where it differs), so that an unchanged question reads as
        unchanged and gets no new revision."""
        children = value["options"].bound_blocks
        cited = {child.value["clause"] or value["clause"] for child in children}
        if len(cited) == 1:
            value["clause"] = cited.pop()
            for child in children:
                child.value["clause"] = None
        else:
            for child in children:
                child.value["clause"] = child.value["clause"] or value["clause"]
            value["clause"] = None
        return value

    def editor_apply(self, question, value):
        """Set the edited values on ``question`` in memory (options too, as a cluster): saving a
        revision or the row is the caller's business. An option keeps its row when the editor kept
        its id; an id naming another question's option is treated as new. An option without a
        clause of its own cites the question's."""
        for name in COMMON_FIELDS:
            setattr(question, name, value[name])
        own = {option.pk for option in question.options.all() if option.pk}
        question.options = [
            Option(
                pk=pk if (pk := pk_from_item_id(child.id, OPTION_ID_PREFIX)) in own else None,
                sort_order=index,
                text=child.value["text"],
                is_correct=bool(child.value.get("is_correct", False)),
                feedback=child.value["feedback"],
                clause=child.value["clause"] or value["clause"],
            )
            for index, child in enumerate(value["options"].bound_blocks)
        ]

    def parse(self, question, values):
        raise NotImplementedError

    def score(self, question, response):
        raise NotImplementedError

    def answer_text(self, question, response):
        raise NotImplementedError

    def review_items(self, question, response, *, every_option=False):
        raise NotImplementedError

    def example_values(self, question, *, right=True):
        """The raw form values of a right (or a wrong) answer to ``question``: for tests, the
        benchmarks' simulated learners and previews, never for a learner's page."""
        raise NotImplementedError

    def shown_options(self, options, *, quiz, rng):
        return options_order(options=options, shuffle=quiz.shuffle_options, rng=rng)

    def correct_options_problem(self, correct):
        """Why ``correct`` keyed options are wrong for this type, or None: one rule for the admin
        form and the content loader."""
        return None

    def content_check(self, *, spec, correct):
        problem = self.correct_options_problem(correct)
        if problem:
            raise ContentError(f"question {spec['key']}: {problem}")

    def create_question(self, *, spec, quiz, sort_order, clause_for):
        raise NotImplementedError

    def question_with_options_create(
        self, *, spec, quiz, sort_order, clause_for, entries, correct_field, **fields
    ):
        """A question of this kind from the file's common fields plus ``fields``, with an option
        for each of ``entries`` (keyed by ``correct_field``, or by their order when None)."""
        question = self.model.objects.create(**spec_common(spec, quiz, sort_order), **fields)
        return options_create(
            question=question,
            key=spec["key"],
            entries=entries,
            correct_field=correct_field,
            clause_for=clause_for,
        )

    def create(self, *, spec, quiz, sort_order, clause_for):
        """A question (with its options) from a content file's spec: all or nothing."""
        with transaction.atomic():
            return self.create_question(
                spec=spec, quiz=quiz, sort_order=sort_order, clause_for=clause_for
            )
