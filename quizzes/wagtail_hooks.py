from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import Quiz, SingleChoiceQuestion, TrueFalseQuestion


class QuizViewSet(SnippetViewSet):
    model = Quiz
    icon = "tasks"
    list_display = ["title", "module", "pass_mark"]
    search_fields = ["title"]


# One viewset per question type: Wagtail's InlinePanel cannot edit a mix of polymorphic
# subclasses (wagtail#4202), so each type gets its own listing and form.
class SingleChoiceQuestionViewSet(SnippetViewSet):
    model = SingleChoiceQuestion
    icon = "radio-full"
    menu_label = "Single-choice questions"
    list_display = ["text", "quiz", "topic", "critical"]
    list_filter = ["quiz", "critical"]


class TrueFalseQuestionViewSet(SnippetViewSet):
    model = TrueFalseQuestion
    icon = "tick-inverse"
    menu_label = "True/false questions"
    list_display = ["text", "quiz", "topic", "critical"]
    list_filter = ["quiz", "critical"]


class QuizzesGroup(SnippetViewSetGroup):
    items = (QuizViewSet, SingleChoiceQuestionViewSet, TrueFalseQuestionViewSet)
    menu_icon = "tasks"
    menu_label = "Quizzes"
    menu_name = "quizzes"


register_snippet(QuizzesGroup)
