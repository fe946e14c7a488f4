"""Live content (what learners are taught or asked now) is never deleted by someone who may not
publish it: Wagtail's snippet delete view and its bulk delete action refuse, say why and delete
nothing; a draft never published is deleted as before; an administrator may delete live content.
As Wagtail rules for live pages."""

import pytest

from django.urls import reverse

from quizzes.models import Question, Quiz, SingleChoiceQuestion
from tests.factories import QuizFactory, single_choice_create

pytestmark = pytest.mark.django_db

REFUSAL = "is published: deleting it would take it away from learners without a review"


@pytest.fixture
def live_question(module, clause):
    quiz = QuizFactory(module=module)
    return single_choice_create(quiz=quiz, clause=clause, text="Who may see a case file?")


def _delete_url(question):
    return reverse("wagtailsnippets_quizzes_singlechoicequestion:delete", args=[question.pk])


def test_an_author_is_refused_deleting_a_live_question_asked_or_confirmed(
    client_for, people, live_question
):
    client = client_for(people["author"])
    for method in (client.get, client.post):
        response = method(_delete_url(live_question), follow=True)
        assert response.status_code == 200
        assert REFUSAL in response.content.decode()
    assert Question.objects.filter(pk=live_question.pk, live=True).exists()


def test_an_author_is_refused_deleting_a_live_question_in_bulk(client_for, people, live_question):
    client = client_for(people["author"])
    url = reverse("wagtail_bulk_action", args=["quizzes", "singlechoicequestion", "delete"])
    response = client.post(f"{url}?id={live_question.pk}", follow=True)
    assert REFUSAL in response.content.decode()
    assert Question.objects.filter(pk=live_question.pk).exists()


def test_an_author_deletes_a_draft_never_published(client_for, people, live_question):
    SingleChoiceQuestion.objects.filter(pk=live_question.pk).update(live=False)
    client = client_for(people["author"])
    response = client.post(_delete_url(live_question))
    assert response.status_code == 302
    assert not Question.objects.filter(pk=live_question.pk).exists()


def test_an_administrator_deletes_a_live_question(admin_client, live_question):
    assert admin_client.post(_delete_url(live_question)).status_code == 302
    assert not Question.objects.filter(pk=live_question.pk).exists()


def test_an_author_is_refused_deleting_a_live_quiz(client_for, people, live_question):
    quiz = live_question.quiz
    assert quiz.live
    client = client_for(people["author"])
    response = client.post(
        reverse("wagtailsnippets_quizzes_quiz:delete", args=[quiz.pk]), follow=True
    )
    assert REFUSAL in response.content.decode()
    assert Quiz.objects.filter(pk=quiz.pk).exists()


def test_the_refusal_never_sends_the_user_to_another_site(client_for, people, live_question):
    client = client_for(people["author"])
    response = client.get(_delete_url(live_question) + "?next=https://evil.example/")
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")
