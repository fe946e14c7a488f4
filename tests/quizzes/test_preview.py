"""The author's preview of a quiz: drawn, shuffled and scored as a learner's attempt, from the
quiz and questions as last saved, for the organisation chosen, and nothing recorded."""

import random
import re

import pytest

from django.apps import apps
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from quizzes.models import Attempt, Option, SingleChoiceQuestion
from quizzes.previews import quiz_preview_draw
from quizzes.services import attempt_start
from tests.factories import (
    OrganisationFactory,
    PolicyClauseFactory,
    PolicyDocumentFactory,
    QuizFactory,
    UserFactory,
    module_page_create,
    module_steps_finish,
    quiz_for,
    single_choice_create,
)
from tests.quizzes.answers import post_data, right_values, wrong_values

pytestmark = pytest.mark.django_db


def _url(quiz, **query):
    url = reverse("quizzes:preview", args=[quiz.pk])
    return url + "".join(f"?{key}={value}" for key, value in query.items())


def _open(client, quiz, **query):
    """GET the preview: (response, preview id, questions drawn)."""
    response = client.get(_url(quiz, **query))
    match = re.search(r'name="preview" value="([^"]*)"', response.content.decode())
    preview_id = match.group(1) if match else None
    drawn = client.session.get("quiz_previews", {}).get(preview_id, {}).get("questions", [])
    return response, preview_id, drawn


def _answers(questions, *, wrong=()):
    return {
        str(question["id"]): (wrong_values if question["id"] in wrong else right_values)(question)
        for question in questions
    }


def _post(client, quiz, preview_id, answers, **extra):
    return client.post(
        _url(quiz), post_data(None, answers, preview=preview_id, **extra), follow=False
    )


def _row_counts():
    """Rows in every table but the sessions', where the preview keeps its draw by design."""
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model is not Session and not model._meta.proxy
    }


def test_an_author_takes_the_whole_preview_and_nothing_is_recorded(
    client_for, people, mixed_quiz, settings
):
    # xAPI on: a real submission would queue statements, so their absence means something.
    settings.XAPI_ENDPOINT = "https://lrs.example.org/xAPI/"
    settings.XAPI_USERNAME, settings.XAPI_PASSWORD = "lms", "secret"
    client = client_for(people["author"])
    before = _row_counts()

    response, preview_id, drawn = _open(client, mixed_quiz)
    assert response.status_code == 200
    assert len(drawn) == 5
    page = response.content.decode()
    for question in drawn:
        assert question["text"] in page
    # The form is the learner's: no key, no feedback, no clause before submitting.
    assert "Feedback" not in page and "2.19" not in page

    wrong = {drawn[0]["id"]}
    response = _post(client, mixed_quiz, preview_id, _answers(drawn, wrong=wrong))
    assert response.status_code == 200
    result = response.content.decode()
    assert "You passed" in result  # 4 of 5 at a pass mark of 60
    assert "80%" in result
    assert "Question 1" in result and "not right" in result
    # The whole key, with the option feedback and the clause, as after a pass.
    assert "Feedback" in result and "2.19" in result
    assert _row_counts() == before


def test_a_failed_preview_shows_the_key_too_and_records_nothing(client_for, people, mixed_quiz):
    client = client_for(people["author"])
    before = _row_counts()
    _, preview_id, drawn = _open(client, mixed_quiz)
    response = _post(
        client, mixed_quiz, preview_id, _answers(drawn, wrong={q["id"] for q in drawn})
    )
    assert response.status_code == 200
    result = response.content.decode()
    assert "You did not pass this time" in result
    assert "Feedback" in result
    assert _row_counts() == before


def test_the_preview_draws_and_shuffles_exactly_as_a_real_attempt(people, mixed_quiz):
    mixed_quiz.questions_per_attempt = 4
    mixed_quiz.save()
    staff = people["staff"]
    module_steps_finish(person=staff, module=mixed_quiz.module)
    attempt = attempt_start(person=staff, quiz=mixed_quiz, rng=random.Random(7))
    preview = quiz_preview_draw(
        quiz=mixed_quiz, organisation=staff.organisation, rng=random.Random(7)
    )
    assert preview.problems == []
    assert preview.questions == attempt.questions


