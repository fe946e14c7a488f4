"""Compliance month by month (worked out by hand), and the insight pages: the manager's (their
own line only, figures about the group only, nothing about fewer than five people) and the
admin reports for authors and auditors, with their charts and exports."""

import csv
import datetime
import io

import pytest
from openpyxl import load_workbook

from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from certificates.models import Certificate, CertificateEvent
from people.selectors import reporting_line
from quizzes.models import Quiz
from quizzes.selectors import months_back
from tests.factories import PersonFactory, QuizFactory, certificate_make, days, facts_refresh
from tests.quizzes.test_clause_misses import sit
from tracking.insight import SUPPRESSED, SUPPRESSED_WHY, compliance_by_month, organisation_people
from tracking.services import assignment_create

pytestmark = pytest.mark.django_db


def moment(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


@pytest.fixture
def history(people, module):
    """Three months: two months ago (M-2), last month (M-1) and this one (today)."""
    today = timezone.localdate()
    m2, m1, _m0 = months_back(today=today, months=3)
    assignment_create(module=module, due_on=days(30))
    far = today + datetime.timedelta(days=365)
    # Sam: valid since the second day of M-2, every month.
    certificate_make(
        person=people["staff"], module=module, expires_on=far, issued_at=moment(m2.replace(day=2))
    )
    # Rita: from the first day of M-1 on.
    certificate_make(person=people["deep"], module=module, expires_on=far, issued_at=moment(m1))
    # Lee: expired on the last day of M-2, so valid at its end (to the end of the day) only.
    certificate_make(
        person=people["lead"],
        module=module,
        expires_on=m1 - datetime.timedelta(days=1),
        issued_at=moment(m2.replace(day=2)),
    )
    # Oscar: revoked on the first day of M-1: valid at the end of M-2 only.
    revoked = certificate_make(
        person=people["other_staff"],
        module=module,
        expires_on=far,
        status=Certificate.Status.REVOKED,
        issued_at=moment(m2.replace(day=2)),
    )
    CertificateEvent.objects.create(
        certificate=revoked,
        at=moment(m1),
        actor_name="Auditor",
        from_status="valid",
        to_status="revoked",
        reason="Issued in error",
    )
    facts_refresh(person=revoked.person, module=revoked.module)
    # Maria started this month: she counts from this month on.
    people["manager"].start_date = today.replace(day=1)
    people["manager"].save()
    return today


def test_compliance_by_month_worked_out_by_hand(history):
    months = compliance_by_month(people=organisation_people(), today=history, months=3)
    # Eight people, all assigned the one module; Maria only this month.
    # M-2: Sam, Lee, Oscar of 7 -> 42.9 %. M-1: Sam, Rita of 7 -> 28.6 %. Now: Sam, Rita of 8.
    assert [(m.people, m.assigned, m.compliant, m.percent) for m in months] == [
        (7, 7, 3, 42.9),
        (7, 7, 2, 28.6),
        (8, 8, 2, 25.0),
    ]
    assert months[-1].measured_on == history
    assert months[0].measured_on.month != months[1].measured_on.month


def test_compliance_of_a_reporting_line(history, people):
    line = reporting_line(manager=people["manager"])  # Sam, Lee, Rita
    months = compliance_by_month(people=line, today=history, months=3)
    assert [(m.people, m.compliant) for m in months] == [(3, 2), (3, 2), (3, 2)]


def test_no_one_assigned_means_no_percentage(people):
    (month,) = compliance_by_month(people=organisation_people(), months=1)
    assert (month.people, month.assigned, month.percent) == (0, 0, None)


# The manager's page.


def csv_rows(response):
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.fixture
def quiz(module):
    """The module's one quiz (a certificate made by ``history`` may have made it already)."""
    return Quiz.objects.filter(module=module).first() or QuizFactory(module=module)


@pytest.fixture
def answered(people, quiz):
    """Sam, Lee and Rita (Maria's line) and Oscar (not hers) answered clause 10's question."""
    yesterday = timezone.now() - datetime.timedelta(days=1)
    for who, right in (("staff", False), ("lead", False), ("deep", True), ("other_staff", False)):
        sit(people[who], quiz, yesterday, q4=right)
    return people


def test_a_small_line_sees_every_figure_suppressed_and_why(history, answered, client_for):
    response = client_for(answered["manager"]).get(reverse("team_insight"))
    assert response.status_code == 200
    page = response.content.decode()
    assert SUPPRESSED in page and "fewer than 5 people is not shown" in page
    assert "42.9" not in page and "66.7" not in page
    assert 'src="data:image/svg+xml;base64,' in page
    # Never who: no one in the line is named.
    for name in ("Sam Staff", "Lee Lead", "Rita Report"):
        assert name not in page
    compliance = csv_rows(
        client_for(answered["manager"]).get(
            reverse("team_insight"), {"export": "csv", "table": "compliance"}
        )
    )
    assert compliance[0][0] == "Month" and all(row[2] == SUPPRESSED for row in compliance[1:])
    clauses = csv_rows(
        client_for(answered["manager"]).get(
            reverse("team_insight"), {"export": "csv", "table": "clauses"}
        )
    )
    assert clauses[1][:6] == ["Safeguarding", "10", "Heading 10", *[SUPPRESSED] * 3]


@pytest.fixture
def bigger_line(answered, quiz):
    """Two more people report to Sam (so to Maria): five in her line answered clause 10."""
    yesterday = timezone.now() - datetime.timedelta(days=1)
    for _ in range(2):
        sit(PersonFactory(line_manager=answered["staff"]), quiz, yesterday, q4=False)
    return answered


def test_five_people_are_enough_to_show_a_figure(bigger_line, client_for):
    client = client_for(bigger_line["manager"])
    clauses = csv_rows(client.get(reverse("team_insight"), {"export": "csv", "table": "clauses"}))
    # Maria's line: Sam, Lee and the two new people missed it, Rita did not; Oscar is not hers.
    assert clauses[1][:6] == ["Safeguarding", "10", "Heading 10", "5", "4", "80.0"]
    month = timezone.localdate() - datetime.timedelta(days=1)
    assert f"{month:%b %Y}: 80 % of 5" in clauses[1][6]
    # A question's own figures are never shown to a manager: only its words.
    assert clauses[1][7] == "Question 14?"
    workbook = client.get(reverse("team_insight"), {"export": "xlsx", "table": "clauses"})
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    assert [cell.value for cell in sheet[2]][:6] == [
        "Safeguarding",
        "10",
        "Heading 10",
        "5",
        "4",
        "80.0",
    ]


def test_another_manager_sees_only_their_own_line(bigger_line, client_for):
    clauses = csv_rows(
        client_for(bigger_line["other_manager"]).get(
            reverse("team_insight"), {"export": "csv", "table": "clauses"}
        )
    )
    assert [row[3] for row in clauses[1:]] == [SUPPRESSED]  # Oscar alone


@pytest.mark.parametrize("who", ["staff", "auditor"])
def test_only_managers_have_the_page(people, client_for, who):
    assert client_for(people[who]).get(reverse("team_insight")).status_code == 404


def test_an_unknown_export_is_not_found(people, client_for):
    client = client_for(people["manager"])
    assert (
        client.get(reverse("team_insight"), {"export": "pdf", "table": "clauses"}).status_code
        == 404
    )
    assert (
        client.get(reverse("team_insight"), {"export": "csv", "table": "people"}).status_code == 404
    )


# The admin reports.

ADMIN_REPORTS = ["lms_report_compliance-over-time", "lms_report_most-missed-clauses"]


@pytest.mark.parametrize("report", ADMIN_REPORTS)
@pytest.mark.parametrize("who", ["author", "auditor"])
def test_authors_and_auditors_see_the_reports_with_a_chart_and_export_them(
    history, answered, client_for, report, who
):
    client = client_for(answered[who])
    page = client.get(reverse(report)).content.decode()
    assert 'src="data:image/svg+xml;base64,' in page
    exported = client.get(reverse(report), {"export": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(exported.streaming_content).decode())))
    workbook = client.get(reverse(report), {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(workbook.streaming_content))).active
    assert sheet.max_row == len(rows) > 1


