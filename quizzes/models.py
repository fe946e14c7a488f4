import hashlib
import json

from polymorphic.models import PolymorphicModel

from django.contrib.contenttypes.fields import GenericRelation
from django.core.files.storage import storages
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.models import (
    DraftStateMixin,
    LockableMixin,
    Orderable,
    RevisionMixin,
    WorkflowMixin,
)
from wagtail.search import index


class PartialCredit(models.TextChoices):
    ALL_OR_NOTHING = "all_or_nothing", "All or nothing: every right option and no wrong one"
    PER_OPTION = (
        "per_option",
        "Per option: credit for each right pick, less one for each wrong pick (never below zero)",
    )


class Review(models.TextChoices):
    """How much of a submitted attempt a learner may see (as Moodle's review options). Only FULL
    shows the answer key: which option is right, the positions, option feedback and explanations."""

    SCORE = "score", "Score only: the score and whether they passed"
    WRONG_QUESTIONS = (
        "wrong_questions",
        (
            "Score, which questions were not right and the policy clause to re-read for each (never the answers)"
        ),
    )
    FULL = (
        "full",
        "Everything: the right answers, the feedback on every option and the explanations",
    )


FAILED_REVIEW_CHOICES = [
    (Review.SCORE.value, Review.SCORE.label),
    (Review.WRONG_QUESTIONS.value, Review.WRONG_QUESTIONS.label),
]


def _revisions(related_query_name):
    return GenericRelation(
        "wagtailcore.Revision",
        content_type_field="base_content_type",
        object_id_field="object_id",
        related_query_name=related_query_name,
        for_concrete_model=False,
    )


def _workflow_states(related_query_name):
    return GenericRelation(
        "wagtailcore.WorkflowState",
        content_type_field="base_content_type",
        object_id_field="object_id",
        related_query_name=related_query_name,
        for_concrete_model=False,
    )


class Quiz(
    WorkflowMixin, DraftStateMixin, LockableMixin, RevisionMixin, index.Indexed, ClusterableModel
):
    """The assessment that follows a module's steps; passing it completes the module.

    Its settings decide what each attempt draws from the question bank and how often a person may
    try; ``quizzes.services.attempt_start`` freezes them into the attempt.

    Drafts, revisions, locking and the L&D review as modules have them: the row holds the published
    settings (a draft of a published quiz lives in its revisions), and learners get a quiz only
    while it is live."""

    module = models.OneToOneField(
        "modules.ModulePage", on_delete=models.PROTECT, related_name="quiz"
    )
    title = models.CharField(max_length=255)
    pass_mark = models.PositiveIntegerField(
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Percentage needed to pass.",
    )
    questions_per_attempt = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="How many questions each attempt draws at random from the bank. Leave empty to ask every "
        "question. Critical questions are always asked, except those in a topic with a draw count: there they are "
        "variants of one rule, and each attempt asks as many as the count. A retry draws the questions the person "
        "has not seen yet first.",
    )
    shuffle_questions = models.BooleanField(
        default=True, help_text="Show the questions in a random order."
    )
    shuffle_options = models.BooleanField(
        default=True,
        help_text="Show each question's options in a random order. Leave this on: in authored order the keyed "
        "option's position gives it away. Ordering questions are always shuffled.",
    )
    can_take_without_module = models.BooleanField(
        default=False,
        verbose_name="Can be taken without the module",
        help_text="Let people take the quiz before working through the module's steps (to test out of a module "
        "they already know). Off: the quiz only starts once every step is done.",
    )
    partial_credit = models.CharField(
        max_length=20,
        choices=PartialCredit.choices,
        default=PartialCredit.ALL_OR_NOTHING,
        help_text="How multiple-response questions are scored, unless a question says otherwise.",
    )
    attempts_before_cooldown = models.PositiveIntegerField(
        null=True,
        blank=True,
        default=3,
        validators=[MinValueValidator(1)],
        help_text="Failed attempts allowed in a row before the person must wait. Leave empty for no limit.",
    )
    cooldown_hours = models.PositiveIntegerField(
        default=24, help_text="How long the person waits after using up their attempts."
    )
    max_attempts = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Attempts allowed in total without passing (an administrator's retry allowance starts the count "
        "again). Leave empty for no limit.",
    )
    review_after_failure = models.CharField(
        max_length=20,
        choices=FAILED_REVIEW_CHOICES,
        default=Review.WRONG_QUESTIONS,
        help_text="What a person sees of an attempt they did not pass while they may still try again. The answer "
        "key is never shown here: it would let them pass the next attempt without knowing the policy.",
    )
    review_after_pass = models.CharField(
        max_length=20,
        choices=Review.choices,
        default=Review.FULL,
        help_text="What a person sees of each of their attempts once they have passed this quiz.",
    )
    full_review_when_no_attempts_remain = models.BooleanField(
        default=False,
        help_text="Show the right answers, feedback and explanations once a person has used every attempt allowed "
        "in total (above) without passing. Off by default: if they are later allowed to retry, they would "
        "know the key.",
    )
    time_limit_minutes = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Leave empty for no time limit.",
    )
    grace_seconds = models.PositiveIntegerField(
        default=60,
        validators=[MaxValueValidator(600)],
        help_text="Extra seconds accepted after the time limit, for a slow connection.",
    )

    revisions = _revisions("quiz")
    _workflow_states = _workflow_states("quiz")

    search_fields = [index.SearchField("title"), index.AutocompleteField("title")]

    class Meta:
        verbose_name_plural = "quizzes"

    def __str__(self):
        return self.title


