"""Ordering: put the steps of a procedure in order. The authored order is the key."""

from wagtail.admin.panels import FieldPanel, InlinePanel

from modules.content_import import ContentError

from ..drawing import items_shuffle
from ..models import OrderingQuestion
from ..question_inputs import position_selects_html
from .base import (
    MAX_POINTS,
    ZERO,
    IncompleteResponse,
    InvalidResponse,
    QuestionKind,
    QuestionScore,
    item_values,
    options_by_id,
    review_item,
    spec_field,
)
from .panels import QUESTION_PANELS


class OrderingKind(QuestionKind):
    name = "ordering"
    label = "Ordering questions"
    icon = "order"
    hint = "Give each step its position, 1 for the first."
    inputs_html = staticmethod(position_selects_html)
    item_label = "Step"

    model = OrderingQuestion
    editor_label = "Ordering"
    options_label = "Steps, in the correct order"
    option_text_label = "Step"
    correct_label = None  # the order is the key

    def panels(self):
        return QUESTION_PANELS + [
            InlinePanel(
                "options",
                min_num=2,
                max_num=10,
                label="Steps, in the correct order",
                panels=[FieldPanel("text"), FieldPanel("feedback"), FieldPanel("clause")],
            )
        ]

    def shown_options(self, options, *, quiz, rng):
        # Always shuffled, whatever the quiz says: shown in the authored order, it is the key.
        return items_shuffle(options=options, rng=rng)

    def parse(self, question, values):
        count = len(question["options"])

        def check_position(value):
            if not value.isdigit() or not 1 <= int(value) <= count:
                raise InvalidResponse(f"Positions run from 1 to {count}.")

        positions = item_values(
            question,
            values,
            check_value=check_position,
            missing_message="Give every step a position.",
        )
        if len(set(positions.values())) != len(positions):
            raise IncompleteResponse("Give each step a different position.")
        return sorted(positions, key=lambda option_id: int(positions[option_id]))

    def score(self, question, response):
        expected = [
            option["id"]
            for option in sorted(question["options"], key=lambda option: option["position"])
        ]
        # A procedure done in the wrong order is not the procedure: no credit for part of it.
        return QuestionScore(
            points=MAX_POINTS if list(response) == expected else ZERO, max_points=MAX_POINTS
        )

    def answer_text(self, question, response):
        options = options_by_id(question)
        return "; ".join(
            f"{position}. {options[option_id]['text']}"
            for position, option_id in enumerate(response, start=1)
        )

    def review_items(self, question, response, *, every_option=False):
        given_position = {
            option_id: position for position, option_id in enumerate(response or [], start=1)
        }
        return [
            review_item(
                option,
                given=f"Position {given_position[option['id']]}"
                if option["id"] in given_position
                else "",
                expected=f"Position {option['position']}",
                right=given_position.get(option["id"]) == option["position"],
            )
            for option in sorted(question["options"], key=lambda option: option["position"])
        ]

    def example_values(self, question, *, right=True):
        count = len(question["options"])
        return [
            f"{option['id']}={option['position'] if right else count + 1 - option['position']}"
            for option in question["options"]
        ]

    def create_question(self, *, spec, quiz, sort_order, clause_for):
        items = spec_field(spec, "items")
        if not isinstance(items, list):
            raise ContentError(f"question {spec['key']}: “items” must be a list")
        # Items are listed in the correct order, which becomes the options' sort order.
        return self.question_with_options_create(
            spec=spec,
            quiz=quiz,
            sort_order=sort_order,
            clause_for=clause_for,
            entries=items,
            correct_field=None,
        )


ORDERING = OrderingKind()
