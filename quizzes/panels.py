"""The quiz editor's content checks panel."""

from wagtail.admin.panels import HelpPanel

from .kinds.editor import CLAUSE_CHOOSER_QUIZ_ELEMENT_ID
from .selectors import quiz_check_problems


class QuizChecksPanel(HelpPanel):
    """The content checks as warnings while the quiz and its questions are drafted; the same
    checks refuse submitting the quiz for review and publishing it (``QuizAdminForm``)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("template", "lms/admin/content_checks_panel.html")
        kwargs.setdefault("heading", "Content checks")
        super().__init__(**kwargs)

    class BoundPanel(HelpPanel.BoundPanel):
        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            quiz = self.instance
            context["saved"] = quiz is not None and quiz.pk is not None
            context["problems"] = quiz_check_problems(quiz=quiz) if context["saved"] else []
            context["chooser_element_id"] = CLAUSE_CHOOSER_QUIZ_ELEMENT_ID
            context["chooser_context_value"] = quiz.pk if context["saved"] else ""
            return context
