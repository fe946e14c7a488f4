"""The question kinds: one object per type of question, holding everything about that type
(how a response is read and scored, how an answer reads back on the result page and in the
evidence, how its options are shown, what makes it sound, how a content file creates one and how
the admin edits one). Adding a type: its model in ``quizzes/models.py`` (with ``question_type``),
a module here, listed below, and its input template in ``templates/quizzes/kinds/``."""

from .base import (
    MAX_POINTS,
    IncompleteResponse,
    InvalidResponse,
    QuestionKind,
    QuestionScore,
    ResponseError,
)
from .multiple_response import MULTIPLE_RESPONSE
from .ordering import ORDERING
from .scenario_judgement import APPROPRIATE, NOT_APPROPRIATE, SCENARIO_JUDGEMENT
from .single_choice import SINGLE_CHOICE
from .true_false import TRUE_FALSE

KINDS = {
    kind.name: kind
    for kind in (SINGLE_CHOICE, MULTIPLE_RESPONSE, TRUE_FALSE, ORDERING, SCENARIO_JUDGEMENT)
}


def kind_of(question):
    """The kind of a question snapshot (a dict with its "type") or of a type name."""
    return KINDS[question if isinstance(question, str) else question["type"]]


__all__ = [
    "APPROPRIATE",
    "KINDS",
    "MAX_POINTS",
    "NOT_APPROPRIATE",
    "IncompleteResponse",
    "InvalidResponse",
    "QuestionKind",
    "QuestionScore",
    "ResponseError",
    "kind_of",
]
