"""Factories for the test suite. Page trees are built per test with ``module_page_create``."""

import json

import factory

from django.contrib.auth import get_user_model

from lms.models import Person, Team
from modules.models import ModulePage, PolicyClause, PolicyDocument
from modules.services import module_index_ensure
from quizzes.models import Option, Quiz, SingleChoiceQuestion, TrueFalseQuestion


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


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    user = factory.SubFactory(UserFactory)
    job_title = "Family court adviser"


class PolicyDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PolicyDocument

    title = factory.Sequence(lambda n: f"Social media policy {n}")
    organisation = "Cafcass"
    version = "2.1"


class PolicyClauseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PolicyClause

    document = factory.SubFactory(PolicyDocumentFactory)
    reference = factory.Sequence(lambda n: f"2.{n}")
    heading = "Contacting children on WhatsApp"
    summary = "Only where the child asked for it, with a parent's written consent if under 16."


def module_page_create(*, clause, title="WhatsApp with children", slug="whatsapp", parent=None, steps=None):
    """A published module with a narrative step and a decision, under a module index."""
    if parent is None:
        parent = module_index_ensure()
    if steps is None:
        steps = default_steps(clause=clause)
    page = parent.add_child(
        instance=ModulePage(title=title, slug=slug, summary="When and how you may use WhatsApp.", steps=json.dumps(steps))
    )
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def default_steps(*, clause):
    return [
        {"type": "narrative", "value": {"heading": "Meet Jade", "body": "<p>Jade is 14.</p>", "image": None, "image_alt": ""}},
        {
            "type": "decision",
            "value": {
                "key": "d1",
                "heading": "Jade asks to use WhatsApp",
                "situation": "<p>Jade asks if she can message you on WhatsApp.</p>",
                "choices": [
                    {"text": "Agree once a parent consents in writing", "consequence": "You record consent.",
                     "feedback": "Right: under-16s need a parent's written consent.", "clause": clause.pk,
                     "is_correct": True, "branch_to": ""},
                    {"text": "Agree straight away", "consequence": "Your manager raises it.",
                     "feedback": "Not without a parent's written consent.", "clause": clause.pk,
                     "is_correct": False, "branch_to": ""},
                ],
            },
        },
        {"type": "reflection", "value": {"heading": "Think", "prompt": "How would you explain this to Jade?"}},
    ]


class QuizFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quiz

    title = "WhatsApp quiz"
    pass_mark = 60


def single_choice_create(*, quiz, clause, text="Which is right?", correct_index=0, n_options=3, critical=False, sort_order=0):
    question = SingleChoiceQuestion.objects.create(quiz=quiz, text=text, critical=critical, sort_order=sort_order)
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
        quiz=quiz, text="Under-16s may always use WhatsApp.", correct_answer=answer, critical=critical,
        feedback_true="Feedback true", feedback_false="Feedback false", clause=clause, sort_order=sort_order,
    )
