"""True or false: a statement about the policy."""

from wagtail.admin.panels import FieldPanel

from modules.content_import import ContentError

from ..models import TrueFalseQuestion
from .base import spec_common, spec_field
from .panels import QUESTION_PANELS
from .single_choice import OneOptionKind


class TrueFalseKind(OneOptionKind):
    name = "true_false"
    label = "True/false questions"
    icon = "tick-inverse"
    relabel_options = False  # "true" and "false" give nothing away

    model = TrueFalseQuestion

    def panels(self):
        return QUESTION_PANELS + [
            FieldPanel("correct_answer"),
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
