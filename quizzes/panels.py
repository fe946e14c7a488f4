"""The quiz editor's panels: its content checks, and the questions withdrawn waiting for review."""

from wagtail.admin.panels import FieldPanel

from lms.panels import ContentChecksPanel

from .kinds.editor import CLAUSE_CHOOSER_QUIZ_ELEMENT_ID
from .selectors import quiz_check_problems


class QuizChecksPanel(ContentChecksPanel):
    """The quiz's checks, over its questions as written; ``QuizAdminForm`` refuses submitting the
    quiz for review and publishing it while any remains."""

    chooser_element_id = CLAUSE_CHOOSER_QUIZ_ELEMENT_ID

    def problems_of(self, instance):
        return quiz_check_problems(quiz=instance)


class WithdrawalsPanel(FieldPanel):
    """Under the question editor, the published questions its author removed (each withdrawn in a
    draft, for review): which will leave the quiz on approval, each with a box to restore it.
    Shown only while there are some (or a restore could not be made)."""

    def __init__(self, field_name="withdrawals_restore", **kwargs):
        super().__init__(field_name, **kwargs)

    class BoundPanel(FieldPanel.BoundPanel):
        def is_shown(self):
            # With its error too, once the last withdrawal was approved or restored meanwhile.
            return (
                super().is_shown()
                and self.bound_field is not None
                and bool(self.bound_field.field.choices or self.bound_field.errors)
            )
