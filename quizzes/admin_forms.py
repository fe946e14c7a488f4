"""Admin forms that check what a single field cannot: draw settings against the bank, and a
question's options against its type."""

from django import forms
from django.template.defaultfilters import filesizeformat

from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.blocks.stream_block import StreamBlockValidationError

from modules.forms import content_checks_apply
from modules.models import PolicyClause

from .kinds import KINDS, kind_of
from .kinds.editor import QuestionsBlock, QuestionsField
from .models import Quiz
from .question_banks import GIFT, MOODLE_XML, QuestionBankError, bank_format_for
from .selectors import (
    quiz_audience_problems,
    quiz_check_problems,
    quiz_draw_problems,
    quiz_question_edit_problems,
    quiz_questions_editor_raw,
    quiz_questions_withdrawal_pending,
    quiz_withdrawal_restore_problems,
)

MAX_BANK_BYTES = 5 * 1024 * 1024


def _kept_forms(formset):
    return [
        form
        for form in formset.forms
        if getattr(form, "cleaned_data", None) and not form.cleaned_data.get("DELETE")
    ]


class QuizAdminForm(WagtailAdminModelForm):
    # The quiz's questions, every kind in one list (``quizzes.kinds.editor``); saved by the
    # quiz's views (``quizzes.quiz_editor_views``), each question as a draft of its own.
    question_editor = QuestionsField(
        QuestionsBlock(KINDS.values(), required=False), required=False, label="Questions"
    )
    # The published questions withdrawn in the editor and waiting for review: never items of the
    # editor (a save would write them back), listed here with a way to undo each withdrawal
    # (``quizzes.panels.WithdrawalsPanel``).
    withdrawals_restore = forms.TypedMultipleChoiceField(
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Withdrawn, waiting for review",
        help_text="Learners are still asked these published questions; they leave the quiz when "
        "its review is approved. Tick one to keep it in the quiz (undo its withdrawal), then "
        "save.",
        error_messages={
            "invalid_choice": "That question is not withdrawn and waiting for review any more "
            "(approved or restored meanwhile?): nothing was saved. Reload the page to see the quiz "
            "as it is now."
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        block = self.fields["question_editor"].block
        self.initial["question_editor"] = block.to_python(
            quiz_questions_editor_raw(quiz=self.instance)
        )
        self.withdrawals_pending = {
            question.pk: question
            for question in quiz_questions_withdrawal_pending(quiz=self.instance)
        }
        self.fields["withdrawals_restore"].choices = [
            (pk, f"{question} ({question._meta.verbose_name})")
            for pk, question in self.withdrawals_pending.items()
        ]

    def clean_withdrawals_restore(self):
        questions = [
            self.withdrawals_pending[pk] for pk in self.cleaned_data["withdrawals_restore"]
        ]
        problems = quiz_withdrawal_restore_problems(
            quiz=self.instance, questions=questions, user=self.for_user
        )
        if problems:
            raise forms.ValidationError(problems)
        return questions

    def clean_question_editor(self):
        items = self.cleaned_data["question_editor"]
        if items is None:
            return None
        problems = quiz_question_edit_problems(quiz=self.instance, items=items, user=self.for_user)
        if problems:
            raise StreamBlockValidationError(non_block_errors=problems)
        return items

    def is_valid(self):
        if not self._draw_settings_valid():
            return False
        if not content_checks_apply(self.data):
            return True
        # Submitting for review or publishing: every content check must pass, with the settings
        # as posted (saving a draft never meets this: the author is still writing).
        problems = quiz_check_problems(
            quiz=self.instance,
            total=self.cleaned_data.get("questions_per_attempt"),
            per_topic={
                form.cleaned_data["topic"]: form.cleaned_data["count"]
                for form in _kept_forms(self.formsets["topic_draws"])
            },
        )
        for problem in problems:
            self.add_error(None, problem)
        return not problems

    def _draw_settings_valid(self):
        if not super().is_valid():
            return False
        quiz = self.instance
        if not quiz.pk or not quiz.questions.exists():
            return True  # nothing to draw from yet; starting an attempt says so
        per_topic = {}
        for form in _kept_forms(self.formsets["topic_draws"]):
            topic = form.cleaned_data["topic"]
            if topic in per_topic:
                self.add_error("questions_per_attempt", f"The topic “{topic}” is listed twice.")
                return False
            per_topic[topic] = form.cleaned_data["count"]
        # Judged on the bank as written: a new quiz's questions are drafts until its review.
        problems = quiz_draw_problems(
            quiz=quiz,
            total=self.cleaned_data.get("questions_per_attempt"),
            per_topic=per_topic,
            as_written=True,
        )
        # Whose policy applies: new settings that leave an organisation's staff without a fair
        # draw. A shortfall the saved settings already have does not block unrelated edits (its
        # fix is more questions, not these fields); load_content reports it as a warning.
        already = set(quiz_audience_problems(quiz=Quiz.objects.get(pk=quiz.pk), as_written=True))
        problems += [
            problem
            for problem in quiz_audience_problems(
                quiz=quiz,
                total=self.cleaned_data.get("questions_per_attempt"),
                per_topic=per_topic,
                as_written=True,
            )
            if problem not in already
        ]
        for problem in problems:
            self.add_error("questions_per_attempt", problem)
        return not problems


class QuestionAdminForm(WagtailAdminModelForm):
    """A question's keyed options checked by its kind's rule (the content loader's rule too)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "correct_answer" in self.fields:
            # True or False, chosen: an unticked box would silently have meant False.
            self.fields["correct_answer"] = forms.TypedChoiceField(
                choices=[(True, "True"), (False, "False")],
                coerce=lambda value: value == "True",
                widget=forms.RadioSelect,
                label="The statement is",
            )

    def is_valid(self):
        if not super().is_valid():
            return False
        if "options" not in self.formsets:
            return True
        correct = sum(
            bool(form.cleaned_data.get("is_correct"))
            for form in _kept_forms(self.formsets["options"])
        )
        problem = kind_of(self._meta.model.question_type).correct_options_problem(correct)
        if problem:
            self.add_error(None, problem)
            return False
        return True


class QuestionBankImportForm(forms.Form):
    """Upload a Moodle bank for a preview (nothing saved until the author confirms it)."""

    quiz = forms.ModelChoiceField(queryset=Quiz.objects.order_by("title"), label="Quiz")
    file = forms.FileField(
        label="Question bank",
        help_text="A GIFT file (.gift or .txt) or a Moodle XML file (.xml) exported from Moodle.",
    )
    clause = forms.ModelChoiceField(
        queryset=PolicyClause.objects.filter(live=True, document__live=True)
        .select_related("document")
        .order_by("document__title", "reference", "-version"),
        required=False,
        label="Clause every answer cites (optional)",
        help_text="Leave empty to cite clauses question by question afterwards: until every "
        "answer of a question cites a clause, no attempt asks it.",
    )
    skip_unsupported = forms.BooleanField(
        required=False,
        label="Leave out the question types this platform has not got",
        help_text="Essay, numerical, matching, short answer, cloze and description questions. "
        "Unticked, a file holding any of them imports nothing.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            bank_format_for(upload.name)
        except QuestionBankError as error:
            raise forms.ValidationError(error.problems[0]) from error
        if upload.size == 0:
            raise forms.ValidationError("The file is empty.")
        if upload.size > MAX_BANK_BYTES:
            raise forms.ValidationError(
                f"The file must be smaller than {filesizeformat(MAX_BANK_BYTES)}."
            )
        return upload


class QuestionBankExportForm(forms.Form):
    quiz = forms.ModelChoiceField(queryset=Quiz.objects.order_by("title"), label="Quiz")
    format = forms.ChoiceField(
        choices=[(GIFT, "GIFT (.gift)"), (MOODLE_XML, "Moodle XML (.xml)")],
        label="Format",
        widget=forms.RadioSelect,
        initial=MOODLE_XML,
    )
