"""The admin panels the question kinds share."""

from wagtail.admin.panels import FieldPanel

QUESTION_PANELS = [
    FieldPanel("quiz"),
    FieldPanel("text"),
    FieldPanel("topic"),
    FieldPanel("critical"),
    FieldPanel("explanation"),
]
OPTION_PANELS = [
    FieldPanel("text"),
    FieldPanel("is_correct"),
    FieldPanel("feedback"),
    FieldPanel("clause"),
]
