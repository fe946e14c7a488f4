"""Fixtures of the security tests: the world the access tests request things in (an owner with a
passed attempt and its certificate, their manager, people outside their line, an author and an
auditor), and a reporting line whose names start like spreadsheet formulas."""

import copy

import pytest

from django.test import TestCase

from api.services import api_client_create
from certificates.models import Certificate
from certificates.services import certificate_issue_for_attempt
from lms import roles
from modules.services import roles_sync, wagtail_root_ensure
from people.services import person_create, team_get_or_create
from quizzes.services import attempt_submit
from tests.conftest import people_make, quiz_make, rows_shared_by_a_module
from tests.factories import (
    OrganisationFactory,
    PolicyClauseFactory,
    QuizFactory,
    attempt_begin,
    certificate_make,
    days,
    module_page_create,
    single_choice_create,
    submission_followed_up,
    true_false_create,
)
from tracking.services import assignment_create

# Names a spreadsheet would run as formulas if a CSV carried them raw.
OVERDUE_NAME = ("+cmd|'/C calc'!A0", "=1+2")
PASSED_NAME = ("-2+3", "@SUM(A1:A2)")
EXPIRING_NAME = ('=HYPERLINK("http://evil.example")', "Smith")
HOSTILE_TEAM = "=1+2"
HOSTILE_MODULE = "@SUM(1) social media"
HOSTILE_QUIZ = "-1+1 quiz"


def _answers(attempt):
    return {
        str(q["id"]): [next(o["id"] for o in q["options"] if o["correct"])]
        for q in attempt.questions
    }


@pytest.fixture
def hostile(people, clause, monkeypatch):
    """Manager Maria's reporting line gains a team and three people whose names start like
    formulas, on a module and quiz whose titles do too: one overdue, one passed with a real
    attempt and certificate, one whose certificate expires soon."""
    monkeypatch.setattr(
        "certificates.services.certificate_pdf_render",
        lambda *, certificate: f"%PDF-1.7\n% {certificate.serial}\n%%EOF\n".encode(),
    )
    team = team_get_or_create(name=HOSTILE_TEAM)
    module = module_page_create(clause=clause, title=HOSTILE_MODULE, slug="hostile")
    quiz = QuizFactory(module=module, title=HOSTILE_QUIZ)
    single_choice_create(quiz=quiz, clause=clause, text="=2+5 is the rule?", sort_order=0)
    true_false_create(quiz=quiz, clause=clause, answer=True, sort_order=1)

    def person(username, name, employee_number):
        return person_create(
            username=username,
            first_name=name[0],
            last_name=name[1],
            email=f"{username}@example.org",
            roles_held=[roles.STAFF],
            line_manager=people["manager"],
            team=team,
            employee_number=employee_number,
            organisation=OrganisationFactory(),
        )

    overdue = person("hostile.overdue", OVERDUE_NAME, "-E1")
    passed = person("hostile.passed", PASSED_NAME, "+E2")
    expiring = person("hostile.expiring", EXPIRING_NAME, "@E3")
    assignment_create(module=module, due_on=days(-10))
    attempt = attempt_begin(person=passed, quiz=quiz)
    attempt = submission_followed_up(attempt_submit(attempt=attempt, answers=_answers(attempt)))
    certificate = certificate_issue_for_attempt(attempt_id=attempt.pk)
    certificate_make(person=expiring, module=module, expires_on=days(20))
    return {
        "people": people,
        "module": module,
        "quiz": quiz,
        "attempt": attempt,
        "certificate": certificate,
        "overdue": overdue,
        "passed": passed,
        "expiring": expiring,
    }


def world_make():
    """The owner (``people``'s staff member) has passed ``quiz`` and holds its certificate; an API
    client exists. Made once per test module (``world_shared``)."""
    wagtail_root_ensure()
    roles_sync()
    people = people_make()
    clause = PolicyClauseFactory(reference="2.19")
    module = module_page_create(clause=clause)
    quiz = quiz_make(module=module, clause=clause)
    owner = people["staff"]
    attempt = attempt_begin(person=owner, quiz=quiz)
    answers = {
        str(q["id"]): [next(o["id"] for o in q["options"] if o["correct"])]
        for q in attempt.questions
    }
    with TestCase.captureOnCommitCallbacks(execute=True):
        attempt_submit(attempt=attempt, answers=answers)
    return {
        "owner": owner,
        "attempt": attempt,
        "certificate": Certificate.objects.get(attempt=attempt),
        "quiz": quiz,
        "module": module,
        "clause": clause,
        "api_client": api_client_create(name="Matrix client", scopes=["read_status"], by=None)[0],
        "people": {
            "owner": owner,
            "other_staff": people["other_staff"],
            "owner_manager": people["manager"],
            "other_manager": people["other_manager"],
            "author": people["author"],
            "auditor": people["auditor"],
        },
    }


@pytest.fixture(scope="module")
def world_shared(django_db_setup, django_db_blocker):
    """One world for a whole module's tests: the access matrix asks hundreds of cells of it."""
    with rows_shared_by_a_module(django_db_blocker, make=world_make) as shared:
        yield shared


@pytest.fixture
def world(db, world_shared):
    return copy.deepcopy(world_shared)
