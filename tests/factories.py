"""The one place for test factories. Page trees are built per test with ``module_page_create``;
tracking tests make attempts, certificates and progress directly (``*_make``)."""

import contextlib
import contextvars
import datetime
import itertools
import json

import factory

from django.contrib.auth import get_user_model
from django.utils import timezone

from certificates.models import Certificate
from certificates.services import certificate_issue_for_attempt
from modules.models import ModulePage, ModuleProgress, PolicyClause, PolicyDocument
from modules.services import module_index_ensure
from people.models import Organisation, Person, Team
from quizzes.kinds import kind_of
from quizzes.models import Attempt, Option, Quiz, SingleChoiceQuestion, TrueFalseQuestion
from quizzes.services import attempt_submit
from quizzes.submitted import attempt_submission_follow_up
from tracking.facts import module_status_facts_refresh


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password("correct-horse-battery")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    """Cafcass unless told otherwise: the organisation every factory person and document shares,
    so that a test not about whose policy applies finds every question applies."""

    class Meta:
        model = Organisation
        django_get_or_create = ("code",)

    code = "cafcass"
    name = factory.LazyAttribute(lambda organisation: organisation.code.title())


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    job_title = "Family court adviser"


class PolicyDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PolicyDocument
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Social media policy {n}")
    organisation = "Cafcass"
    version = "2.1"

    @factory.post_generation
    def audience(document, create, organisations, **kwargs):
        """``audience=[...]`` to choose; by default the factory organisation (Cafcass)."""
        if not create:
            return
        document.audience.set(
            organisations if organisations is not None else [OrganisationFactory()]
        )
        document.save(update_fields=["audience"])


class PolicyClauseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PolicyClause

    document = factory.SubFactory(PolicyDocumentFactory)
    reference = factory.Sequence(lambda n: f"2.{n}")
    heading = "Contacting children on WhatsApp"
    summary = "Only where the child asked for it, with a parent's written consent if under 16."


def module_page_create(
    *,
    clause,
    title="WhatsApp with children",
    slug="whatsapp",
    parent=None,
    steps=None,
    base_competence=True,
):
    """A published module with a narrative step and a decision, under a module index. Part of base
    competence unless told otherwise, as the organisation's established modules are."""
    if parent is None:
        parent = module_index_ensure()
    if steps is None:
        steps = default_steps(clause=clause)
    page = parent.add_child(
        instance=ModulePage(
            title=title,
            slug=slug,
            summary="When and how you may use WhatsApp.",
            steps=json.dumps(steps),
            base_competence=base_competence,
        )
    )
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def default_steps(*, clause):
    return [
        {
            "type": "narrative",
            "value": {
                "heading": "Meet Jade",
                "body": "<p>Jade is 14.</p>",
                "image": None,
                "image_alt": "",
            },
        },
        {
            "type": "decision",
            "value": {
                "key": "d1",
                "heading": "Jade asks to use WhatsApp",
                "situation": "<p>Jade asks if she can message you on WhatsApp.</p>",
                "choices": [
                    {
                        "text": "Agree once a parent consents in writing",
                        "consequence": "You record consent.",
                        "feedback": "Right: under-16s need a parent's written consent.",
                        "clause": clause.pk,
                        "is_correct": True,
                        "branch_to": "",
                    },
                    {
                        "text": "Agree straight away",
                        "consequence": "Your manager raises it.",
                        "feedback": "Not without a parent's written consent.",
                        "clause": clause.pk,
                        "is_correct": False,
                        "branch_to": "",
                    },
                ],
            },
        },
        {
            "type": "reflection",
            "value": {"heading": "Think", "prompt": "How would you explain this to Jade?"},
        },
    ]


def module_steps_finish(*, person, module):
    """Work through every step of the module as the person would (the first choice at each
    decision), through the services, unless they already have. A quiz starts only after this."""
    from bench.data import module_steps_walk

    module_steps_walk(person=person, module=module)


def attempt_begin(*, person, quiz, **kwargs):
    """``attempt_start`` for a person who has done the module's steps first."""
    from quizzes.services import attempt_start

    module_steps_finish(person=person, module=quiz.module)
    return attempt_start(person=person, quiz=quiz, **kwargs)


class QuizFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quiz

    title = "WhatsApp quiz"
    pass_mark = 60


def single_choice_create(
    *,
    quiz,
    clause,
    text="Which is right?",
    correct_index=0,
    n_options=3,
    critical=False,
    sort_order=0,
):
    question = SingleChoiceQuestion.objects.create(
        quiz=quiz, text=text, critical=critical, sort_order=sort_order
    )
    for index in range(n_options):
        Option.objects.create(
            question=question,
            sort_order=index,
            text=f"Option {index}",
            is_correct=index == correct_index,
            feedback=f"Feedback {index}",
            clause=clause,
        )
    return question


def true_false_create(*, quiz, clause, answer=True, critical=False, sort_order=0):
    return TrueFalseQuestion.objects.create(
        quiz=quiz,
        text="Under-16s may always use WhatsApp.",
        correct_answer=answer,
        critical=critical,
        feedback_true="Feedback true",
        feedback_false="Feedback false",
        clause=clause,
        sort_order=sort_order,
    )


def _options_create(*, question, clause, texts, correct):
    for index, text in enumerate(texts):
        Option.objects.create(
            question=question,
            sort_order=index,
            text=text,
            is_correct=index in correct,
            feedback=f"Feedback on {text}",
            clause=clause,
        )
    return question


