from polymorphic.models import PolymorphicModel

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.models import Orderable
from wagtail.search import index


class Quiz(index.Indexed, models.Model):
    """The assessment that follows a module's steps; passing it completes the module."""

    module = models.OneToOneField("modules.ModulePage", on_delete=models.PROTECT, related_name="quiz")
    title = models.CharField(max_length=255)
    pass_mark = models.PositiveIntegerField(
        default=80, validators=[MinValueValidator(1), MaxValueValidator(100)], help_text="Percentage needed to pass."
    )

    panels = [FieldPanel("module"), FieldPanel("title"), FieldPanel("pass_mark")]
    search_fields = [index.SearchField("title"), index.AutocompleteField("title")]

    class Meta:
        verbose_name_plural = "quizzes"

    def __str__(self):
        return self.title


class Question(ClusterableModel, PolymorphicModel):
    """A question in a quiz's bank. Each subclass turns itself into a snapshot (what is shown and the
    key), and ``quizzes.scoring`` scores responses against snapshots without touching the database."""

    question_type = None  # the key of the subclass's scorer in quizzes.scoring.SCORERS

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="questions")
    sort_order = models.PositiveIntegerField(default=0)
    key = models.CharField(max_length=50, blank=True, help_text="Stable name used by content imports.")
    topic = models.CharField(max_length=100, blank=True)
    text = models.TextField()
    explanation = models.TextField(blank=True, help_text="Shown with the result, after submission.")
    critical = models.BooleanField(
        default=False, help_text="A wrong answer fails the attempt whatever the total."
    )

    search_fields = [index.SearchField("text"), index.FilterField("quiz")]

    class Meta:
        ordering = ["quiz", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "key"], condition=~models.Q(key=""), name="unique_question_key_per_quiz"
            )
        ]

    def __str__(self):
        return self.text[:80]

    def snapshot(self):
        """What the learner is shown and the key it is scored against, frozen into the attempt."""
        return {
            "id": self.pk,
            "type": self.question_type,
            "topic": self.topic,
            "text": self.text,
            "explanation": self.explanation,
            "critical": self.critical,
            "options": self.snapshot_options(),
        }

    def snapshot_options(self):
        raise NotImplementedError


def clause_snapshot(clause):
    return {
        "id": clause.pk,
        "organisation": clause.document.organisation,
        "document": clause.document.title,
        "document_version": clause.document.version,
        "reference": clause.reference,
        "version": clause.version,
        "heading": clause.heading,
    }


class SingleChoiceQuestion(Question):
    question_type = "single_choice"

    panels = [
        FieldPanel("quiz"),
        FieldPanel("text"),
        FieldPanel("topic"),
        FieldPanel("critical"),
        FieldPanel("explanation"),
        InlinePanel("options", min_num=2, max_num=6, label="Options"),
    ]

    class Meta:
        verbose_name = "single-choice question"

    def snapshot_options(self):
        return [
            {
                "id": str(option.pk),
                "text": option.text,
                "correct": option.is_correct,
                "feedback": option.feedback,
                "clause": clause_snapshot(option.clause),
            }
            for option in self.options.all()
        ]


class TrueFalseQuestion(Question):
    question_type = "true_false"

    correct_answer = models.BooleanField(help_text="Tick if the statement is true.")
    feedback_true = models.TextField(help_text='Feedback for someone who answers "True".')
    feedback_false = models.TextField(help_text='Feedback for someone who answers "False".')
    clause = models.ForeignKey("modules.PolicyClause", on_delete=models.PROTECT, related_name="+")

    panels = [
        FieldPanel("quiz"),
        FieldPanel("text"),
        FieldPanel("topic"),
        FieldPanel("critical"),
        FieldPanel("correct_answer"),
        FieldPanel("feedback_true"),
        FieldPanel("feedback_false"),
        FieldPanel("clause"),
        FieldPanel("explanation"),
    ]

    class Meta:
        verbose_name = "true/false question"

    def snapshot_options(self):
        clause = clause_snapshot(self.clause)
        return [
            {"id": "true", "text": "True", "correct": self.correct_answer, "feedback": self.feedback_true, "clause": clause},
            {"id": "false", "text": "False", "correct": not self.correct_answer, "feedback": self.feedback_false, "clause": clause},
        ]


class Option(Orderable):
    """An answer option. Each carries the feedback and the clause that makes it right or wrong."""

    question = ParentalKey(Question, on_delete=models.CASCADE, related_name="options")
    text = models.CharField(max_length=500)
    is_correct = models.BooleanField(default=False)
    feedback = models.TextField()
    clause = models.ForeignKey("modules.PolicyClause", on_delete=models.PROTECT, related_name="+")

    panels = [FieldPanel("text"), FieldPanel("is_correct"), FieldPanel("feedback"), FieldPanel("clause")]

    def __str__(self):
        return self.text


class Attempt(models.Model):
    """One sitting of a quiz, and the evidence of it: the questions exactly as shown (with the
    clause and policy version behind each keyed answer), the answers given, timestamps and score."""

    person = models.ForeignKey("lms.Person", on_delete=models.PROTECT, related_name="attempts")
    quiz = models.ForeignKey(Quiz, on_delete=models.PROTECT, related_name="attempts")
    started_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    pass_mark = models.PositiveIntegerField()
    questions = models.JSONField(help_text="Snapshot of the questions in the order shown.")
    answers = models.JSONField(default=dict, blank=True)
    results = models.JSONField(default=list, blank=True)
    score = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    max_score = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(null=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(submitted_at__isnull=True, passed__isnull=True)
                | models.Q(submitted_at__isnull=False, passed__isnull=False),
                name="attempt_scored_when_submitted",
            )
        ]

    def __str__(self):
        return f"{self.person} – {self.quiz} ({self.started_at:%Y-%m-%d %H:%M})"

    @property
    def is_submitted(self):
        return self.submitted_at is not None
