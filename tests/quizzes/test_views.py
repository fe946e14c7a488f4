"""The quiz over HTTP: no answer key in the page, save and come back, submit once, and every
tampered form refused with a clear message and nothing saved."""

import datetime
import re

import pytest

from django.urls import reverse
from django.utils import timezone

from people.models import Person
from quizzes.models import Attempt
from tests.factories import (
    QuizFactory,
    module_page_create,
    module_steps_finish,
    single_choice_create,
)
from tests.quizzes.answers import answers_for, post_data, right_values, wrong_values

pytestmark = pytest.mark.django_db


def _fields(attempt_id):
    attempt = Attempt.objects.get(pk=attempt_id)
    return {field.name: getattr(attempt, field.name) for field in Attempt._meta.concrete_fields}


def _start(client, quiz, *, person):
    module_steps_finish(person=person, module=quiz.module)
    response = client.post(reverse("quizzes:start", args=[quiz.pk]))
    assert response.status_code == 302
    attempt = Attempt.objects.latest("pk")
    return attempt, response.url


def _of_type(attempt, kind):
    return next(question for question in attempt.questions if question["type"] == kind)


def _token(html):
    return re.search(r'name="form_token" value="([^"]+)"', html).group(1)


@pytest.fixture
def sitting(client_for, people, mixed_quiz):
    """Sam has the mixed quiz open: (client, attempt, url, page html)."""
    client = client_for(people["staff"])
    attempt, url = _start(client, mixed_quiz, person=people["staff"])
    html = client.get(url).content.decode()
    return client, attempt, url, html


def test_the_quiz_page_never_contains_the_answer_key_or_feedback(sitting):
    _, attempt, _, html = sitting
    assert "correct" not in html.lower()
    assert "feedback" not in html.lower()
    assert "2.19" not in html and "Contacting children on WhatsApp" not in html  # no clause either
    for question in attempt.questions:
        assert question["text"] in html
        for option in question["options"]:
            assert option["text"] in html
            assert option["feedback"] not in html
    # Ordering items are offered as position selects, not in their correct order.
    ordering = _of_type(attempt, "ordering")
    shown = [
        html.index(option["text"])
        for option in sorted(ordering["options"], key=lambda o: o["position"])
    ]
    assert shown != sorted(shown)
    assert f'name="q-{ordering["id"]}.{ordering["options"][0]["id"]}"' in html
    # Option ids in the page are opaque: database ids would give away the authored order.
    database_ids = {
        option["option_id"]
        for question in attempt.questions
        if question["type"] != "true_false"
        for option in question["options"]
    }
    item_ids = {item for _, item in re.findall(r'name="q-(\d+)\.([^"]+)"', html)}
    option_values = set(re.findall(r'name="q-\d+" type="(?:radio|checkbox)" value="([^"]+)"', html))
    assert len(item_ids) == 6 and len(option_values) == 3 + 4 + 2
    assert not (item_ids | option_values) & database_ids


def test_answers_saved_to_come_back_later_survive_a_reload(sitting):
    client, attempt, url, html = sitting
    single, ordering, scenario = (
        _of_type(attempt, kind) for kind in ("single_choice", "ordering", "scenario_judgement")
    )
    answers = {str(q["id"]): right_values(q) for q in (single, ordering, scenario)}
    response = client.post(url, post_data(attempt, answers, form_token=_token(html), action="save"))
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Your answers are saved" in page
    chosen = next(o for o in single["options"] if o["correct"])
    assert f'value="{chosen["id"]}" checked' in page
    for option in ordering["options"]:
        field = f'name="q-{ordering["id"]}.{option["id"]}"'
        select = page[page.index(field) : page.index("</select>", page.index(field))]
        assert f'value="{option["position"]}" selected' in select
    assert (
        page.count('value="appropriate" checked') + page.count('value="not_appropriate" checked')
        == 3
    )
    saved = Attempt.objects.get(pk=attempt.pk)
    assert saved.submitted_at is None and saved.revision == 1
    # Submitting from the reloaded page scores it.
    response = client.post(
        url, post_data(attempt, answers_for(attempt), form_token=_token(page), action="submit")
    )
    assert response.status_code == 302
    assert Attempt.objects.get(pk=attempt.pk).passed is True


def test_an_incomplete_submission_keeps_what_was_typed_and_points_at_the_question(sitting):
    client, attempt, url, html = sitting
    answers = answers_for(attempt)
    missing, single = _of_type(attempt, "multiple_response"), _of_type(attempt, "single_choice")
    del answers[str(missing["id"])]
    response = client.post(url, post_data(attempt, answers, form_token=_token(html)))
    page = response.content.decode()
    assert response.status_code == 400
    number = attempt.questions.index(missing) + 1  # as shown: questions are shuffled
    assert (
        "There is a problem" in page and f"Question {number}: Choose at least one answer." in page
    )
    assert f'href="#q-{missing["id"]}-0"' in page
    chosen = next(o for o in single["options"] if o["correct"])
    assert f'value="{chosen["id"]}" checked' in page
    assert Attempt.objects.get(pk=attempt.pk).submitted_at is None


