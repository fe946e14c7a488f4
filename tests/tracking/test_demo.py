import pytest

from lms import roles
from people.models import Person
from people.selectors import reporting_line
from tracking.demo import DEMO_PEOPLE, demo_load
from tracking.models import Assignment
from tracking.selectors import module_status_grid

pytestmark = pytest.mark.django_db


def test_demo_accounts_keep_their_roles_and_get_assignments(module):
    people = demo_load()
    for username, _first, _last, role_names, _manager, _team, _job in DEMO_PEOPLE:
        assert set(people[username].user.groups.values_list("name", flat=True)) == set(role_names)
    assert Assignment.objects.filter(
        module=module, audience="everyone", due_within_days=30
    ).exists()
    assert Assignment.objects.filter(team__name="Adoption team").exists()
    maria = Person.objects.get(user__username="maria.manager")
    line = reporting_line(manager=maria)
    assert {person.user.username for person in line} == {
        "sam.staff",
        "amy.adviser",
        "lee.lead",
        "rita.report",
        "tom.trainee",
    }
    statuses = {
        row["person"].username: row["cells"][0].status
        for row in module_status_grid(people=line, modules=[module])
    }
    assert statuses["tom.trainee"] == "overdue" and statuses["sam.staff"] == "not_started"
    demo_load()  # idempotent
    assert Assignment.objects.count() == 2
    assert roles.LINE_MANAGERS in set(maria.user.groups.values_list("name", flat=True))


def test_the_demo_shows_whose_policy_applies_with_the_shipped_content(wagtail_root):
    """Sam (Cafcass) and Hugo (Hertfordshire) take the same module's quiz, and each is asked only
    about their own organisation's documents."""
    import random

    from quizzes.content_import import content_load
    from quizzes.models import Quiz
    from tests.factories import attempt_begin

    content_load()
    people = demo_load()
    assert people["sam.staff"].organisation.code == "cafcass"
    assert people["hugo.herts"].organisation.code == "hertfordshire"
    assert people["hana.herts"].organisation.code == "hertfordshire"
    assert people["hugo.herts"].line_manager == people["hana.herts"]
    own_documents = {
        "sam.staff": {
            "Social media policy",
            "Social media community guidelines",
            "Guidance on use of social media (dos and don'ts)",
        },
        "hugo.herts": {"Social media policy (children's services procedures chapter)"},
    }
    quiz = Quiz.objects.get(module__slug="your-personal-use-of-social-media")
    for username, documents in own_documents.items():
        attempt = attempt_begin(person=people[username], quiz=quiz, rng=random.Random(3))
        cited = {
            clause["document"]
            for question in attempt.questions
            for option in question["options"]
            for clause in [option.get("clause") or {}]
            if clause
        } | {
            question["clause"]["document"]
            for question in attempt.questions
            if isinstance(question.get("clause"), dict)
        }
        assert cited and cited <= documents, (username, cited)