class TopicDraw(Orderable):
    """How many questions an attempt draws from one topic of the bank."""

    quiz = ParentalKey(Quiz, on_delete=models.CASCADE, related_name="topic_draws")
    topic = models.CharField(max_length=100, help_text="Exactly as written on the questions.")
    count = models.PositiveIntegerField(validators=[MinValueValidator(1)])

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(fields=["quiz", "topic"], name="unique_topic_draw_per_quiz")
        ]

    def __str__(self):
        return f"{self.count} from {self.topic}"


class Question(
    WorkflowMixin,
    DraftStateMixin,
    LockableMixin,
    RevisionMixin,
    ClusterableModel,
    PolymorphicModel,
):
    """A question in a quiz's bank. Each subclass turns itself into a snapshot (what is shown and the
    key), and ``quizzes.scoring`` scores responses against snapshots without touching the database.

    Drafts, revisions, locking and the L&D review, per question: the row (with its options) is the
    published question, a draft of it lives in its revisions, and only live questions not withdrawn
    are drawn (``quizzes.selectors.quiz_bank``). Revisions are stored against the base model
    (Wagtail's ``base_content_type``), so the polymorphic subclass comes back from ``as_object``."""

    question_type = None  # the name of the subclass's kind in quizzes.kinds.KINDS
    # How the policy library lists the questions citing a clause (modules.selectors).
    clause_citation_ordering = ["quiz_id", "sort_order", "pk"]
    clause_citation_prefetch = ["quiz"]

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="questions")
    sort_order = models.PositiveIntegerField(default=0)
    key = models.CharField(
        max_length=50, blank=True, help_text="Stable name used by content imports."
    )
    topic = models.CharField(max_length=100, blank=True)
    text = models.TextField()
    explanation = models.TextField(
        blank=True,
        help_text="Shown with the right answers when the quiz's review options allow: by default once the person has passed.",
    )
    critical = models.BooleanField(
        default=False, help_text="A wrong answer fails the attempt whatever the total."
    )
    # Taken out of the quiz by an author: set in a draft (a revision), so that the withdrawal goes
    # through review like any other change, and once that revision is published the question is
    # out of the bank (``quizzes.selectors.quiz_bank``). The row stays: attempts, item analysis
    # and the audit trail name it.
    withdrawn = models.BooleanField(
        default=False,
        editable=False,
        help_text="Taken out of the quiz: never drawn again once published.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    revisions = _revisions("question")
    _workflow_states = _workflow_states("question")

    search_fields = [
        index.SearchField("text"),
        index.FilterField("quiz"),
        index.FilterField("live"),
    ]

    class Meta:
        ordering = ["quiz", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "key"],
                condition=~models.Q(key=""),
                name="unique_question_key_per_quiz",
            )
        ]

    def __str__(self):
        return self.text[:80]

    def snapshot(self, *, quiz=None):
        """What the learner is shown and the key it is scored against, frozen into the attempt.

        ``version`` is a fingerprint of that content: two attempts that saw the same version of a
        question saw the same words, options, key, feedback and clause versions."""
        snapshot = {
            "id": self.pk,
            "type": self.question_type,
            "topic": self.topic,
            "text": self.text,
            "explanation": self.explanation,
            "critical": self.critical,
            **self.snapshot_rules(quiz=quiz or self.quiz),
            "options": self.snapshot_options(),
        }
        content = json.dumps(snapshot, sort_keys=True, default=str).encode()
        snapshot["version"] = hashlib.sha256(content).hexdigest()[:16]
        snapshot["updated_at"] = self.updated_at.isoformat() if self.updated_at else None
        return snapshot

    def snapshot_rules(self, *, quiz):
        """Scoring rules the type needs beside its options (e.g. a partial-credit rule)."""
        return {}

    def snapshot_options(self):
        raise NotImplementedError


