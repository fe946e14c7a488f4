"""What module pages read of content that is the same for everyone comes from the shared cache
(modules.selectors.module_quiz_offered, policy_clauses_cached, documents_applying_to): fewer queries
per request, and never stale after the admin, a review's approval, scheduled publishing or a
policy service changes it."""

import datetime
import pickle
from io import StringIO

import pytest

from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from modules.selectors import MODULE_PAGE_KEY, MODULE_QUIZ_KEY, POLICY_CLAUSE_KEY
from modules.services import policy_document_version_raise
from modules.workflows import workflow_publish_approved
from quizzes.selectors import ATTEMPT_PAGES_QUIZ_KEY, NO_ORGANISATION_MESSAGE
from tests.factories import (
    QuizFactory,
    default_steps,
    module_page_create,
    module_steps_finish,
    single_choice_create,
)

pytestmark = pytest.mark.django_db

TAKE = "Take the quiz"
NOT_READY = "This module's quiz is not ready yet."


def _get(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), [query["sql"] for query in captured.captured_queries]


@pytest.fixture
def ready(people, module, clause, client_for):
    """Sam has worked through the module's steps, so its overview offers the quiz when it is live."""
    module_steps_finish(person=people["staff"], module=module)
    return client_for(people["staff"])


@pytest.fixture
def root_client(django_user_model):
    client = Client()
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.org", "pw"))
    return client


def test_the_module_s_quiz_is_read_once_then_from_the_cache(ready, module, quiz):
    first, first_queries = _get(ready, module.url)
    second, second_queries = _get(ready, module.url)
    assert TAKE in first and TAKE in second and f"({quiz.pass_mark}% or more)" in second
    assert any('"quizzes_quiz"' in sql for sql in first_queries)
    assert not any('"quizzes_quiz"' in sql for sql in second_queries)
    assert len(second_queries) <= len(first_queries) - 1


def test_an_entry_cached_before_refusals_were_kept_with_the_quiz_is_worked_out_again(
    ready, module, quiz
):
    ready.get(module.url)
    key = MODULE_QUIZ_KEY.format(module_id=module.pk)
    entry = cache.get(key)
    assert entry["refusals"] == {None: NO_ORGANISATION_MESSAGE}  # no home organisation here
    cache.set(key, {"generation": entry["generation"], "quiz": entry["quiz"]})
    page, _queries = _get(ready, module.url)
    assert TAKE in page
    assert cache.get(key)["refusals"] == entry["refusals"]


def test_the_cached_quiz_holds_no_question_answer_or_anyone_s_record(people, ready, module, quiz):
    ready.get(module.url)
    entry = cache.get(MODULE_QUIZ_KEY.format(module_id=module.pk))
    assert entry is not None and entry["quiz"].pk == quiz.pk
    stored = pickle.dumps(entry)
    assert b"First question?" not in stored and b"is_correct" not in stored
    assert b"correct" not in stored
    assert people["staff"].user.username.encode() not in stored


def test_an_attempt_s_module_comes_from_the_cache_without_its_steps(ready, module, quiz):
    """The quiz page shows the module's title: its page is not joined to the attempt's query, and
    the cached page holds no step (the decisions carry the right choice)."""
    ready.post(reverse("quizzes:start", args=[quiz.pk]))
    url = reverse("quizzes:attempt", args=[quiz.attempts.get().pk])
    first, _ = _get(ready, url)
    second, second_queries = _get(ready, url)
    assert module.title in first and module.title in second
    assert not any('"modules_modulepage"' in sql for sql in second_queries)
    # Nor is the quiz: the page of questions shows its title, from the cache too, with no
    # question or answer in the entry.
    assert not any('"quizzes_quiz"' in sql for sql in second_queries)
    quiz_entry = cache.get(ATTEMPT_PAGES_QUIZ_KEY.format(quiz_id=quiz.pk))
    assert quiz_entry["value"].pk == quiz.pk and quiz_entry["value"].module.title == module.title
    stored = pickle.dumps(quiz_entry)
    assert b"First question?" not in stored and b"correct" not in stored
    entry = cache.get(MODULE_PAGE_KEY.format(module_id=module.pk))
    assert entry is not None and entry["module"].pk == module.pk
    assert "steps" in entry["module"].get_deferred_fields()
    stored = pickle.dumps(entry)
    assert b"is_correct" not in stored and b"Meet Jade" not in stored