def test_the_organisation_report_shows_every_figure(history, answered, client_for):
    exported = client_for(answered["auditor"]).get(
        reverse("lms_report_most-missed-clauses"), {"export": "csv"}
    )
    rows = list(csv.reader(io.StringIO(b"".join(exported.streaming_content).decode())))
    assert rows[0][:6] == [
        "Policy document",
        "Clause",
        "Heading",
        "Times asked",
        "Times missed",
        "Missed (%)",
    ]
    assert rows[1][:6] == ["Safeguarding", "10", "Heading 10", "4", "3", "75.0"]
    assert rows[1][7] == "Question 14? (75 % of 4 missed)"
    compliance = client_for(answered["auditor"]).get(
        reverse("lms_report_compliance-over-time"), {"export": "csv"}
    )
    lines = list(csv.reader(io.StringIO(b"".join(compliance.streaming_content).decode())))
    assert lines[-1][2:] == ["8", "8", "2", "25.0"]


@pytest.mark.parametrize("who", ["staff", "manager"])
def test_staff_and_managers_cannot_see_the_admin_reports(people, client_for, who):
    for report in ADMIN_REPORTS:
        assert client_for(people[who]).get(reverse(report)).status_code in (302, 403)


# Narrowed to a team (and its sub-teams), the admin reports keep the small-numbers rule.