def _tamper_cases(attempt, token):
    answers = answers_for(attempt)
    first, second = attempt.questions[0], attempt.questions[1]
    return {
        "submitted score field": (
            post_data(attempt, answers, form_token=token, score="100", passed="on"),
            "fields it should not",
        ),
        "option from another question": (
            post_data(
                attempt,
                answers | {str(first["id"]): [second["options"][0]["id"]]},
                form_token=token,
            ),
            "not one of this question",
        ),
        "question not in the attempt": (
            post_data(attempt, answers | {"987654": ["1"]}, form_token=token),
            "not part of this attempt",
        ),
        "item of another question": (
            post_data(attempt, answers, form_token=token)
            | {f"q-{attempt.questions[3]['id']}.{second['options'][0]['id']}": "1"},
            "not one of this question",
        ),
        "no form token": (post_data(attempt, answers), "does not belong to this attempt"),
        "forged form token": (
            post_data(attempt, answers, form_token=token + "x"),
            "does not belong to this attempt",
        ),
    }


@pytest.mark.parametrize(
    "case",
    [
        "submitted score field",
        "option from another question",
        "question not in the attempt",
        "item of another question",
        "no form token",
        "forged form token",
    ],
)
@pytest.mark.parametrize("action", ["submit", "save"])
def test_a_tampered_form_is_refused_with_a_clear_message_and_nothing_saved(sitting, case, action):
    client, attempt, url, html = sitting
    data, message = _tamper_cases(attempt, _token(html))[case]
    before = _fields(attempt.pk)
    response = client.post(url, data | {"action": action})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert _fields(attempt.pk) == before


def test_a_form_of_another_attempt_is_refused(sitting, clause, people):
    client, attempt, url, _ = sitting
    other_quiz = QuizFactory(module=module_page_create(clause=clause, title="Other", slug="other"))
    single_choice_create(quiz=other_quiz, clause=clause)
    other_attempt, other_url = _start(client, other_quiz, person=people["staff"])
    other_token = _token(client.get(other_url).content.decode())
    before = _fields(attempt.pk)
    response = client.post(url, post_data(attempt, answers_for(attempt), form_token=other_token))
    assert (
        response.status_code == 400
        and "does not belong to this attempt" in response.content.decode()
    )
    assert _fields(attempt.pk) == before


def test_a_replayed_old_form_is_refused_and_nothing_is_saved(sitting):
    client, attempt, url, html = sitting
    old_token = _token(html)
    first = attempt.questions[0]
    client.post(
        url,
        post_data(
            attempt, {str(first["id"]): right_values(first)}, form_token=old_token, action="save"
        ),
    )
    before = _fields(attempt.pk)
    for action in ("save", "submit"):
        replay = post_data(
            attempt, {str(first["id"]): wrong_values(first)}, form_token=old_token, action=action
        )
        response = client.post(url, replay)
        assert response.status_code == 400
        assert "out of date" in response.content.decode()
        assert _fields(attempt.pk) == before


def test_a_replayed_submission_after_the_result_is_refused(sitting):
    client, attempt, url, html = sitting
    data = post_data(attempt, answers_for(attempt), form_token=_token(html))
    assert client.post(url, data).status_code == 302
    before = _fields(attempt.pk)
    wrong = post_data(
        attempt,
        answers_for(attempt, wrong={q["id"] for q in attempt.questions}),
        form_token=_token(html),
    )
    response = client.post(url, wrong)
    assert response.status_code == 400
    assert "already been submitted" in response.content.decode()
    assert _fields(attempt.pk) == before


def test_a_submission_after_the_time_limit_and_grace_is_refused(sitting):
    client, attempt, url, html = sitting
    Attempt.objects.filter(pk=attempt.pk).update(
        deadline=timezone.now() - datetime.timedelta(minutes=2),
        submit_by=timezone.now() - datetime.timedelta(seconds=1),
    )
    before = _fields(attempt.pk)
    response = client.post(url, post_data(attempt, answers_for(attempt), form_token=_token(html)))
    assert response.status_code == 400
    assert (
        "Answers sent after the time limit are not accepted, so nothing was saved"
        in response.content.decode()
    )
    assert _fields(attempt.pk) == before
    # Looking at the attempt afterwards closes it as timed out, never passed.
    page = client.get(url).content.decode()
    assert "The time limit ran out" in page
    closed = Attempt.objects.get(pk=attempt.pk)
    assert closed.timed_out and closed.passed is False


