"""True or false: a statement about the policy."""

from wagtail import blocks
from wagtail.admin.panels import FieldPanel

from modules.content_import import ContentError

from ..models import TrueFalseQuestion
from .base import spec_common, spec_field
from .editor import COMMON_FIELDS, TrueFalseAnswerBlock, clause_block
from .panels import QUESTION_PANELS
from .single_choice import OneOptionKind


class TrueFalseKind(OneOptionKind):
    name = "true_false"
    label = "True/false questions"
    icon = "tick-inverse"
    relabel_options = False  # "true" and "false" give nothing away

    model = TrueFalseQuestion
    editor_label = "True or false"

    def editor_fields(self):
        return [
            ("answer", TrueFalseAnswerBlock()),
            (
                "feedback_true",
                blocks.TextBlock(rows=2, help_text='Feedback for someone who answers "True".'),
            ),
            (
                "feedback_false",
                blocks.TextBlock(rows=2, help_text='Feedback for someone who answers "False".'),
            ),
            ("clause", clause_block()),
        ]

    def editor_value(self, question):
        return {
            "answer": "true" if question.correct_answer else "false",
            "feedback_true": question.feedback_true,
            "feedback_false": question.feedback_false,
            "clause": question.clause_id,
        }

    def editor_problem(self, value):
        return None

    def editor_normalise(self, value):
        return value

    def editor_apply(self, question, value):
        for name in COMMON_FIELDS:
            setattr(question, name, value[name])
        question.correct_answer = value["answer"] == "true"
        question.feedback_true = value["feedback_true"]
        question.feedback_false = value["feedback_false"]
        question.clause = value["clause"]

    def panels(self):
        return QUESTION_PANELS + [
            # Chosen even in a draft: a draft has no "not yet" for a boolean.
            FieldPanel("correct_answer", required_on_save=True),
            FieldPanel("feedback_true"),
            FieldPanel("feedback_false"),
            FieldPanel("clause"),
        ]

    def shown_options(self, options, *, quiz, rng):
        return options  # True before False, always

    def create_question(self, *, spec, quiz, sort_order, clause_for):
        if not isinstance(spec_field(spec, "answer"), bool):
            raise ContentError(f"question {spec['key']}: “answer” must be true or false")
        return self.model.objects.create(
            **spec_common(spec, quiz, sort_order),
            correct_answer=spec["answer"],
            feedback_true=spec_field(spec, "feedback_true"),
            feedback_false=spec_field(spec, "feedback_false"),
            clause=clause_for(spec_field(spec, "clause")),
        )


TRUE_FALSE = TrueFalseKind()