def _exported(client, report, **query):
    response = client.get(reverse(report), {**query, "export": "csv"})
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.fixture
def family_court(answered, quiz):
    """Family court team (Maria, Sam, Lee, Rita) gets a sub-team of two more, who missed
    clause 10's question too: five of its people answered it (Sam, Lee, Rita and the two)."""
    from people.models import Team

    team = Team.objects.get(name="Family court team")
    sub_team = Team.objects.create(name="Family court duty desk", parent=team)
    yesterday = timezone.now() - datetime.timedelta(days=1)
    for _ in range(2):
        sit(PersonFactory(team=sub_team), quiz, yesterday, q4=False)
    return team, sub_team


def test_a_team_and_its_sub_teams_of_five_people_show_their_figures(
    family_court, answered, client_for
):
    team, _sub_team = family_court
    rows = _exported(
        client_for(answered["auditor"]), "lms_report_most-missed-clauses", team=team.pk
    )
    assert rows[1][:6] == ["Safeguarding", "10", "Heading 10", "5", "4", "80.0"]
    # Narrowed, a question's own figures (which may rest on fewer people) are not shown.
    assert rows[1][7] == "Question 14?"


def test_a_team_of_fewer_than_five_people_shows_no_figure(
    history, family_court, answered, client_for
):
    team, sub_team = family_court
    client = client_for(answered["auditor"])
    clauses = _exported(client, "lms_report_most-missed-clauses", team=sub_team.pk)
    assert clauses[1][3:7] == [SUPPRESSED] * 4
    # The sub-team's two people: no month's figure; the team with it: six people this month.
    compliance = _exported(client, "lms_report_compliance-over-time", team=sub_team.pk)
    assert len(compliance) == 13 and all(row[2:] == [SUPPRESSED] * 4 for row in compliance[1:])
    page = client.get(reverse("lms_report_compliance-over-time"), {"team": sub_team.pk})
    assert page.status_code == 200 and SUPPRESSED in page.content.decode()
    # The page says why, once, above the figures; with every figure shown it says nothing.
    assert page.content.decode().count(escape(SUPPRESSED_WHY)) == 1
    shown = client.get(reverse("lms_report_compliance-over-time"), {"team": team.pk})
    assert escape(SUPPRESSED_WHY) not in shown.content.decode()
    narrowed = _exported(client, "lms_report_compliance-over-time", team=team.pk)
    assert narrowed[-1][2:] == ["6", "6", "2", "33.3"]
    # The whole organisation, unnarrowed, shows every figure.
    assert _exported(client, "lms_report_compliance-over-time")[-1][2:] == [
        "10",
        "10",
        "2",
        "20.0",
    ]


@pytest.mark.parametrize("who", ["staff", "manager"])
def test_managers_cannot_reach_a_narrowed_admin_report_either(
    family_court, people, client_for, who
):
    team, _sub_team = family_court
    for report in ADMIN_REPORTS:
        response = client_for(people[who]).get(reverse(report), {"team": team.pk, "export": "csv"})
        assert response.status_code in (302, 403)