def test_the_result_shows_score_answers_feedback_and_clause_with_versions(sitting):
    client, attempt, url, html = sitting
    wrong = _of_type(attempt, "scenario_judgement")
    client.post(
        url, post_data(attempt, answers_for(attempt, wrong={wrong["id"]}), form_token=_token(html))
    )
    page = client.get(url).content.decode()
    assert "You passed" in page and "80%" in page
    number = attempt.questions.index(wrong) + 1  # as shown: questions are shuffled
    right = 1 if number != 1 else 2
    assert f"Question {number}: not right" in page and f"Question {right}: right" in page
    assert "Feedback on Step 1" in page and "Feedback on Action 1" in page
    assert "clause 2.19, clause version 1" in page and "(version 2.1)" in page


def test_a_failed_result_says_when_the_next_attempt_is_allowed(sitting, mixed_quiz):
    client, attempt, url, html = sitting
    mixed_quiz.attempts_before_cooldown, mixed_quiz.cooldown_hours = 1, 24
    mixed_quiz.save()
    all_wrong = answers_for(attempt, wrong={q["id"] for q in attempt.questions})
    client.post(url, post_data(attempt, all_wrong, form_token=_token(html)))
    page = client.get(url).content.decode()
    assert "You did not pass this time" in page
    retry = timezone.localtime(
        Attempt.objects.get(pk=attempt.pk).submitted_at + datetime.timedelta(hours=24)
    )
    assert f"You can try again from <strong>{retry:%-d %B %Y} at {retry:%H:%M}</strong>" in page
    response = client.post(reverse("quizzes:start", args=[mixed_quiz.pk]), follow=True)
    assert "You can try again from" in response.content.decode()
    assert Attempt.objects.count() == 1


def test_nobody_else_reaches_an_attempt(sitting, client_for, people):
    _, attempt, url, _ = sitting
    other = client_for(people["manager"])
    assert other.get(url).status_code == 404
    assert other.post(url, {}).status_code == 404


def test_the_quiz_and_result_pages_do_not_grow_queries_with_questions(
    client_for, people, clause, mixed_quiz
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    small_quiz = QuizFactory(module=module_page_create(clause=clause, title="Other", slug="other"))
    single_choice_create(quiz=small_quiz, clause=clause)
    counts = []
    for person, each_quiz in ((people["staff"], small_quiz), (people["deep"], mixed_quiz)):
        client = client_for(person)
        attempt, url = _start(client, each_quiz, person=person)
        with CaptureQueriesContext(connection) as form_queries:
            html = client.get(url).content.decode()
        client.post(url, post_data(attempt, answers_for(attempt), form_token=_token(html)))
        with CaptureQueriesContext(connection) as result_queries:
            client.get(url)
        counts.append((len(form_queries), len(result_queries)))
    assert counts[0] == counts[1]


def test_the_page_of_questions_reads_the_attempt_in_one_query_and_not_the_person(sitting):
    """The page of questions needs nothing of the person but the id the attempt holds, and only
    the quiz's title, which comes from the shared cache once the page has been shown; the result
    after a submission reads the person for their standing with the quiz, and the quiz fresh."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client, attempt, url, _ = sitting
    person_table = Person._meta.db_table
    with CaptureQueriesContext(connection) as form_queries:
        assert client.get(url).status_code == 200
    attempt_reads = [
        query["sql"] for query in form_queries if 'FROM "quizzes_attempt"' in query["sql"]
    ]
    assert len(attempt_reads) == 1
    assert f'"{person_table}"."employee_number"' not in attempt_reads[0]
    assert not [query for query in form_queries if f'FROM "{person_table}"' in query["sql"]]
    assert not [query for query in form_queries if '"quizzes_quiz"' in query["sql"]]

    html = client.get(url).content.decode()
    response = client.post(url, post_data(attempt, answers_for(attempt), form_token=_token(html)))
    assert response.status_code == 302
    with CaptureQueriesContext(connection) as result_queries:
        result = client.get(url)
    assert result.status_code == 200 and "You passed" in result.content.decode()
    assert [query for query in result_queries if 'FROM "quizzes_quiz"' in query["sql"]]


def test_a_submission_reads_the_attempt_alone_and_still_closes_the_module_run(sitting, people):
    """What an open attempt is scored by was frozen into it when it started, so a submission reads
    the attempt alone, with neither the quiz's columns nor the person's joined, and no query on
    the quiz at all: its title and module come from the shared cache. A pass still closes the
    person's run through the module, and the stored facts say passed."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from modules.models import ModuleProgress
    from tracking.models import ModuleStatusFacts

    client, attempt, url, html = sitting
    person_table = Person._meta.db_table
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            url, post_data(attempt, answers_for(attempt), form_token=_token(html))
        )
    assert response.status_code == 302
    attempt_reads = [
        query["sql"]
        for query in queries
        if query["sql"].startswith("SELECT") and 'FROM "quizzes_attempt"' in query["sql"]
    ]
    assert len(attempt_reads) == 1
    assert '"quizzes_quiz"."title"' not in attempt_reads[0]
    assert f'"{person_table}"."employee_number"' not in attempt_reads[0]
    assert not [query for query in queries if 'FROM "quizzes_quiz"' in query["sql"]]

    attempt.refresh_from_db()
    assert attempt.passed
    runs = ModuleProgress.objects.filter(person=people["staff"], module=attempt.quiz.module)
    assert runs.exists() and not runs.filter(completed_at__isnull=True).exists()
    facts = ModuleStatusFacts.objects.get(person=people["staff"], module=attempt.quiz.module)
    assert facts.certificate_status is not None or facts.passed_pending == 1


