"""Scenario judgement: rate each of several actions as appropriate or not."""

from wagtail.admin.panels import FieldPanel, InlinePanel

from ..models import ScenarioJudgementQuestion
from ..question_inputs import judgement_radios_html
from .base import (
    MAX_POINTS,
    InvalidResponse,
    QuestionKind,
    QuestionScore,
    fraction,
    item_values,
    option_ids,
    options_by_id,
    review_item,
    spec_entries,
)
from .panels import QUESTION_PANELS

APPROPRIATE = "appropriate"
NOT_APPROPRIATE = "not_appropriate"
JUDGEMENTS = {APPROPRIATE: True, NOT_APPROPRIATE: False}
JUDGEMENT_LABELS = {True: "Appropriate", False: "Not appropriate"}


class ScenarioJudgementKind(QuestionKind):
    name = "scenario_judgement"
    label = "Scenario judgement questions"
    icon = "pick"
    hint = "Rate each action as appropriate or not appropriate."
    inputs_html = staticmethod(judgement_radios_html)
    item_label = "Action"
    judgements = [(APPROPRIATE, "Appropriate"), (NOT_APPROPRIATE, "Not appropriate")]

    model = ScenarioJudgementQuestion
    editor_label = "Scenario judgement"
    options_label = "Actions"
    option_text_label = "Action"
    correct_label = "Appropriate"

    def panels(self):
        return QUESTION_PANELS + [
            InlinePanel(
                "options",
                min_num=2,
                max_num=10,
                label="Actions",
                panels=[
                    FieldPanel("text"),
                    FieldPanel("is_correct", heading="Appropriate"),
                    FieldPanel("feedback"),
                    FieldPanel("clause"),
                ],
            )
        ]

    def parse(self, question, values):
        def check_judgement(value):
            if value not in JUDGEMENTS:
                raise InvalidResponse("Rate each action as appropriate or not appropriate.")

        given = item_values(
            question,
            values,
            check_value=check_judgement,
            missing_message="Rate every action as appropriate or not.",
        )
        return {option_id: JUDGEMENTS[given[option_id]] for option_id in option_ids(question)}

    def score(self, question, response):
        options = question["options"]
        right = sum(1 for option in options if response[option["id"]] == option["appropriate"])
        return QuestionScore(points=fraction(right, len(options)), max_points=MAX_POINTS)

    def answer_text(self, question, response):
        options = options_by_id(question)
        return "; ".join(
            f"{options[option_id]['text']}: {JUDGEMENT_LABELS[value]}"
            for option_id, value in response.items()
        )

    def review_items(self, question, response, *, every_option=False):
        response = response or {}
        return [
            review_item(
                option,
                given=JUDGEMENT_LABELS[response[option["id"]]] if option["id"] in response else "",
                expected=JUDGEMENT_LABELS[option["appropriate"]],
                right=response.get(option["id"]) == option["appropriate"],
            )
            for option in question["options"]
        ]

    def example_values(self, question, *, right=True):
        return [
            f"{option['id']}={APPROPRIATE if option['appropriate'] == right else NOT_APPROPRIATE}"
            for option in question["options"]
        ]

    def create_question(self, *, spec, quiz, sort_order, clause_for):
        actions, _ = spec_entries(spec, "actions", "appropriate")
        return self.question_with_options_create(
            spec=spec,
            quiz=quiz,
            sort_order=sort_order,
            clause_for=clause_for,
            entries=actions,
            correct_field="appropriate",
        )


SCENARIO_JUDGEMENT = ScenarioJudgementKind()
