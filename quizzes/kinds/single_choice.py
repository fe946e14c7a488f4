"""Single choice: one option is right."""

from wagtail.admin.panels import InlinePanel

from ..models import SingleChoiceQuestion
from ..question_inputs import radios_html
from .base import (
    MAX_POINTS,
    ZERO,
    IncompleteResponse,
    InvalidResponse,
    QuestionKind,
    QuestionScore,
    option_ids,
    options_by_id,
    review_item,
    spec_entries,
)
from .panels import OPTION_PANELS, QUESTION_PANELS


class OneOptionKind(QuestionKind):
    """Kinds answered by choosing one option (single choice, true/false)."""

    inputs_html = staticmethod(radios_html)
    result_template = "quizzes/kinds/one_option_result.html"

    def parse(self, question, values):
        values = [value for value in values if value != ""]
        if any(value not in option_ids(question) for value in values):
            raise InvalidResponse("That answer is not one of this question's options.")
        if not values:
            raise IncompleteResponse("Choose an answer.")
        if len(values) > 1:
            raise InvalidResponse("Choose only one answer.")
        return values[0]

    def score(self, question, response):
        chosen = options_by_id(question)[response]
        return QuestionScore(
            points=MAX_POINTS if chosen["correct"] else ZERO, max_points=MAX_POINTS
        )

    def answer_text(self, question, response):
        return options_by_id(question)[response]["text"]

    def review_items(self, question, response, *, every_option=False):
        """The option chosen and, when it was wrong, the option the policy expects; for the
        auditor's evidence (``every_option``), every option shown."""
        if every_option:
            return [
                review_item(
                    option,
                    given="Chosen" if option["id"] == response else "Not chosen",
                    expected="Right answer" if option["correct"] else "",
                    right=(option["id"] == response) == option["correct"],
                )
                for option in question["options"]
            ]
        items = []
        for option in question["options"]:
            chosen = option["id"] == response
            if chosen or option["correct"]:
                items.append(
                    review_item(
                        option,
                        given=option["text"] if chosen else "",
                        expected="Right answer" if option["correct"] else "",
                    )
                )
        return items

    def example_values(self, question, *, right=True):
        return [next(option["id"] for option in question["options"] if option["correct"] == right)]


class SingleChoiceKind(OneOptionKind):
    name = "single_choice"
    label = "Single-choice questions"
    icon = "radio-full"
    key_position_matters = True

    model = SingleChoiceQuestion
    editor_label = "Single choice"
    max_options = 8

    def panels(self):
        return QUESTION_PANELS + [
            InlinePanel("options", min_num=2, max_num=8, label="Options", panels=OPTION_PANELS)
        ]

    def correct_options_problem(self, correct):
        if correct == 1:
            return None
        return (
            "A single-choice question needs exactly one correct option. "
            "Mark exactly one option as correct."
        )

    def create_question(self, *, spec, quiz, sort_order, clause_for):
        options, correct = spec_entries(spec, "options", "correct")
        self.content_check(spec=spec, correct=correct)
        return self.question_with_options_create(
            spec=spec,
            quiz=quiz,
            sort_order=sort_order,
            clause_for=clause_for,
            entries=options,
            correct_field="correct",
        )


SINGLE_CHOICE = SingleChoiceKind()