def clause_snapshot(clause):
    if clause is None:
        return None  # an imported question not yet cited: never drawn (quizzes.selectors.quiz_bank)
    return {
        "id": clause.pk,
        "organisation": clause.document.organisation,
        "document": clause.document.title,
        "document_version": clause.edition,
        "reference": clause.reference,
        "version": clause.version,
        "heading": clause.heading,
        # Only where the document does not number the clause, so that every other question's
        # snapshot (and so its version fingerprint) stays as it was.
        **({"where": clause.location} if clause.location else {}),
    }


class SingleChoiceQuestion(Question):
    question_type = "single_choice"

    class Meta:
        verbose_name = "single-choice question"

    def snapshot_options(self):
        return [option_snapshot(option) for option in self.options.all()]


def option_snapshot(option, **extra):
    return {
        "id": str(option.pk),
        "text": option.text,
        "correct": option.is_correct,
        "feedback": option.feedback,
        "clause": clause_snapshot(option.clause),
        **extra,
    }


class MultipleResponseQuestion(Question):
    """Pick every option that applies."""

    question_type = "multiple_response"

    partial_credit = models.CharField(
        max_length=20,
        choices=PartialCredit.choices,
        blank=True,
        help_text="Leave empty to use the quiz's rule.",
    )

    class Meta:
        verbose_name = "multiple-response question"

    def snapshot_rules(self, *, quiz):
        return {
            "partial_credit": self.partial_credit or quiz.partial_credit,
            "wrong_pick_penalty": "1",
        }

    def snapshot_options(self):
        return [option_snapshot(option) for option in self.options.all()]


class OrderingQuestion(Question):
    """Put the steps of a procedure in order. The options' order in the admin is the correct order;
    the learner always sees them shuffled."""

    question_type = "ordering"

    class Meta:
        verbose_name = "ordering question"

    def snapshot_options(self):
        options = sorted(self.options.all(), key=lambda option: (option.sort_order or 0, option.pk))
        # Every step belongs in the procedure; what is keyed is its position.
        return [
            option_snapshot(option, correct=True, position=position)
            for position, option in enumerate(options, start=1)
        ]


class ScenarioJudgementQuestion(Question):
    """Rate each of several actions as appropriate or not. An option's ``is_correct`` means
    "appropriate"."""

    question_type = "scenario_judgement"

    class Meta:
        verbose_name = "scenario judgement question"

    def snapshot_options(self):
        return [
            option_snapshot(option, appropriate=option.is_correct) for option in self.options.all()
        ]


class TrueFalseQuestion(Question):
    question_type = "true_false"

    correct_answer = models.BooleanField(help_text="Tick if the statement is true.")
    feedback_true = models.TextField(help_text='Feedback for someone who answers "True".')
    feedback_false = models.TextField(help_text='Feedback for someone who answers "False".')
    # Empty only on a question imported from a Moodle bank that an author has not cited yet
    # (quizzes.question_banks); the admin form requires it, and the draw leaves such questions out.
    clause = models.ForeignKey(
        "modules.PolicyClause",
        on_delete=models.PROTECT,
        null=True,
        related_name="true_false_questions",
    )

    class Meta:
        verbose_name = "true/false question"

    def snapshot_options(self):
        clause = clause_snapshot(self.clause)
        return [
            {
                "id": "true",
                "text": "True",
                "correct": self.correct_answer,
                "feedback": self.feedback_true,
                "clause": clause,
            },
            {
                "id": "false",
                "text": "False",
                "correct": not self.correct_answer,
                "feedback": self.feedback_false,
                "clause": clause,
            },
        ]


class Option(Orderable):
    """An answer option. Each carries the feedback and the clause that makes it right or wrong."""

    clause_citation_part_of = "question"  # an author edits the option within its question

    question = ParentalKey(Question, on_delete=models.CASCADE, related_name="options")
    text = models.CharField(max_length=500)
    is_correct = models.BooleanField(default=False)
    feedback = models.TextField()
    # Empty only on an option imported from a Moodle bank that an author has not cited yet
    # (quizzes.question_banks); the admin form requires it, and the draw leaves its question out.
    clause = models.ForeignKey(
        "modules.PolicyClause", on_delete=models.PROTECT, null=True, related_name="quiz_options"
    )

    def __str__(self):
        return self.text


