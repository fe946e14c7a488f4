"""The policy clause coverage report: which module steps and questions cite each clause."""

import csv
import io

import pytest
from openpyxl import load_workbook

from django.urls import reverse

from modules.models import policy_version_label
from quizzes.selectors import clause_coverage
from tests.factories import PolicyClauseFactory, true_false_create

pytestmark = pytest.mark.django_db

REPORT = "quizzes_report_clause-coverage"


@pytest.fixture
def library(quiz, clause):
    """Clause 2.19 is taught by the module and tested by the quiz; 2.9 is cited by nothing; 2.20
    only by a true/false question."""
    never = PolicyClauseFactory(document=clause.document, reference="2.9")
    tested_only = PolicyClauseFactory(document=clause.document, reference="2.20")
    true_false_create(quiz=quiz, clause=tested_only, sort_order=5)
    return {"taught": clause, "never": never, "tested_only": tested_only}


def _rows_by_reference():
    return {row["reference"]: row for row in clause_coverage()}


def test_each_clause_shows_the_steps_and_questions_that_cite_it(library, quiz, module):
    rows = _rows_by_reference()
    taught = rows["2.19"]
    assert taught["coverage"] == "Taught and tested"
    assert taught["step_count"] >= 1 and module.title in taught["steps"]
    assert taught["question_count"] == 3
    assert "First question?" in taught["questions"] and quiz.title in taught["questions"]
    assert (rows["2.9"]["coverage"], rows["2.9"]["step_count"], rows["2.9"]["questions"]) == (
        "Never cited: a gap",
        0,
        "",
    )
    assert rows["2.20"]["coverage"] == "Tested, not taught"
    assert rows["2.20"]["question_count"] == 1


def test_references_run_in_reading_order(library):
    references = [row["reference"] for row in clause_coverage()]
    assert references.index("2.9") < references.index("2.19") < references.index("2.20")


def test_only_the_newest_version_of_a_clause_is_listed(library):
    """Content still citing version 1 shows as a gap for version 2, which is the author's cue to
    move it on."""
    old = library["taught"]
    PolicyClauseFactory(document=old.document, reference="2.19", version=2)
    rows = [row for row in clause_coverage() if row["reference"] == "2.19"]
    assert [(row["clause_version"], row["coverage"]) for row in rows] == [(2, "Never cited: a gap")]


def test_an_unpublished_draft_step_does_not_count_as_teaching(library, module):
    module.steps = "[]"
    module.save_revision()  # a draft without the steps: learners still see the published ones
    assert _rows_by_reference()["2.19"]["coverage"] == "Taught and tested"


def test_the_document_shows_its_version_as_people_read_it(library):
    document = library["never"].document
    document.version = "not stated"
    document.save()
    assert _rows_by_reference()["2.9"]["document"].endswith("(no version stated)")
    assert policy_version_label("2.1") == "v2.1"


@pytest.mark.parametrize("who", ["author", "auditor"])
def test_authors_and_auditors_see_it_and_export_it(library, people, client_for, who):
    client = client_for(people[who])
    page = client.get(reverse(REPORT))
    assert page.status_code == 200
    assert "Never cited" in page.content.decode()
    exported = client.get(reverse(REPORT), {"export": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(exported.streaming_content).decode())))
    assert rows[0][:6] == [
        "Policy document",
        "Clause",
        "Where learners are told to find it",
        "Heading",
        "Clause version",
        "Coverage",
    ]
    assert any(
        row[1] == "2.9" and row[2] == "clause 2.9" and row[5] == "Never cited: a gap"
        for row in rows
    )
    workbook = client.get(reverse(REPORT), {"export": "xlsx"})
    assert load_workbook(io.BytesIO(b"".join(workbook.streaming_content))).active.max_row == len(
        rows
    )


@pytest.mark.parametrize("who", ["staff", "manager"])
def test_staff_and_managers_cannot_see_it(library, people, client_for, who):
    client = client_for(people[who])
    assert client.get(reverse(REPORT)).status_code in (302, 403)
    assert client.get(reverse(REPORT), {"export": "csv"}).status_code in (302, 403)


def test_it_is_in_the_reports_menu_for_those_who_may_see_it(library, people, client_for):
    assert "Policy clause coverage" in (
        client_for(people["auditor"]).get(reverse("wagtailadmin_home")).content.decode()
    )
