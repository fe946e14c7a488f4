from django.urls import reverse

from people.models import Person
from people.selectors import reporting_line_ids


def test_reporting_line_reaches_every_depth_and_nothing_else(people):
    ids = reporting_line_ids(manager=people["manager"])
    assert ids == {people["staff"].pk, people["lead"].pk, people["deep"].pk}


def test_a_loop_in_the_data_does_not_hang_or_leak(people):
    # lead -> deep -> lead: a loop that bad data could create.
    Person.objects.filter(pk=people["lead"].pk).update(line_manager=people["deep"])
    assert reporting_line_ids(manager=people["lead"]) == {people["deep"].pk}


def test_manager_sees_their_line_and_gets_404_outside_it(client_for, people):
    client = client_for(people["manager"])
    dashboard = client.get(reverse("team_dashboard")).content.decode()
    for name in ["staff", "lead", "deep"]:
        assert people[name].full_name in dashboard
    assert people["other_staff"].full_name not in dashboard
    assert client.get(reverse("team_member", args=[people["deep"].pk])).status_code == 200
    assert client.get(reverse("team_member", args=[people["other_staff"].pk])).status_code == 404
    assert client.get(reverse("team_member", args=[999999])).status_code == 404


def test_manager_never_sees_answers(client_for, people, quiz):
    from quizzes.services import attempt_submit
    from tests.factories import attempt_begin
    from tests.quizzes.answers import answers_for

    attempt = attempt_begin(person=people["staff"], quiz=quiz)
    answers = answers_for(attempt, wrong={q["id"] for q in attempt.questions})
    attempt_submit(attempt=attempt, answers=answers)
    page = (
        client_for(people["manager"])
        .get(reverse("team_member", args=[people["staff"].pk]))
        .content.decode()
    )
    assert "Failed" in page
    for question in attempt.questions:
        assert question["text"] not in page
        for option in question["options"]:
            if option["id"] in answers[str(question["id"])]:
                assert option["text"] not in page