def test_a_quiz_unpublished_in_the_admin_is_gone_at_once(ready, module, quiz, root_client):
    assert TAKE in _get(ready, module.url)[0]
    response = root_client.post(reverse("wagtailsnippets_quizzes_quiz:unpublish", args=[quiz.pk]))
    assert response.status_code == 302
    quiz.refresh_from_db()
    assert not quiz.live
    page = _get(ready, module.url)[0]
    assert NOT_READY in page and TAKE not in page


def test_a_quiz_approved_in_review_is_offered_at_once(ready, module, clause, people, reviewer):
    quiz = QuizFactory(module=module, live=False)
    single_choice_create(quiz=quiz, clause=clause, text="First question?")
    assert NOT_READY in _get(ready, module.url)[0]
    quiz.save_revision(user=people["author"].user)
    state = quiz.get_workflow().start(quiz, people["author"].user)
    workflow_publish_approved(state, user=reviewer.user)
    quiz.refresh_from_db()
    assert quiz.live
    assert TAKE in _get(ready, module.url)[0]


def test_a_quiz_scheduled_to_go_live_is_offered_once_the_cron_job_publishes_it(
    ready, module, clause, people
):
    quiz = QuizFactory(module=module, live=False)
    assert NOT_READY in _get(ready, module.url)[0]
    past = timezone.now() - datetime.timedelta(minutes=1)
    revision = quiz.save_revision(user=people["author"].user, approved_go_live_at=past)
    assert revision.approved_go_live_at == past
    call_command("publish_scheduled", stdout=StringIO())
    quiz.refresh_from_db()
    assert quiz.live
    assert TAKE in _get(ready, module.url)[0]


POLICY_TABLES = ('"modules_policyclause"', '"modules_policydocument"')


@pytest.fixture
def extract_step(people, clause, wagtail_root, client_for):
    """Sam at the first step of a module that opens with a policy extract: (client, step url)."""
    steps = [
        {"type": "policy_extract", "value": {"clause": clause.pk, "commentary": ""}},
        *default_steps(clause=clause),
    ]
    page = module_page_create(clause=clause, slug="extracts", steps=steps)
    client = client_for(people["staff"])
    client.post(page.url)  # starts the module
    return client, f"{page.url}step/1/"


def test_a_step_s_policy_reads_come_from_the_cache_after_the_first_request(extract_step, clause):
    """The clause with its document, and which documents apply to the learner's organisation."""
    client, url = extract_step
    first, first_queries = _get(client, url)
    second, second_queries = _get(client, url)
    for page in (first, second):
        assert clause.heading in page and "(version 2.1)" in page
        assert "does not apply to your organisation" not in page
    assert any(table in sql for sql in first_queries for table in POLICY_TABLES)
    assert not any(table in sql for sql in second_queries for table in POLICY_TABLES)
    assert len(second_queries) <= len(first_queries) - 2
    stored = pickle.dumps(cache.get(POLICY_CLAUSE_KEY.format(clause_id=clause.pk)))
    assert clause.summary.encode() in stored
    assert b"is_correct" not in stored and b"feedback" not in stored


def test_a_new_edition_of_the_policy_shows_on_a_step_at_once(extract_step, clause, admin_user):
    client, url = extract_step
    assert "(version 2.1)" in _get(client, url)[0]
    policy_document_version_raise(
        document=clause.document, version="3.0", clauses={}, user=admin_user
    )
    assert "(version 3.0)" in _get(client, url)[0]
