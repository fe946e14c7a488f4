"""The harness's own builders, against the real views and models (no timing)."""

from types import SimpleNamespace
from urllib.parse import urlencode

import pytest

from django.db import connection, transaction

from bench.certificates import certificate_sample
from bench.data import (
    SUBMITTER_PREFIX,
    _submitters_ensure,
    attempts_open,
    dead_rows_remove,
    submission_body,
)
from bench.organisation import organisation_generate
from bench.queries import _line_limit, steps_build
from modules.services import roles_sync
from people.models import Person
from people.selectors import reporting_line_ids
from quizzes.models import Attempt
from tests.factories import attempt_passed, ordering_create, scenario_judgement_create


def test_submission_body_is_a_complete_valid_submission_of_every_question_type(
    people, quiz, clause, client_for
):
    ordering_create(quiz=quiz, clause=clause, sort_order=3)
    scenario_judgement_create(quiz=quiz, clause=clause, sort_order=4)
    attempt = attempts_open(quiz=quiz, people=[people["staff"]], per_person=1)[0]
    client = client_for(people["staff"])
    response = client.post(
        f"/quizzes/attempts/{attempt.pk}/",
        urlencode(submission_body(attempt=attempt, csrf=None)),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.submitted_at is not None
    assert len(attempt.answers) == 5


def test_submission_body_carries_the_csrf_token_when_given(people, quiz):
    attempt = attempts_open(quiz=quiz, people=[people["staff"]], per_person=1)[0]
    assert ("csrfmiddlewaretoken", "s" * 32) in submission_body(attempt=attempt, csrf="s" * 32)


def test_attempts_open_gives_each_person_fresh_open_attempts_and_leaves_no_prototype(people, quiz):
    staff, deep = people["staff"], people["deep"]
    attempts = attempts_open(quiz=quiz, people=[staff, deep], per_person=3)
    assert len(attempts) == 6 == len({attempt.pk for attempt in attempts})
    assert Attempt.objects.filter(quiz=quiz).count() == 6
    assert Attempt.objects.filter(person=deep, submitted_at__isnull=True).count() == 3
    assert all(attempt.questions == attempts[0].questions for attempt in attempts)


def test_steps_build_makes_that_many_steps_with_a_decision_every_fifth(clause):
    steps = steps_build(count=50, clause=clause)
    assert len(steps) == 50
    assert [step["type"] for step in steps].count("decision") == 10
    assert steps[4]["value"]["choices"][0]["clause"] == clause.pk


def test_line_limit_leaves_exactly_that_many_people_below_the_top(role_groups):
    organisation = organisation_generate(people=40)
    _line_limit(size=10)
    assert len(reporting_line_ids(manager=organisation.top_manager)) == 10


def test_attempts_open_leaves_an_attempt_the_person_already_had_open(people, quiz):
    from tests.factories import attempt_begin

    in_use = attempt_begin(person=people["staff"], quiz=quiz)
    attempts = attempts_open(quiz=quiz, people=[people["staff"]], per_person=2)
    assert Attempt.objects.filter(pk=in_use.pk).exists()
    assert in_use.pk not in {attempt.pk for attempt in attempts}
    assert Attempt.objects.filter(person=people["staff"], submitted_at__isnull=True).count() == 3


class _Rollback(Exception):
    pass


def _vacuum_count(table):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT vacuum_count FROM pg_stat_user_tables WHERE relname = %s", [table])
        return cursor.fetchone()[0]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_line_cut_is_vacuumed_away_outside_a_transaction_and_left_inside_one(
    people,
):
    table = Person._meta.db_table
    try:
        with transaction.atomic():
            Person.objects.update(line_manager=None)
            before = _vacuum_count(table)
            dead_rows_remove(Person)  # inside the cut's transaction: nothing to do, and no error
            assert _vacuum_count(table) == before
            raise _Rollback
    except _Rollback:
        pass
    assert (
        people["staff"].line_manager_id == Person.objects.get(pk=people["staff"].pk).line_manager_id
    )
    dead_rows_remove(Person)
    assert _vacuum_count(table) == before + 1


def test_the_certificate_measured_cites_the_policies_and_clauses_a_learners_would(
    people, quiz, clause
):
    data = SimpleNamespace(certificate_holder=people["staff"], module=quiz.module, quiz=quiz)
    certificate = certificate_sample(data=data)
    assert certificate.pdf
    assert [cited["id"] for cited in certificate.scope["clauses"]] == [clause.pk]
    assert certificate.scope["policies"][0]["title"] == clause.document.title
    assert certificate_sample(data=data) == certificate


def test_the_submitters_are_accounts_that_have_submitted_nothing_at_the_quiz_yet(quiz):
    """A learner has a handful of attempts; submitters who had collected hundreds over the runs
    made each submission cost more than a learner's, and more with every run."""
    roles_sync()  # as the bench's data preparation does first
    first = _submitters_ensure(count=2, quiz=quiz)
    assert len(first) == 2
    assert all(person.user.username.startswith(SUBMITTER_PREFIX) for person in first)
    assert all(person.user.groups.filter(name="Staff").exists() for person in first)

    attempt_passed(person=first[0], quiz=quiz)
    second = _submitters_ensure(count=2, quiz=quiz)

    assert first[0] not in second
    assert first[1] in second
    assert Person.objects.filter(user__username__startswith=SUBMITTER_PREFIX).count() == 3