def test_the_pages_script_saves_as_you_go_and_gets_the_next_form_token(sitting):
    client, attempt, url, html = sitting
    assert "data-autosave" in html
    first = attempt.questions[0]
    data = post_data(
        attempt, {str(first["id"]): right_values(first)}, form_token=_token(html), action="save"
    )
    response = client.post(url, data, HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and response.json()["saved"] is True
    assert Attempt.objects.get(pk=attempt.pk).draft == {str(first["id"]): right_values(first)}
    # The swapped-in token is current; the old one is now stale, and a stale save saves nothing.
    stale = client.post(url, data, HTTP_ACCEPT="application/json")
    assert stale.status_code == 400 and "out of date" in stale.json()["message"]
    next_data = post_data(
        attempt, answers_for(attempt), form_token=response.json()["form_token"], action="submit"
    )
    assert client.post(url, next_data).status_code == 302
    assert Attempt.objects.get(pk=attempt.pk).passed is True


def test_starting_before_the_modules_steps_are_done_is_refused_on_the_module_page(
    client_for, people, quiz, module
):
    client = client_for(people["staff"])
    page = client.get(module.url).content.decode()
    assert "Take the quiz" not in page and reverse("quizzes:start", args=[quiz.pk]) not in page
    response = client.post(reverse("quizzes:start", args=[quiz.pk]), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == module.url
    html = response.content.decode()
    assert "Work through every step of the module before you take its quiz" in html
    assert "Start module" in html
    assert not Attempt.objects.exists()


def test_part_way_through_the_module_the_quiz_is_neither_offered_nor_started(
    client_for, people, quiz, module
):
    client = client_for(people["staff"])
    client.post(module.url)
    client.post(module.url + "step/1/", {"continue": "1"})
    page = client.get(module.url).content.decode()
    assert "Continue where you stopped" in page and "Take the quiz" not in page
    response = client.post(reverse("quizzes:start", args=[quiz.pk]), follow=True)
    assert "Work through every step of the module" in response.content.decode()
    assert not Attempt.objects.exists()


def test_a_test_out_quiz_is_offered_and_starts_before_the_module(client_for, people, quiz, module):
    quiz.can_take_without_module = True
    quiz.save()
    client = client_for(people["staff"])
    page = client.get(module.url).content.decode()
    assert "Start module" in page and "Take the quiz without the module" in page
    assert reverse("quizzes:start", args=[quiz.pk]) in page
    response = client.post(reverse("quizzes:start", args=[quiz.pk]))
    assert response.status_code == 302
    assert response.url == reverse(
        "quizzes:attempt", args=[Attempt.objects.get(person=people["staff"]).pk]
    )


def test_every_label_names_an_input_and_every_question_has_the_id_its_error_links_to(sitting):
    """The inputs' ids are worked out in the view (quizzes.views.question_for_form), not by the
    kinds' templates: each label still names exactly one input, and the error summary's link to a
    question (``#q-<id>-0``) lands on its first input whatever its kind."""
    _, attempt, _, html = sitting
    input_ids = re.findall(r'<(?:input|select) [^>]*id="(q-[^"]+)"', html)
    label_targets = re.findall(r'<label [^>]*for="(q-[^"]+)"', html)
    assert len(input_ids) == len(set(input_ids))
    assert sorted(label_targets) == sorted(input_ids)
    for question in attempt.questions:
        assert f"q-{question['id']}-0" in input_ids
    scenario = _of_type(attempt, "scenario_judgement")
    field = f"q-{scenario['id']}"
    assert f'id="{field}-1-not_appropriate" name="{field}.{scenario["options"][1]["id"]}"' in html
