import datetime

import pytest

from django.db import IntegrityError, transaction
from django.urls import reverse

from people.models import Person, ReportingLink, Team
from people.selectors import reporting_line_ids, reporting_line_read_once


def test_reporting_line_reaches_every_depth_and_nothing_else(people):
    ids = reporting_line_ids(manager=people["manager"])
    assert ids == {people["staff"].pk, people["lead"].pk, people["deep"].pk}


@pytest.mark.parametrize("how", ["save", "update"])
def test_a_loop_in_the_line_is_refused_and_changes_nothing(people, how):
    # lead -> deep -> lead: the database refuses it, however it is written.
    lead, deep = people["lead"], people["deep"]
    before = sorted(ReportingLink.objects.values_list("manager_id", "person_id", "depth"))
    with pytest.raises(IntegrityError, match="reporting line loop"), transaction.atomic():
        if how == "save":
            lead.line_manager = deep
            lead.save(update_fields=["line_manager"])
        else:
            Person.objects.filter(pk=lead.pk).update(line_manager=deep)
    assert Person.objects.get(pk=lead.pk).line_manager_id == people["manager"].pk
    assert sorted(ReportingLink.objects.values_list("manager_id", "person_id", "depth")) == before
    assert reporting_line_ids(manager=lead) == {deep.pk}
    assert reporting_line_ids(manager=deep) == set()


def _read_once(manager):
    line = reporting_line_read_once(manager=manager)
    return set(line.people.values_list("pk", flat=True)), line.team_ids


def test_the_line_read_once_is_the_reporting_line_with_its_teams(people):
    # The walk goes through someone who has left (their report stays in the line) but does not
    # show them; a report without a team brings "no team" with it.
    Person.objects.filter(pk=people["lead"].pk).update(left_on=datetime.date(2026, 1, 31))
    Person.objects.filter(pk=people["deep"].pk).update(team=None)
    other_team = Team.objects.get(name="Other team")
    Person.objects.filter(pk=people["staff"].pk).update(team=other_team)
    found, team_ids = _read_once(people["manager"])
    assert found == reporting_line_ids(manager=people["manager"])
    assert found == {people["staff"].pk, people["deep"].pk}
    assert team_ids == {other_team.pk, None}


def test_the_line_read_once_of_someone_without_reports_is_empty(people):
    assert _read_once(people["deep"]) == (set(), frozenset())
    assert _read_once(people["other_staff"]) == (set(), frozenset())


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
