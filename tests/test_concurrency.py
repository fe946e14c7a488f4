"""Concurrent use on PostgreSQL: real parallel transactions, each thread on its own connection."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from django.db import connections

from certificates.models import Certificate
from people.services import person_create
from quizzes.models import Attempt
from quizzes.services import AttemptAlreadySubmitted, attempt_submit
from tests.factories import OrganisationFactory, attempt_begin

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def _correct(attempt):
    return {
        str(q["id"]): [next(o["id"] for o in q["options"] if o["correct"])]
        for q in attempt.questions
    }


def _in_parallel(functions):
    """Run each function in its own thread, released together, each closing its connection."""
    barrier = threading.Barrier(len(functions))

    def run(function):
        try:
            barrier.wait(timeout=30)
            return ("ok", function())
        except Exception as error:  # noqa: BLE001  (the outcome is what the test inspects)
            return ("error", error)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(functions)) as pool:
        return list(pool.map(run, functions))


def _learner(username):
    return person_create(
        username=username,
        first_name="L",
        last_name=username,
        email=f"{username}@example.org",
        organisation=OrganisationFactory(),
    )


def test_fifty_concurrent_submissions_of_distinct_attempts_all_succeed(people, quiz):
    attempts = []
    for number in range(50):
        person = _learner(f"learner{number}")
        attempts.append(attempt_begin(person=person, quiz=quiz))
    outcomes = _in_parallel(
        [
            lambda attempt=attempt: attempt_submit(attempt=attempt, answers=_correct(attempt))
            for attempt in attempts
        ]
    )
    errors = [outcome for kind, outcome in outcomes if kind == "error"]
    assert errors == []
    assert Attempt.objects.filter(submitted_at__isnull=False, passed=True).count() == 50
    # Every pass issued exactly one certificate, each with its own serial.
    module_certificates = Certificate.objects.filter(kind=Certificate.Kind.MODULE)
    assert module_certificates.count() == 50
    assert (
        len(set(Certificate.objects.values_list("serial", flat=True)))
        == Certificate.objects.count()
    )


def test_twenty_concurrent_submissions_of_one_attempt_produce_one_result(people, quiz):
    attempt = attempt_begin(person=people["staff"], quiz=quiz)
    answers = _correct(attempt)
    outcomes = _in_parallel(
        [
            lambda: attempt_submit(attempt=Attempt.objects.get(pk=attempt.pk), answers=answers)
            for _ in range(20)
        ]
    )
    succeeded = [outcome for kind, outcome in outcomes if kind == "ok"]
    refused = [outcome for kind, outcome in outcomes if kind == "error"]
    assert len(succeeded) == 1
    assert len(refused) == 19 and all(
        isinstance(error, AttemptAlreadySubmitted) for error in refused
    )
    assert Certificate.objects.filter(attempt=attempt).count() == 1


def test_a_submission_and_a_certificate_for_one_person_at_once_leave_true_facts(
    people, quiz, passes_issue_nothing
):
    # Each person has a pass waiting for its certificate; the certificate task and their next
    # submission run at once. Whichever commits first, the second works the person's stored
    # facts out after it (tracking.facts locks the person first), so the facts end up saying
    # both: two attempts and a valid certificate.
    from certificates.services import certificate_issue_for_attempt
    from tracking.facts import module_status_facts_differences
    from tracking.models import ModuleStatusFacts

    jobs = []
    learners = []
    for number in range(8):
        person = _learner(f"pair{number}")
        passed = attempt_begin(person=person, quiz=quiz)
        attempt_submit(attempt=passed, answers=_correct(passed))
        second = attempt_begin(person=person, quiz=quiz)
        jobs += [
            lambda attempt_id=passed.pk: certificate_issue_for_attempt(attempt_id=attempt_id),
            lambda attempt=second: attempt_submit(attempt=attempt, answers=_correct(attempt)),
        ]
        learners.append(person)
    outcomes = _in_parallel(jobs)

    assert [outcome for kind, outcome in outcomes if kind == "error"] == []
    assert module_status_facts_differences() == {}
    for person in learners:
        facts = ModuleStatusFacts.objects.get(person=person, module=quiz.module)
        assert (facts.attempts, facts.certificate_status) == (2, Certificate.Status.VALID)
        # The second pass waits for its own certificate (the hand-off is off in this test).
        assert facts.passed_pending == 1


def test_a_refresh_waits_for_the_persons_writer_and_reads_what_it_committed(people, quiz):
    """Step by step, where the test above leaves the meeting of two writes to chance: a
    submission holds its learner (its facts refreshed, its commit not yet made) while a second
    refresh of the same learner and module starts. The second must wait for the person, then
    work the facts out from records read after the submission committed: read before, they
    would say nothing was submitted, and as the later write they would be the ones kept. (The
    submission fails, so that no certificate task refreshes the facts again after both.)"""
    from django.db import connection, transaction

    from tests.factories import answers_all
    from tests.locks import PATIENCE_SECONDS, finished_or_waiting, run_closing
    from tracking.facts import module_status_facts_refresh
    from tracking.models import ModuleStatusFacts

    person = _learner("held")
    attempt = attempt_begin(person=person, quiz=quiz)
    submitted, released = threading.Event(), threading.Event()
    refresh_pid = []

    def submit_and_hold():
        with transaction.atomic():
            attempt_submit(attempt=attempt, answers=answers_all(attempt, right=False))
            submitted.set()
            assert released.wait(PATIENCE_SECONDS)

    def refresh():
        with transaction.atomic():
            refresh_pid.append(connection.connection.info.backend_pid)
            module_status_facts_refresh(person_ids=[person.pk], module_ids=[quiz.module_id])

    with ThreadPoolExecutor(max_workers=2) as pool:
        holder = pool.submit(run_closing, submit_and_hold)
        assert submitted.wait(PATIENCE_SECONDS)
        second = pool.submit(run_closing, refresh)
        finished_first = finished_or_waiting(second, refresh_pid)
        released.set()
        assert holder.result() == (None, None)
        assert second.result() == (None, None)

    assert not finished_first, "the second refresh did not wait for the person"
    facts = ModuleStatusFacts.objects.get(person=person, module=quiz.module)
    assert (facts.attempts, facts.started) == (1, True)