def test_missing_answers_and_forged_options_are_refused_like_the_real_quiz(
    client_for, people, mixed_quiz
):
    client = client_for(people["author"])
    _, preview_id, drawn = _open(client, mixed_quiz)
    answers = _answers(drawn)
    first = str(drawn[0]["id"])

    missing = {key: values for key, values in answers.items() if key != first}
    response = _post(client, mixed_quiz, preview_id, missing)
    assert response.status_code == 400
    assert "Some answers need your attention" in response.content.decode()
    assert 'id="q-' + first + '-error"' in response.content.decode()

    single = next(q for q in drawn if q["type"] == "single_choice")
    forged = answers | {str(single["id"]): ["999999"]}
    response = _post(client, mixed_quiz, preview_id, forged)
    assert response.status_code == 400
    assert "Some answers need your attention" in response.content.decode()

    stranger = answers | {"424242": ["1"]}
    response = _post(client, mixed_quiz, preview_id, stranger)
    assert response.status_code == 400
    assert "not part of this attempt" in response.content.decode()

    response = _post(client, mixed_quiz, preview_id, answers, extra_field="1")
    assert response.status_code == 400
    assert "fields it should not" in response.content.decode()

    # The answers given are kept in the form shown again.
    assert response.content.decode().count("checked") >= 1


def test_a_preview_no_longer_kept_says_so(client_for, people, mixed_quiz):
    client = client_for(people["author"])
    _, _, drawn = _open(client, mixed_quiz)
    response = _post(client, mixed_quiz, "not-a-preview", _answers(drawn))
    assert response.status_code == 400
    assert "This preview has ended" in response.content.decode()


def test_a_preview_of_one_quiz_cannot_be_posted_to_another(client_for, people, mixed_quiz, clause):
    other = quiz_for(module=module_page_create(clause=clause, slug="other"), clause=clause)
    client = client_for(people["author"])
    _, preview_id, drawn = _open(client, mixed_quiz)
    response = _post(client, other, preview_id, _answers(drawn))
    assert response.status_code == 400
    assert "This preview has ended" in response.content.decode()


def test_only_the_last_few_previews_are_kept_in_the_session(client_for, people, quiz):
    client = client_for(people["author"])
    ids = [_open(client, quiz)[1] for _ in range(5)]
    assert list(client.session["quiz_previews"]) == ids[-3:]


def test_drafts_are_previewed_at_their_latest_revision(client_for, people, quiz, clause):
    published = quiz.questions.get(sort_order=0)
    published.save_revision().publish()
    published.text = "First question, as the author is rewording it?"
    published.save_revision()  # a draft of a live question: the row still holds the published words
    draft = single_choice_create(quiz=quiz, clause=clause, text="A new draft?", sort_order=3)
    SingleChoiceQuestion.objects.filter(pk=draft.pk).update(live=False)
    offline = quiz.questions.get(sort_order=1)
    offline.save_revision().publish()
    offline.refresh_from_db()
    offline.unpublish()

    client = client_for(people["author"])
    response, _, drawn = _open(client, quiz)
    texts = {question["text"] for question in drawn}
    assert texts == {
        "First question, as the author is rewording it?",
        "A new draft?",
        "Under-16s may always use WhatsApp.",
    }
    assert "taken offline" in response.content.decode()


def test_withdrawn_questions_are_left_out_and_a_pending_withdrawal_named(client_for, people, quiz):
    # The preview draws the bank as written: a withdrawal waiting for review already counts.
    pending = quiz.questions.get(sort_order=0)
    pending.withdrawn = True
    pending.save_revision()
    approved = quiz.questions.get(sort_order=1)
    approved.withdrawn = True
    approved.save_revision().publish()
    client = client_for(people["author"])
    response, _, drawn = _open(client, quiz)
    assert {question["text"] for question in drawn} == {"Under-16s may always use WhatsApp."}
    html = response.content.decode()
    assert "is left out: it is withdrawn" in html and "First question?" in html
    # One that has left the quiz is not worth a note.
    assert "Second question?" not in html


def test_quiz_settings_come_from_the_quizs_latest_revision(client_for, people, quiz):
    quiz.save_revision().publish()
    quiz.refresh_from_db()
    quiz.pass_mark = 95
    quiz.questions_per_attempt = 2
    quiz.save_revision()  # a draft: the row keeps the published settings
    client = client_for(people["author"])
    response, _, drawn = _open(client, quiz)
    assert len(drawn) == 2
    assert "You need 95% to pass" in response.content.decode()


def test_uncited_questions_are_left_out_and_named(client_for, people, quiz):
    Option.objects.filter(question__quiz=quiz, question__sort_order=0).update(clause=None)
    client = client_for(people["author"])
    response, _, drawn = _open(client, quiz)
    assert "First question?" not in {question["text"] for question in drawn}
    assert "not every answer cites a policy clause" in response.content.decode()


