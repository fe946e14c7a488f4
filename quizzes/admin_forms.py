"""Admin forms that check what a single field cannot: draw settings against the bank, and a
question's options against its type."""

from wagtail.admin.forms import WagtailAdminModelForm

from .kinds import kind_of
from .models import Quiz
from .selectors import quiz_audience_problems, quiz_draw_problems


def _kept_forms(formset):
    return [
        form
        for form in formset.forms
        if getattr(form, "cleaned_data", None) and not form.cleaned_data.get("DELETE")
    ]


class QuizAdminForm(WagtailAdminModelForm):
    def is_valid(self):
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
        problems = quiz_draw_problems(
            quiz=quiz, total=self.cleaned_data.get("questions_per_attempt"), per_topic=per_topic
        )
        # Whose policy applies: new settings that leave an organisation's staff without a fair
        # draw. A shortfall the saved settings already have does not block unrelated edits (its
        # fix is more questions, not these fields); load_content reports it as a warning.
        already = set(quiz_audience_problems(quiz=Quiz.objects.get(pk=quiz.pk)))
        problems += [
            problem
            for problem in quiz_audience_problems(
                quiz=quiz,
                total=self.cleaned_data.get("questions_per_attempt"),
                per_topic=per_topic,
            )
            if problem not in already
        ]
        for problem in problems:
            self.add_error("questions_per_attempt", problem)
        return not problems


class QuestionAdminForm(WagtailAdminModelForm):
    """A question's keyed options checked by its kind's rule (the content loader's rule too)."""

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