def multiple_response_create(
    *,
    quiz,
    clause,
    correct=(0, 1),
    n_options=4,
    partial_credit="",
    critical=False,
    sort_order=0,
    topic="",
):
    from quizzes.models import MultipleResponseQuestion

    question = MultipleResponseQuestion.objects.create(
        quiz=quiz,
        text="Which apply?",
        partial_credit=partial_credit,
        critical=critical,
        sort_order=sort_order,
        topic=topic,
    )
    return _options_create(
        question=question,
        clause=clause,
        texts=[f"Choice {i}" for i in range(n_options)],
        correct=set(correct),
    )


def ordering_create(*, quiz, clause, n_items=3, critical=False, sort_order=0, topic=""):
    """Items ``Step 1`` .. ``Step n``, authored in the correct order."""
    from quizzes.models import OrderingQuestion

    question = OrderingQuestion.objects.create(
        quiz=quiz, text="Put these in order.", critical=critical, sort_order=sort_order, topic=topic
    )
    return _options_create(
        question=question,
        clause=clause,
        texts=[f"Step {i + 1}" for i in range(n_items)],
        correct=set(),
    )


def scenario_judgement_create(
    *, quiz, clause, appropriate=(True, False, True), critical=False, sort_order=0, topic=""
):
    from quizzes.models import ScenarioJudgementQuestion

    question = ScenarioJudgementQuestion.objects.create(
        quiz=quiz, text="Rate each action.", critical=critical, sort_order=sort_order, topic=topic
    )
    return _options_create(
        question=question,
        clause=clause,
        texts=[f"Action {i}" for i in range(len(appropriate))],
        correct={i for i, value in enumerate(appropriate) if value},
    )


# Records for tracking tests, made directly (the quiz and certificate flows are tested elsewhere).

_serials = itertools.count(1)


def certificate_make(
    *, person, module, expires_on, status=Certificate.Status.VALID, issued_at=None, attempt=None
):
    # A module certificate always rests on a passed attempt (a database constraint says so).
    if attempt is None:
        quiz = Quiz.objects.filter(module=module).first() or Quiz.objects.create(
            module=module, title=f"{module.title} quiz"
        )
        attempt = attempt_make(person=person, quiz=quiz, passed=True, percent=100)
    certificate = Certificate.objects.create(
        serial=f"T-{next(_serials):06d}",
        person=person,
        kind=Certificate.Kind.MODULE,
        module=module,
        attempt=attempt,
        holder_name=person.full_name,
        title=module.title,
        scope={},
        expires_on=expires_on,
        status=status,
        issued_at=issued_at or timezone.now(),
    )
    facts_refresh(person=person, module=module)
    return certificate


# The people and modules whose facts wait for one refresh, inside ``facts_refreshed_once``.
_facts_waiting = contextvars.ContextVar("facts_waiting", default=None)


def facts_refresh(*, person, module):
    """What the services' hand-off does after each write (``tracking.facts``), for records made
    directly here."""
    waiting = _facts_waiting.get()
    if waiting is not None:
        waiting[0].add(person.pk)
        waiting[1].add(module.pk)
        return
    module_status_facts_refresh(person_ids=[person.pk], module_ids=[module.pk])


@contextlib.contextmanager
def facts_refreshed_once():
    """Records made inside have their facts worked out once, at the end, for every person and
    module written to: what a refresh after each write would leave (a refresh works the rows out
    from the records, whatever came before), for a fixture that makes hundreds of records. Not
    for tests of the refresh itself."""
    if _facts_waiting.get() is not None:
        yield
        return
    waiting = (set(), set())
    token = _facts_waiting.set(waiting)
    try:
        yield
    finally:
        _facts_waiting.reset(token)
    module_status_facts_refresh(person_ids=waiting[0], module_ids=waiting[1])


def attempt_make(*, person, quiz, passed, percent, answers=None):
    attempt = Attempt.objects.create(
        person=person,
        quiz=quiz,
        pass_mark=quiz.pass_mark,
        questions=[],
        answers=answers or {"q-1": "secret-answer"},
        submitted_at=timezone.now(),
        passed=passed,
        percent=percent,
        score=percent,
        max_score=100,
    )
    facts_refresh(person=person, module=quiz.module)
    return attempt


def progress_make(*, person, module):
    progress = ModuleProgress.objects.create(
        person=person, module=module, revision=module.latest_revision
    )
    facts_refresh(person=person, module=module)
    return progress


def days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


# Whole attempts and certificates, through the real services.


def answers_all(attempt, *, right=True):
    """Every question of the attempt answered right (or wrong), as the quiz page would post it."""
    return {
        str(question["id"]): kind_of(question).example_values(question, right=right)
        for question in attempt.questions
    }


def submission_followed_up(attempt):
    """The submitted attempt once the worker has done what its submission left to it
    (``quizzes.submitted``): the reports' answered questions. Its evidence seal is left to the
    tests of sealing, which run the task itself."""
    attempt_submission_follow_up(attempt_id=attempt.pk)
    return attempt


def attempt_passed(*, person, quiz):
    attempt = attempt_begin(person=person, quiz=quiz)
    return attempt_submit(attempt=attempt, answers=answers_all(attempt))


def attempt_failed(*, person, quiz):
    attempt = attempt_begin(person=person, quiz=quiz)
    return attempt_submit(attempt=attempt, answers=answers_all(attempt, right=False))


def module_certificate_for(*, person, quiz):
    return certificate_issue_for_attempt(attempt_id=attempt_passed(person=person, quiz=quiz).pk)


def quiz_for(*, module, clause):
    quiz = QuizFactory(module=module, title=f"{module.title} quiz")
    single_choice_create(quiz=quiz, clause=clause, text="Which is right?", sort_order=0)
    true_false_create(quiz=quiz, clause=clause, answer=True, sort_order=1)
    return quiz
