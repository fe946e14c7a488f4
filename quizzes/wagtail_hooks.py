from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, ObjectList
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .admin_forms import QuestionAdminForm, QuizAdminForm
from .models import (
    MultipleResponseQuestion,
    OrderingQuestion,
    Quiz,
    ScenarioJudgementQuestion,
    SingleChoiceQuestion,
    TrueFalseQuestion,
)

# Attempts are evidence: they have no admin at all, so nobody can edit one. Auditors read and
# export them through quizzes.audit_views.


class QuizViewSet(SnippetViewSet):
    model = Quiz
    icon = "tasks"
    list_display = ["title", "module", "pass_mark", "questions_per_attempt"]
    search_fields = ["title"]
    edit_handler = ObjectList(
        [
            FieldPanel("module"),
            FieldPanel("title"),
            FieldPanel("pass_mark"),
            FieldPanel("can_take_without_module"),
            MultiFieldPanel(
                [
                    FieldPanel("questions_per_attempt"),
                    InlinePanel(
                        "topic_draws",
                        label="Questions drawn from a topic",
                        panels=[FieldPanel("topic"), FieldPanel("count")],
                    ),
                    FieldPanel("shuffle_questions"),
                    FieldPanel("shuffle_options"),
                ],
                heading="What each attempt asks",
            ),
            FieldPanel("partial_credit"),
            MultiFieldPanel(
                [
                    FieldPanel("attempts_before_cooldown"),
                    FieldPanel("cooldown_hours"),
                    FieldPanel("max_attempts"),
                ],
                heading="Attempts",
            ),
            MultiFieldPanel(
                [
                    FieldPanel("review_after_failure"),
                    FieldPanel("review_after_pass"),
                    FieldPanel("full_review_when_no_attempts_remain"),
                ],
                heading="What a person sees after submitting",
            ),
            MultiFieldPanel(
                [FieldPanel("time_limit_minutes"), FieldPanel("grace_seconds")],
                heading="Time limit",
            ),
        ],
        base_form_class=QuizAdminForm,
    )


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


# One viewset per question type: Wagtail's InlinePanel cannot edit a mix of polymorphic
# subclasses (wagtail#4202), so each type gets its own listing and form.
class QuestionViewSet(SnippetViewSet):
    list_display = ["text", "quiz", "topic", "critical"]
    list_filter = ["quiz", "critical"]
    search_fields = ["text"]


class SingleChoiceQuestionViewSet(QuestionViewSet):
    model = SingleChoiceQuestion
    icon = "radio-full"
    menu_label = "Single-choice questions"
    edit_handler = ObjectList(
        QUESTION_PANELS
        + [InlinePanel("options", min_num=2, max_num=8, label="Options", panels=OPTION_PANELS)],
        base_form_class=QuestionAdminForm,
    )


class MultipleResponseQuestionViewSet(QuestionViewSet):
    model = MultipleResponseQuestion
    icon = "list-ul"
    menu_label = "Multiple-response questions"
    edit_handler = ObjectList(
        QUESTION_PANELS
        + [
            FieldPanel("partial_credit"),
            InlinePanel("options", min_num=2, max_num=10, label="Options", panels=OPTION_PANELS),
        ],
        base_form_class=QuestionAdminForm,
    )


class TrueFalseQuestionViewSet(QuestionViewSet):
    model = TrueFalseQuestion
    icon = "tick-inverse"
    menu_label = "True/false questions"
    edit_handler = ObjectList(
        QUESTION_PANELS
        + [
            FieldPanel("correct_answer"),
            FieldPanel("feedback_true"),
            FieldPanel("feedback_false"),
            FieldPanel("clause"),
        ]
    )


class OrderingQuestionViewSet(QuestionViewSet):
    model = OrderingQuestion
    icon = "order"
    menu_label = "Ordering questions"
    edit_handler = ObjectList(
        QUESTION_PANELS
        + [
            InlinePanel(
                "options",
                min_num=2,
                max_num=10,
                label="Steps, in the correct order",
                panels=[FieldPanel("text"), FieldPanel("feedback"), FieldPanel("clause")],
            )
        ],
        base_form_class=QuestionAdminForm,
    )


class ScenarioJudgementQuestionViewSet(QuestionViewSet):
    model = ScenarioJudgementQuestion
    icon = "pick"
    menu_label = "Scenario judgement questions"
    edit_handler = ObjectList(
        QUESTION_PANELS
        + [
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
        ],
        base_form_class=QuestionAdminForm,
    )


class QuizzesGroup(SnippetViewSetGroup):
    items = (
        QuizViewSet,
        SingleChoiceQuestionViewSet,
        MultipleResponseQuestionViewSet,
        TrueFalseQuestionViewSet,
        OrderingQuestionViewSet,
        ScenarioJudgementQuestionViewSet,
    )
    menu_icon = "tasks"
    menu_label = "Quizzes"
    menu_name = "quizzes"


register_snippet(QuizzesGroup)
