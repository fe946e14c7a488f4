from django.contrib import messages
from django.urls import path, reverse

from wagtail import hooks
from wagtail.admin import messages as admin_messages
from wagtail.admin.action_menu import ActionMenuItem as PageActionMenuItem
from wagtail.admin.panels import (
    FieldPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.admin.widgets.button import Button
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.snippets.action_menu import ActionMenuItem as SnippetActionMenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from lms.admin_menu import PermissionMenuItem, reports_register
from modules.choosers import DOCUMENTS_HOOK as CLAUSE_CHOOSER_DOCUMENTS_HOOK
from modules.models import ModulePage
from modules.quiz_gate import REFUSALS_HOOK as MODULE_QUIZ_REFUSALS_HOOK
from modules.selectors import module_cited_document_ids

from .admin_forms import QuestionAdminForm, QuizAdminForm
from .admin_views import REPORTS_PERMISSION, ClauseCoverageReportView, ItemAnalysisReportView
from .kinds import KINDS
from .models import Question, Quiz
from .panels import QuizChecksPanel, WithdrawalsPanel
from .previews import quiz_preview_permitted
from .question_bank_views import QUESTION_BANK_PERMISSION, QuestionBankView
from .quiz_editor_views import QuizCreateView, QuizEditView
from .selectors import (
    quiz_cited_document_ids,
    quiz_publish_problems,
    quiz_refusal_messages,
    quiz_superseded_citation_warnings,
)

# Attempts are evidence: they have no admin at all, so nobody can edit one. Auditors read and
# export them through quizzes.audit_views.


# Beside the questions, since the draw is judged against the bank (the content checks).
QUIZ_DRAW_PANEL = MultiFieldPanel(
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
)

QUIZ_SETTINGS_PANELS = [
    FieldPanel("pass_mark"),
    FieldPanel("can_take_without_module"),
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
]


class QuizViewSet(SnippetViewSet):
    model = Quiz
    icon = "tasks"
    list_display = ["title", "module", "pass_mark", "questions_per_attempt"]
    search_fields = ["title"]
    add_view_class = QuizCreateView
    edit_view_class = QuizEditView
    edit_handler = TabbedInterface(
        [
            ObjectList(
                [
                    QuizChecksPanel(),
                    FieldPanel("module"),
                    FieldPanel("title"),
                    FieldPanel("question_editor", heading="Questions"),
                    WithdrawalsPanel(),
                    QUIZ_DRAW_PANEL,
                ],
                heading="Questions",
            ),
            ObjectList(QUIZ_SETTINGS_PANELS, heading="Settings"),
        ],
        base_form_class=QuizAdminForm,
    )


class QuestionViewSet(SnippetViewSet):
    list_display = ["text", "quiz", "topic", "critical"]
    # A question whose withdrawal was approved keeps its row (attempts name it): it can be told
    # apart from the quiz's questions here.
    list_filter = ["quiz", "critical", "withdrawn"]
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


# "Preview quiz" in the actions menu of the quiz's edit screen and of its module page's edit
# screen: the learner's quiz page, drawn from what is saved (quizzes.preview_views). Shown even
# while the object is locked, since a preview changes nothing.
class QuizPreviewMenuItem(SnippetActionMenuItem):
    name = "action-preview-quiz"
    label = "Preview quiz"
    icon_name = "view"
    order = 900

    def is_shown(self, context):
        return context["view"] == "edit" and quiz_preview_permitted(user=context["request"].user)

    def get_url(self, parent_context):
        return reverse("quizzes:preview", args=[parent_context["instance"].pk])


@hooks.register("register_snippet_action_menu_item")
def quiz_preview_menu_item(model):
    return QuizPreviewMenuItem() if issubclass(model, Quiz) else None


class ModuleQuizPreviewMenuItem(PageActionMenuItem):
    name = "action-preview-quiz"
    label = "Preview quiz"
    icon_name = "view"
    order = 900

    def is_shown(self, context):
        page = context.get("page")
        return (
            context["view"] == "edit"
            and page is not None
            and quiz_preview_permitted(user=context["request"].user)
            and Quiz.objects.filter(module_id=page.pk).exists()
        )

    def get_url(self, parent_context):
        quiz = Quiz.objects.get(module_id=parent_context["page"].pk)
        return reverse("quizzes:preview", args=[quiz.pk])


@hooks.register("register_page_action_menu_item")
def module_quiz_preview_menu_item():
    return ModuleQuizPreviewMenuItem()


@hooks.register("after_create_page")
@hooks.register("after_edit_page")
def module_quiz_next_step(request, page):
    """A module saved without a quiz says so, with the way to write it: the quiz is usually the
    author's next step."""
    page = page.specific_deferred
    if not isinstance(page, ModulePage) or Quiz.objects.filter(module=page).exists():
        return
    if not ModelPermissionPolicy(Quiz).user_has_permission(request.user, "add"):
        return
    admin_messages.info(
        request,
        "This module has no quiz yet.",
        buttons=[
            admin_messages.button(
                f"{reverse('wagtailsnippets_quizzes_quiz:add')}?module={page.pk}",
                "Create the quiz",
            )
        ],
    )


@hooks.register("register_page_header_buttons")
def module_quiz_button(page, user, view_name, next_url=None):
    """A module page's header leads to its quiz: to edit it, or to create it with the module
    already chosen."""
    page = page.specific_deferred
    if not isinstance(page, ModulePage):
        return
    quiz = Quiz.objects.filter(module=page).first()
    if quiz is not None:
        if ModelPermissionPolicy(Quiz).user_has_permission(user, "change"):
            yield Button(
                "Edit the quiz",
                url=reverse("wagtailsnippets_quizzes_quiz:edit", args=[quiz.pk]),
                icon_name="tasks",
                priority=12,
            )
    elif ModelPermissionPolicy(Quiz).user_has_permission(user, "add"):
        yield Button(
            "Create the quiz",
            url=f"{reverse('wagtailsnippets_quizzes_quiz:add')}?module={page.pk}",
            icon_name="tasks",
            priority=12,
        )


@hooks.register(MODULE_QUIZ_REFUSALS_HOOK)
def module_quiz_refusals(quiz):
    return quiz_refusal_messages(quiz=quiz)
