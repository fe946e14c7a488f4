"""Multiple response: pick every option that applies."""

from decimal import Decimal

from wagtail import blocks
from wagtail.admin.panels import FieldPanel, InlinePanel

from modules.content_import import ContentError

from ..models import MultipleResponseQuestion, PartialCredit
from ..question_inputs import checkboxes_html
from .base import (
    MAX_POINTS,
    ZERO,
    IncompleteResponse,
    InvalidResponse,
    QuestionKind,
    QuestionScore,
    fraction,
    option_ids,
    options_by_id,
    review_item,
    spec_entries,
)
from .panels import OPTION_PANELS, QUESTION_PANELS


class MultipleResponseKind(QuestionKind):
    name = "multiple_response"
    label = "Multiple-response questions"
    icon = "list-ul"
    hint = "Select all that apply."
    inputs_html = staticmethod(checkboxes_html)

    model = MultipleResponseQuestion
    editor_label = "Multiple response"

    def editor_fields(self):
        return [
            (
                "partial_credit",
                blocks.ChoiceBlock(
                    choices=PartialCredit.choices,
                    required=False,
                    help_text="Leave empty to use the quiz's rule.",
                ),
            ),
            *super().editor_fields(),
        ]

    def editor_value(self, question):
        return {"partial_credit": question.partial_credit, **super().editor_value(question)}

    def editor_apply(self, question, value):
        super().editor_apply(question, value)
        question.partial_credit = value["partial_credit"] or ""

    def panels(self):
        return QUESTION_PANELS + [
            FieldPanel("partial_credit"),
            InlinePanel("options", min_num=2, max_num=10, label="Options", panels=OPTION_PANELS),
        ]

    def parse(self, question, values):
        values = [value for value in values if value != ""]
        if any(value not in option_ids(question) for value in values):
            raise InvalidResponse("That answer is not one of this question's options.")
        if len(set(values)) != len(values):
            raise InvalidResponse("Each option can be chosen only once.")
        if not values:
            raise IncompleteResponse("Choose at least one answer.")
        chosen = set(values)
        return [option_id for option_id in option_ids(question) if option_id in chosen]

    def score(self, question, response):
        options = options_by_id(question)
        right = {option_id for option_id, option in options.items() if option["correct"]}
        chosen = set(response)
        if question.get("partial_credit") == "per_option":
            penalty = Decimal(question.get("wrong_pick_penalty", "1"))
            earned = len(chosen & right) - penalty * len(chosen - right)
            points = fraction(earned, len(right)) if right else (MAX_POINTS if not chosen else ZERO)
        else:
            points = MAX_POINTS if chosen == right else ZERO
        return QuestionScore(points=points, max_points=MAX_POINTS)

    def answer_text(self, question, response):
        options = options_by_id(question)
        return "; ".join(options[option_id]["text"] for option_id in response)

    def review_items(self, question, response, *, every_option=False):
        chosen = set(response or [])
        return [
            review_item(
                option,
                given="Chosen" if option["id"] in chosen else "Not chosen",
                expected="Applies" if option["correct"] else "Does not apply",
                right=(option["id"] in chosen) == option["correct"],
            )
            for option in question["options"]
        ]

    def example_values(self, question, *, right=True):
        options = question["options"]
        if right:
            return [option["id"] for option in options if option["correct"]]
        return [option["id"] for option in options if not option["correct"]] or [options[0]["id"]]

    def correct_options_problem(self, correct):
        if correct >= 1:
            return None
        return (
            "A multiple-response question needs at least one correct option. "
            "Mark at least one option as correct."
        )

    def create_question(self, *, spec, quiz, sort_order, clause_for):
        options, correct = spec_entries(spec, "options", "correct")
        self.content_check(spec=spec, correct=correct)
        partial_credit = spec.get("partial_credit", "")
        if partial_credit not in ("", *PartialCredit.values):
            raise ContentError(
                f"question {spec['key']}: “partial_credit” must be one of {', '.join(PartialCredit.values)}"
            )
        return self.question_with_options_create(
            spec=spec,
            quiz=quiz,
            sort_order=sort_order,
            clause_for=clause_for,
            entries=options,
            correct_field="correct",
            partial_credit=partial_credit,
        )


MULTIPLE_RESPONSE = MultipleResponseKind()
