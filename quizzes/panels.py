"""The quiz editor's content checks panel."""

from lms.panels import ContentChecksPanel

from .kinds.editor import CLAUSE_CHOOSER_QUIZ_ELEMENT_ID
from .selectors import quiz_check_problems


class QuizChecksPanel(ContentChecksPanel):
    """The quiz's checks, over its questions as written; ``QuizAdminForm`` refuses submitting the
    quiz for review and publishing it while any remains."""

    chooser_element_id = CLAUSE_CHOOSER_QUIZ_ELEMENT_ID

    def problems_of(self, instance):
        return quiz_check_problems(quiz=instance)