def test_the_author_chooses_whose_policy_applies(client_for, people, module):
    cafcass = OrganisationFactory()
    herts = OrganisationFactory(code="herts")
    ours = PolicyClauseFactory(document=PolicyDocumentFactory(audience=[cafcass]))
    theirs = PolicyClauseFactory(document=PolicyDocumentFactory(audience=[herts]))
    quiz = QuizFactory(module=module)
    for number in range(2):
        single_choice_create(quiz=quiz, clause=ours, text=f"Ours {number}?", sort_order=number)
        single_choice_create(
            quiz=quiz, clause=theirs, text=f"Theirs {number}?", sort_order=10 + number
        )
    client = client_for(people["author"])  # the author works for Cafcass

    response, _, drawn = _open(client, quiz)
    assert {q["text"] for q in drawn} == {"Ours 0?", "Ours 1?"}
    assert "as for a learner at Cafcass" in response.content.decode()

    response, _, drawn = _open(client, quiz, organisation=herts.pk)
    assert {q["text"] for q in drawn} == {"Theirs 0?", "Theirs 1?"}


def test_a_quiz_no_learner_could_start_shows_why_and_no_form(client_for, people, quiz):
    quiz.questions_per_attempt = 10
    quiz.save()
    client = client_for(people["author"])
    response, preview_id, _ = _open(client, quiz)
    assert response.status_code == 200
    assert preview_id is None
    assert "could not start this quiz" in response.content.decode()
    assert "cannot be drawn per attempt" in response.content.decode()


def test_a_reviewer_may_preview(client_for, reviewer, quiz):
    response = client_for(reviewer).get(_url(quiz))
    assert response.status_code == 200


@pytest.mark.parametrize("role", ["staff", "manager", "auditor"])
def test_learners_managers_and_auditors_find_no_preview(client_for, people, quiz, role):
    client = client_for(people[role])
    assert client.get(_url(quiz)).status_code == 404
    assert client.post(_url(quiz), {"preview": "x"}).status_code == 404


def test_visitors_are_sent_to_sign_in(client, quiz):
    response = client.get(_url(quiz))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert Attempt.objects.count() == 0


def test_the_preview_is_never_cached(client_for, people, quiz):
    client = client_for(people["author"])
    page, preview_id, drawn = _open(client, quiz)
    for response in (page, _post(client, quiz, preview_id, _answers(drawn))):
        directives = {part.strip() for part in response["Cache-Control"].split(",")}
        assert {"no-store", "private"} <= directives


def test_a_post_without_the_csrf_token_is_refused(people, quiz):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["author"].user)
    response, preview_id, drawn = _open(client, quiz)
    assert response.status_code == 200
    response = _post(client, quiz, preview_id, _answers(drawn))
    assert response.status_code == 403


def test_a_missing_quiz_is_not_found(client_for, people):
    assert client_for(people["author"]).get("/quizzes/999999/preview/").status_code == 404


def test_the_quiz_edit_screen_offers_the_preview(client_for, people, quiz):
    response = client_for(people["author"]).get(
        reverse("wagtailsnippets_quizzes_quiz:edit", args=[quiz.pk])
    )
    assert response.status_code == 200
    assert f'href="{_url(quiz)}"' in response.content.decode()
    assert "Preview quiz" in response.content.decode()


def test_the_module_edit_screen_offers_its_quizs_preview(client_for, people, quiz, module):
    client = client_for(people["author"])
    response = client.get(reverse("wagtailadmin_pages:edit", args=[module.pk]))
    assert response.status_code == 200
    assert f'href="{_url(quiz)}"' in response.content.decode()


def test_a_module_without_a_quiz_offers_no_preview(client_for, people, module):
    response = client_for(people["author"]).get(
        reverse("wagtailadmin_pages:edit", args=[module.pk])
    )
    assert response.status_code == 200
    assert "Preview quiz" not in response.content.decode()


def test_an_administrator_without_a_learner_record_previews_for_the_home_organisation(
    client, quiz, settings
):
    settings.LMS_HOME_ORGANISATION = "cafcass"
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    response, preview_id, drawn = _open(client, quiz)
    assert response.status_code == 200
    assert "as for a learner at Cafcass" in response.content.decode()
    assert len(drawn) == 3
    response = _post(client, quiz, preview_id, _answers(drawn))
    assert "You passed" in response.content.decode()
