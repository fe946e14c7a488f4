"""The attempts item analysis rests on (first, last or all; submitted only; one query) and the
admin report built on them: figures only, never who answered what."""

import base64
import csv
import datetime
import io
import re

import pytest
from openpyxl import load_workbook

from django.urls import reverse
from django.utils import timezone

from quizzes.selectors import (
    ALL_ATTEMPTS,
    FIRST_ATTEMPTS,
    LAST_ATTEMPTS,
    item_analysis_attempts,
    quiz_item_analysis,
)
from quizzes.services import attempt_submit
from tests.factories import attempt_begin, submission_followed_up
from tests.quizzes.answers import answers_for

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)
REPORT = "quizzes_report_item-analysis"


def _sit(person, quiz, *, at, passing):
    attempt = attempt_begin(person=person, quiz=quiz, now=at)
    wrong = set() if passing else {question["id"] for question in attempt.questions}
    return submission_followed_up(
        attempt_submit(attempt=attempt, answers=answers_for(attempt, wrong=wrong), now=at)
    )


@pytest.fixture
def sittings(people, quiz):
    """Staff fail everything, then get everything right; other staff get everything right once;
    the author has an attempt open, not submitted."""
    now = timezone.now()
    _sit(people["staff"], quiz, at=now - 3 * HOUR, passing=False)
    _sit(people["staff"], quiz, at=now - 2 * HOUR, passing=True)
    _sit(people["other_staff"], quiz, at=now - HOUR, passing=True)
    attempt_begin(person=people["author"], quiz=quiz, now=now)
    return quiz


@pytest.mark.parametrize(
    ("basis", "attempts", "facility"),
    [
        # First attempts: staff's failure (0) and other staff's success (1) -> 50 %.
        (FIRST_ATTEMPTS, 2, 50),
        # Last attempts: both successes -> 100 %.
        (LAST_ATTEMPTS, 2, 100),
        # All submitted attempts: 0, 1, 1 -> 66.7 %; the open attempt never counts.
        (ALL_ATTEMPTS, 3, 200 / 3),
    ],
)
def test_the_basis_chooses_the_attempts(sittings, basis, attempts, facility):
    rows = quiz_item_analysis(quiz=sittings, basis=basis)
    assert len(rows) == 3
    for row in rows:
        assert row.attempts == attempts
        assert row.facility == pytest.approx(facility)


def test_the_attempts_are_read_in_one_query_however_many_there_are(
    sittings, people, django_assert_num_queries
):
    with django_assert_num_queries(1):
        assert len(item_analysis_attempts(quiz=sittings, basis=ALL_ATTEMPTS)) == 3
    _sit(people["manager"], sittings, at=timezone.now(), passing=True)
    with django_assert_num_queries(1):
        assert len(item_analysis_attempts(quiz=sittings, basis=FIRST_ATTEMPTS)) == 3


def test_the_attempts_carry_no_person(sittings):
    (attempt, *_) = item_analysis_attempts(quiz=sittings)
    assert set(attempt) == {"questions", "results", "answers"}


def test_an_unknown_basis_is_refused(quiz):
    with pytest.raises(ValueError, match="Unknown attempt basis"):
        item_analysis_attempts(quiz=quiz, basis="best")


