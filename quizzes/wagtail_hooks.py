from django.contrib import messages
from django.urls import path, reverse

from wagtail import hooks
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, ObjectList
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from lms.admin_menu import PermissionMenuItem, reports_register
from modules.choosers import DOCUMENTS_HOOK as CLAUSE_CHOOSER_DOCUMENTS_HOOK
from modules.selectors import module_cited_document_ids

from .admin_forms import QuestionAdminForm, QuizAdminForm
from .admin_views import REPORTS_PERMISSION, ClauseCoverageReportView, ItemAnalysisReportView
from .kinds import KINDS
from .models import Question, Quiz
from .panels import QuizChecksPanel
from .question_bank_views import QUESTION_BANK_PERMISSION, QuestionBankView
from .selectors import (
    quiz_cited_document_ids,
    quiz_publish_problems,
    quiz_superseded_citation_warnings,
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
            QuizChecksPanel(),
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


class QuestionViewSet(SnippetViewSet):
    list_display = ["text", "quiz", "topic", "critical"]
    list_filter = ["quiz", "critical"]
    search_fields = ["text"]


def question_viewset(kind):
    """One viewset per question kind: Wagtail's InlinePanel cannot edit a mix of polymorphic
    subclasses (wagtail#4202), so each kind gets its own listing and form, from its kind object."""
    return type(
        f"{kind.model.__name__}ViewSet",
        (QuestionViewSet,),
        {
            "model": kind.model,
            "icon": kind.icon,
            "menu_label": kind.label,
            "edit_handler": ObjectList(kind.panels(), base_form_class=QuestionAdminForm),
        },
    )


class QuizzesGroup(SnippetViewSetGroup):
    items = (QuizViewSet, *(question_viewset(kind) for kind in KINDS.values()))
    menu_icon = "tasks"
    menu_label = "Quizzes"
    menu_name = "quizzes"


register_snippet(QuizzesGroup)


REPORTS = [
    ("clause-coverage", "Policy clause coverage", ClauseCoverageReportView, "doc-full", 1350),
    ("item-analysis", "Item analysis", ItemAnalysisReportView, "tasks", 1250),
]


reports_register(reports=REPORTS, url_prefix="quizzes_report", permission=REPORTS_PERMISSION)


@hooks.register("register_admin_urls")
def register_question_bank_url():
    return [
        path("quizzes/question-bank/", QuestionBankView.as_view(), name="quizzes_question_bank")
    ]


@hooks.register("register_admin_menu_item")
def register_question_bank_menu_item():
    return PermissionMenuItem(
        "Moodle question banks",
        reverse("quizzes_question_bank"),
        icon_name="download",
        order=270,
        permission=QUESTION_BANK_PERMISSION,
    )


@hooks.register("before_edit_snippet")
def superseded_citations_warned(request, instance):
    """An author opening a quiz, or one of its questions, learns which questions cite replaced
    clause versions (left out of new draws) and whether the quiz can still be drawn fairly."""
    if request.method != "GET" or not isinstance(instance, (Quiz, Question)):
        return
    quiz = instance if isinstance(instance, Quiz) else instance.quiz
    for warning in quiz_superseded_citation_warnings(quiz=quiz):
        messages.warning(request, warning)


@hooks.register(CLAUSE_CHOOSER_DOCUMENTS_HOOK)
def documents_cited_by_quiz(params):
    """The clause chooser asks (``modules.choosers``): with ``quiz=<id>``, the documents its
    questions and its module's steps cite; with ``module=<page id>``, those its quiz cites too."""
    quiz = None
    if str(params.get("quiz", "")).isdigit():
        quiz = Quiz.objects.filter(pk=params["quiz"]).select_related("module").first()
    elif str(params.get("module", "")).isdigit():
        quiz = Quiz.objects.filter(module_id=params["module"]).first()
    if quiz is None:
        return set()
    ids = quiz_cited_document_ids(quiz=quiz)
    if "quiz" in params:
        ids |= module_cited_document_ids(module=quiz.module)
    return ids


@hooks.register("module_publish_problems")
def module_quiz_problems(module):
    """modules.publishing asks: a base-competence module goes live only with a sound quiz."""
    return quiz_publish_problems(module=module)