class Attempt(models.Model):
    """One sitting of a quiz, and the evidence of it: the questions exactly as shown (with the
    clause and policy version behind each keyed answer), the answers given, timestamps and score."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="attempts")
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
    deadline = models.DateTimeField(
        null=True, blank=True, help_text="When the time limit runs out, if there is one."
    )
    submit_by = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The deadline plus the grace period: later submissions are refused.",
    )
    draft = models.JSONField(
        default=dict,
        blank=True,
        help_text="Answers saved along the way, as submitted, before the attempt is submitted.",
    )
    revision = models.PositiveIntegerField(
        default=0,
        help_text="Counts saves, so that a stale copy of the form cannot overwrite newer answers.",
    )
    saved_at = models.DateTimeField(null=True, blank=True)
    timed_out = models.BooleanField(
        default=False,
        help_text="Closed because the time limit ran out; scored from the saved answers, never passed.",
    )

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(submitted_at__isnull=True, passed__isnull=True)
                | models.Q(submitted_at__isnull=False, passed__isnull=False),
                name="attempt_scored_when_submitted",
            )
        ]
        indexes = [
            # Each person's first or last submitted attempt at a quiz (item analysis): read in
            # order from the index instead of sorting every attempt.
            models.Index(
                fields=["quiz", "person", "submitted_at", "id"],
                condition=models.Q(submitted_at__isnull=False),
                name="attempt_submitted_in_order",
            )
        ]

    def __str__(self):
        return f"{self.person} – {self.quiz} ({self.started_at:%Y-%m-%d %H:%M})"

    @property
    def is_submitted(self):
        return self.submitted_at is not None


class AnsweredQuestion(models.Model):
    """One question of one submitted attempt as it was scored: the reports' copy of the
    attempt's snapshot, one row per question, written in the same transaction as the submission
    so that item analysis and most-missed clauses aggregate rows in SQL instead of unpacking every
    attempt's JSON. Never changed once written (database triggers), like the attempt itself.

    ``person`` is here only to pick each person's first or last attempt, to filter by a reporting
    line, and for a retry's draw to ask again first what the person missed
    (``quizzes.selectors.questions_answered_right``); no report shows it."""

    # No index of their own on the attempt and the quiz: the unique constraint (attempt,
    # position) and the index (quiz, question, version) start with them and serve their look-ups,
    # and every submission writes a dozen rows into each index there is.
    attempt = models.ForeignKey(
        Attempt, on_delete=models.PROTECT, related_name="answered", db_index=False
    )
    quiz = models.ForeignKey(Quiz, on_delete=models.PROTECT, related_name="+", db_index=False)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField()
    position = models.PositiveSmallIntegerField(help_text="Where it was shown, from 1.")
    question_id = models.PositiveIntegerField(help_text="The question's id in the snapshot.")
    version = models.CharField(max_length=64, help_text="The snapshot's version fingerprint.")
    points = models.DecimalField(max_digits=7, decimal_places=2)
    max_points = models.DecimalField(max_digits=7, decimal_places=2)
    correct = models.BooleanField()
    response = models.JSONField(null=True, help_text="The parsed answer; null when unanswered.")
    attempt_points = models.DecimalField(
        max_digits=7,
        decimal_places=2,
        help_text="The whole attempt's points, for the score on the rest of the attempt.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "position"], name="answered_question_once_per_attempt"
            )
        ]
        indexes = [
            models.Index(fields=["quiz", "question_id", "version"]),
            models.Index(fields=["submitted_at"]),
        ]

    def __str__(self):
        return f"Question {self.question_id} of attempt {self.attempt_id}"


def evidence_storage():
    return storages["evidence"]


class AttemptEvidence(models.Model):
    """The evidence PDF of a submitted attempt, rendered once soon after submission and kept as
    rendered, with the SHA-256 of the stored bytes so that a copy can be checked against it.

    Like the attempt it records, a row never changes once written (database triggers)."""

    attempt = models.OneToOneField(Attempt, on_delete=models.PROTECT, related_name="evidence")
    pdf = models.FileField(storage=evidence_storage, upload_to="%Y/")
    sha256 = models.CharField(max_length=64, db_index=True)
    rendered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "attempt evidence"

    def __str__(self):
        return f"Evidence of attempt {self.attempt_id} ({self.sha256[:12]})"


class RetryAllowance(models.Model):
    """An override of the cooldown: from ``granted_at`` on, earlier failed attempts no longer count
    towards making this person wait. Granted by an administrator with a reason (and audited),
    e.g. when an attempt failed because of a technical fault."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="retry_allowances"
    )
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="retry_allowances")
    granted_at = models.DateTimeField(default=timezone.now)
    granted_by_name = models.CharField(max_length=255)
    reason = models.TextField()

    class Meta:
        ordering = ["-granted_at"]
        permissions = [("grant_retry", "Can let a person retry a quiz before the cooldown ends")]

    def __str__(self):
        return f"{self.person} may retry {self.quiz} (from {self.granted_at:%Y-%m-%d %H:%M})"