def _csv(response):
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.mark.parametrize("who", ["author", "auditor"])
def test_authors_and_auditors_see_and_export_the_figures_but_no_names(
    sittings, people, client_for, who
):
    client = client_for(people[who])
    page = client.get(reverse(REPORT), {"quiz": sittings.pk, "basis": FIRST_ATTEMPTS})
    assert page.status_code == 200
    html = page.content.decode()
    assert "First question?" in html
    # The choice of quiz and of attempts is a form on the page.
    assert 'name="quiz"' in html
    assert 'name="basis"' in html
    exported = _csv(client.get(reverse(REPORT), {"quiz": sittings.pk, "export": "csv"}))
    assert exported[0] == [
        "Question id",
        "Question",
        "Version",
        "Type",
        "Attempts",
        "Facility index (%)",
        "Standard deviation (%)",
        "Discrimination index",
        "Discriminative efficiency (%)",
        "Flags",
        "Responses",
    ]
    assert len(exported) == 4
    first = next(row for row in exported if row[1] == "First question?")
    # Two first attempts, one right and one wrong: 50 %; SD = 100 * sqrt(0.5) = 70.7 %. The rest
    # of each attempt (0, then 2) rises with this question: r = 1, efficiency 100 %.
    assert first[4:9] == ["2", "50.0", "70.7", "1.0", "100.0"]
    assert "(key)" in first[10]
    workbook = client.get(reverse(REPORT), {"quiz": sittings.pk, "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(workbook.streaming_content))).active
    assert sheet.max_row == len(exported)
    everything = html + repr(exported)
    for person in ("staff", "other_staff"):
        # On the page, full names: a last name alone ("Other") is a word of a team's name in
        # the team filter.
        assert people[person].full_name not in everything
        assert people[person].user.last_name not in repr(exported)
        assert people[person].user.username not in everything


def test_without_a_quiz_the_report_is_empty(sittings, people, client_for):
    client = client_for(people["author"])
    assert client.get(reverse(REPORT)).status_code == 200
    assert _csv(client.get(reverse(REPORT), {"export": "csv"}))[1:] == []


def test_an_unknown_quiz_shows_nothing(sittings, people, client_for):
    client = client_for(people["author"])
    page = client.get(reverse(REPORT), {"quiz": 999999})
    assert page.status_code == 200
    assert "First question?" not in page.content.decode()
    assert _csv(client.get(reverse(REPORT), {"quiz": 999999, "export": "csv"}))[1:] == []


def test_managers_and_staff_are_turned_away(sittings, people, client_for):
    for who in ("manager", "staff"):
        response = client_for(people[who]).get(reverse(REPORT), {"quiz": sittings.pk})
        assert response.status_code in (302, 403, 404)
        assert "First question?" not in response.content.decode()


def _chart_svg(html):
    """The SVG of the chart on the page (an image whose source is the SVG as a data: URI)."""
    match = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', html)
    assert match, "no chart on the page"
    return base64.b64decode(match.group(1)).decode()


def test_the_report_charts_facility_against_discrimination(sittings, people, client_for):
    html = (
        client_for(people["author"])
        .get(reverse(REPORT), {"quiz": sittings.pk, "basis": FIRST_ATTEMPTS})
        .content.decode()
    )
    svg = _chart_svg(html)
    assert "<title" in svg and "<desc" in svg and 'role="img"' in svg
    assert "<script" not in svg
    # Every question is placed (each discriminates: r = 1), labelled with its id as in the table.
    for question in sittings.questions.all():
        assert f">Q{question.pk}<" in svg
    assert 'alt="Facility against discrimination, by question. 3 questions' in html


def test_a_quiz_with_one_attempt_has_no_point_to_place(people, quiz, client_for):
    _sit(people["staff"], quiz, at=timezone.now(), passing=True)
    html = client_for(people["author"]).get(reverse(REPORT), {"quiz": quiz.pk}).content.decode()
    svg = _chart_svg(html)
    assert "0 questions" in svg and "3 questions with no discrimination index" in svg


def test_narrowed_to_a_team_of_fewer_than_five_no_figure_is_shown(sittings, people, client_for):
    from lms.small_numbers import SUPPRESSED

    client = client_for(people["auditor"])
    query = {"quiz": sittings.pk, "basis": ALL_ATTEMPTS, "team": people["staff"].team_id}
    exported = _csv(client.get(reverse(REPORT), {**query, "export": "csv"}))
    assert len(exported) == 4
    assert all(row[4:] == [SUPPRESSED] * 7 for row in exported[1:])
    assert {row[1] for row in exported[1:]} >= {"First question?"}
    page = client.get(reverse(REPORT), query).content.decode()
    assert 'src="data:image/svg+xml;base64,' not in page  # nothing to place on the chart


def test_narrowed_to_a_team_and_its_sub_teams_of_five_the_figures_are_theirs(
    people, quiz, client_for
):
    from people.models import Team
    from tests.factories import PersonFactory

    team = people["staff"].team
    sub_team = Team.objects.create(name="Duty desk", parent=team)
    now = timezone.now()
    # Five in the team (one in its sub-team) get everything right; someone elsewhere fails.
    for person in [people[who] for who in ("manager", "staff", "lead", "deep")] + [
        PersonFactory(team=sub_team)
    ]:
        _sit(person, quiz, at=now - HOUR, passing=True)
    _sit(people["other_staff"], quiz, at=now - HOUR, passing=False)
    query = {"quiz": quiz.pk, "basis": FIRST_ATTEMPTS, "export": "csv"}
    client = client_for(people["auditor"])
    narrowed = _csv(client.get(reverse(REPORT), {**query, "team": team.pk}))
    first = next(row for row in narrowed if row[1] == "First question?")
    assert first[4:6] == ["5", "100.0"]
    everyone = _csv(client.get(reverse(REPORT), query))
    first = next(row for row in everyone if row[1] == "First question?")
    assert first[4:6] == ["6", str(round(500 / 6, 1))]
