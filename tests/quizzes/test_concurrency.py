"""Concurrent requests against a real PostgreSQL: a double click, two tabs or a retry submit the
same attempt at once, and exactly one result is recorded."""

import contextlib
import re
import threading

import pytest

from django.db import connections
from django.test import Client
from django.urls import reverse

from certificates.models import Certificate
from quizzes import services
from quizzes.models import Attempt
from tests.factories import module_steps_finish
from tests.quizzes.answers import answers_for, post_data

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

CLIENTS = 6


def _at_once(request_for):
    """Run ``request_for(client)`` in CLIENTS threads released together, each thread with its own
    database connection; return the responses."""
    barrier = threading.Barrier(CLIENTS)
    responses, errors = [], []

    def run(client):
        try:
            barrier.wait(timeout=30)
            responses.append(request_for(client))
        except Exception as error:  # noqa: BLE001 - reported by the test below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(client,)) for client in _clients()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert len(responses) == CLIENTS
    return responses


_user = {}


def _clients():
    clients = []
    for _ in range(CLIENTS):
        client = Client()
        client.force_login(_user["user"])
        clients.append(client)
    return clients


def _all_scored_before_any_writes(monkeypatch):
    """Hold every request after it has read the attempt as open and scored it, until all have:
    the worst interleaving, where only the database can keep the result single."""
    scored = threading.Barrier(CLIENTS)
    real_attempt_score = services.attempt_score

    def attempt_score(**kwargs):
        result = real_attempt_score(**kwargs)
        scored.wait(timeout=30)
        return result

    monkeypatch.setattr(services, "attempt_score", attempt_score)


def test_concurrent_submissions_of_one_attempt_record_exactly_one_result(people, quiz, monkeypatch):
    _user["user"] = people["staff"].user
    module_steps_finish(person=people["staff"], module=quiz.module)
    client = _clients()[0]
    url = client.post(reverse("quizzes:start", args=[quiz.pk])).url
    token = re.search(r'name="form_token" value="([^"]+)"', client.get(url).content.decode()).group(
        1
    )
    attempt = Attempt.objects.get()
    data = post_data(attempt, answers_for(attempt), form_token=token)
    _all_scored_before_any_writes(monkeypatch)

    responses = _at_once(lambda each: each.post(url, data))

    assert sorted(response.status_code for response in responses) == [302] + [400] * (CLIENTS - 1)
    for response in responses:
        if response.status_code == 400:
            assert "already been submitted" in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.passed is True and attempt.submitted_at is not None
    assert (
        Certificate.objects.filter(person=people["staff"], kind=Certificate.Kind.MODULE).count()
        == 1
    )


def test_concurrent_starts_open_one_attempt(people, quiz, monkeypatch):
    _user["user"] = people["staff"].user
    module_steps_finish(person=people["staff"], module=quiz.module)
    # Let every request that found no open attempt wait for the others to find the same, so
    # that without the per-person lock all of them would open one. With the lock only one gets
    # here at a time, and the wait gives up.
    found_none_open = threading.Barrier(CLIENTS)
    real_retry_at = services.attempt_retry_at

    def attempt_retry_at(**kwargs):
        with contextlib.suppress(threading.BrokenBarrierError):
            found_none_open.wait(timeout=2)
        return real_retry_at(**kwargs)

    monkeypatch.setattr(services, "attempt_retry_at", attempt_retry_at)
    responses = _at_once(lambda each: each.post(reverse("quizzes:start", args=[quiz.pk])))
    assert {response.status_code for response in responses} == {302}
    assert len({response.url for response in responses}) == 1
    assert Attempt.objects.filter(person=people["staff"]).count() == 1


def test_a_save_racing_a_submission_never_changes_the_submitted_record(people, quiz):
    _user["user"] = people["staff"].user
    module_steps_finish(person=people["staff"], module=quiz.module)
    client = _clients()[0]
    url = client.post(reverse("quizzes:start", args=[quiz.pk])).url
    token = re.search(r'name="form_token" value="([^"]+)"', client.get(url).content.decode()).group(
        1
    )
    attempt = Attempt.objects.get()
    right = post_data(attempt, answers_for(attempt), form_token=token)
    wrong = post_data(
        attempt, answers_for(attempt, wrong={q["id"] for q in attempt.questions}), form_token=token
    )
    turn = iter(range(CLIENTS))
    lock = threading.Lock()

    def request_for(each):
        with lock:
            index = next(turn)
        return each.post(url, right if index == 0 else wrong | {"action": "save"})

    responses = _at_once(request_for)
    assert sum(response.status_code == 302 for response in responses) == 1
    attempt.refresh_from_db()
    if attempt.submitted_at is not None:
        # The submission won: no save touched it afterwards.
        assert attempt.passed is True and attempt.revision == 0
    else:
        # A save won: the submission, built on the older form, was refused as stale.
        assert attempt.revision == 1
