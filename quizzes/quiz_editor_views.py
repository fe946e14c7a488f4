"""The quiz's add and edit screens, which also edit its questions (``quizzes.kinds.editor``):
saving the quiz saves each changed question as a draft of its own (a published question removed
is withdrawn in one), publishing publishes them too (for someone who may), and submitting the quiz
for review submits them to theirs."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property

from wagtail.admin.widgets.button import HeaderButton
from wagtail.snippets.views.snippets import CreateView, EditView

from modules.models import ModulePage

from .previews import quiz_preview_permitted
from .services import (
    quiz_question_withdrawals_restore,
    quiz_questions_publish,
    quiz_questions_save,
    quiz_questions_submit,
)


class QuizQuestionsEditingMixin:
    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        # An autosave would create a new question on every save until the page reloaded (the
        # editor's new items keep their temporary ids), and a revision per pause in typing.
        self.autosave_enabled = False

    def save_instance(self):
        instance = super().save_instance()
        items = self.form.cleaned_data["question_editor"]
        if items is not None:  # None: the post left the questions out
            quiz_questions_save(quiz=instance, items=items, user=self.request.user)
        # After the editor's save, which leaves withdrawn questions alone: restored first, one
        # would be missing from the items posted, and be withdrawn again.
        if restored := self.form.cleaned_data.get("withdrawals_restore"):
            quiz_question_withdrawals_restore(
                quiz=instance, questions=restored, user=self.request.user
            )
        return instance

    def publish_action(self):
        response = super().publish_action()
        self.object.refresh_from_db()
        if self.object.live and not self.object.has_unpublished_changes:
            quiz_questions_publish(quiz=self.object, user=self.request.user)
        return response

    def submit_action(self):
        response = super().submit_action()
        quiz_questions_submit(quiz=self.object, user=self.request.user)
        return response


class QuizCreateView(QuizQuestionsEditingMixin, CreateView):
    """Also reached from a module page's header ("Create the quiz"), with the module chosen."""

    def get_initial_form_instance(self):
        module_id = self.request.GET.get("module", "")
        if not module_id.isdigit():
            return super().get_initial_form_instance()
        module = get_object_or_404(ModulePage, pk=module_id)
        return self.model(module=module, title=f"{module.title}: quiz")


class QuizEditView(QuizQuestionsEditingMixin, EditView):
    def get_success_url(self):
        # Submitted for review, the quiz stays in view (showing its review) with its way back to
        # the module, whose own submission usually comes next; Wagtail would list every quiz.
        if self.action == "submit":
            return self.get_edit_url()
        return super().get_success_url()

    @cached_property
    def header_buttons(self):
        """Back to the module, as the module page's header leads to its quiz: the author goes on
        to submit the module without hunting for it in the page tree. And the preview, which an
        author takes after each save, in view rather than in a menu."""
        buttons = []
        if quiz_preview_permitted(user=self.request.user):
            buttons.append(
                HeaderButton(
                    "Preview quiz",
                    url=reverse("quizzes:preview", args=[self.object.pk]),
                    icon_name="view",
                )
            )
        module = self.object.module
        if module.permissions_for_user(self.request.user).can_edit():
            buttons.append(
                HeaderButton(
                    "Edit the module",
                    url=reverse("wagtailadmin_pages:edit", args=[module.pk]),
                    icon_name="doc-full",
                )
            )
        return buttons
