"""The evidence record exported for auditors (CSV, PDF, bulk CSV), and nobody else."""

import csv
import io

import pytest
from pypdf import PdfReader

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lms.pdf_text import WORD_JOINER
from quizzes import evidence
from quizzes.models import Attempt
from quizzes.services import attempt_submit
from tests.factories import attempt_begin
from tests.pdf_accessibility import (
    font_names,
    fonts_not_embedded,
    heading_levels,
    headings_out_of_order,
    pdf_reader,
    structure_elements,
    text_outside_the_structure_tree,
)
from tests.quizzes.answers import answers_for

pytestmark = pytest.mark.django_db


def _submitted(person, quiz, wrong=()):
    attempt = attempt_begin(person=person, quiz=quiz)
    return attempt_submit(attempt=attempt, answers=answers_for(attempt, wrong=wrong))


def _csv_rows(content):
    return list(csv.DictReader(io.StringIO(content)))


def _urls(attempt):
    return [
        reverse("quizzes:audit_quiz_list"),
        reverse("quizzes:audit_quiz_attempts", args=[attempt.quiz_id]),
        reverse("quizzes:audit_quiz_attempts_csv", args=[attempt.quiz_id]),
        reverse("quizzes:audit_attempt_csv", args=[attempt.pk]),
        reverse("quizzes:audit_attempt_pdf", args=[attempt.pk]),
    ]


def test_an_auditor_exports_one_attempt_as_csv_with_every_option_and_clause(
    client_for, people, mixed_quiz
):
    attempt = _submitted(
        people["staff"], mixed_quiz, wrong={mixed_quiz.questions.get(sort_order=3).pk}
    )
    response = client_for(people["auditor"]).get(
        reverse("quizzes:audit_attempt_csv", args=[attempt.pk])
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = _csv_rows(response.content.decode())
    assert len(rows) == 3 + 4 + 2 + 3 + 3  # every option or item shown
    assert {row["person"] for row in rows} == {"Sam Staff"}
    assert {row["clause_reference"] for row in rows} == {"2.19"}
    assert {row["clause_version"] for row in rows} == {"1"} and {
        row["document_version"] for row in rows
    } == {"2.1"}
    assert {row["percent"] for row in rows} == {"80.00"} and {row["passed"] for row in rows} == {
        "True"
    }
    ordering = [row for row in rows if row["question_type"] == "ordering"]
    assert [(row["item"], row["answer_given"], row["policy_answer"]) for row in ordering] == [
        ("Step 1", "Position 3", "Position 1"),
        ("Step 2", "Position 2", "Position 2"),
        ("Step 3", "Position 1", "Position 3"),
    ]
    assert {row["question_correct"] for row in ordering} == {"False"}
    shown = next(question for question in attempt.questions if question["type"] == "ordering")
    assert all(row["question_version"] == shown["version"] for row in ordering)
    assert all(row["submitted_at"] and row["started_at"] for row in rows)


def test_an_auditor_exports_one_attempt_as_a_readable_pdf(client_for, people, mixed_quiz):
    attempt = _submitted(people["staff"], mixed_quiz)
    response = client_for(people["auditor"]).get(
        reverse("quizzes:audit_attempt_pdf", args=[attempt.pk])
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    text = " ".join(text.replace(WORD_JOINER, "").split())  # has no glyph; see lms.pdf_text
    for expected in (
        "Evidence record of a quiz attempt",
        "Sam Staff",
        mixed_quiz.title,
        "100.00%",
        "Passed",
        "Put these in order.",
        "Feedback on Step 2",
        "clause 2.19, clause version 1",
        "Not appropriate",
    ):
        assert expected in text, expected


def test_the_evidence_pdf_is_accessible_and_uses_the_bundled_fonts(client_for, people, mixed_quiz):
    attempt = _submitted(people["staff"], mixed_quiz)
    response = client_for(people["auditor"]).get(
        reverse("quizzes:audit_attempt_pdf", args=[attempt.pk])
    )
    reader = pdf_reader(response.content)
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "en-GB" and bool(catalog["/MarkInfo"]["/Marked"])
    assert reader.metadata.title.startswith(f"Evidence record: attempt {attempt.pk} at ")
    assert bool(catalog["/ViewerPreferences"]["/DisplayDocTitle"])
    assert text_outside_the_structure_tree(reader) == []
    elements = structure_elements(reader)
    levels = heading_levels(elements)
    assert levels.count(1) == 1 and levels.count(2) == mixed_quiz.questions.count()
    assert headings_out_of_order(levels) == []
    tables = [element for element in elements if element["tag"] == "/Table"]
    assert len(tables) == 1 + mixed_quiz.questions.count()
    assert fonts_not_embedded(reader) == []
    # The @font-face family name shows the project's own files were used, not the machine's.
    names = font_names(reader)
    assert names and all("Evidence-DejaVu-Sans" in name for name in names), names


def test_an_auditor_downloads_a_modules_attempts_in_bulk_as_a_stream(
    client_for, people, mixed_quiz
):
    _submitted(people["staff"], mixed_quiz)
    _submitted(people["deep"], mixed_quiz, wrong={mixed_quiz.questions.get(sort_order=0).pk})
    attempt_begin(person=people["lead"], quiz=mixed_quiz)  # still in progress
    response = client_for(people["auditor"]).get(
        reverse("quizzes:audit_quiz_attempts_csv", args=[mixed_quiz.pk])
    )
    assert response.status_code == 200 and response.streaming
    rows = _csv_rows(b"".join(response.streaming_content).decode())
    assert {row["person"] for row in rows} == {"Sam Staff", "Rita Report", "Lee Lead"}
    assert len([row for row in rows if row["person"] == "Rita Report"]) == 15
    in_progress = [row for row in rows if row["person"] == "Lee Lead"]
    assert len(in_progress) == 1 and in_progress[0]["submitted_at"] == ""


def test_csv_cells_cannot_run_as_spreadsheet_formulas(client_for, people, quiz):
    quiz.title = '=HYPERLINK("http://evil")'
    quiz.save()
    attempt = _submitted(people["staff"], quiz)
    content = (
        client_for(people["auditor"])
        .get(reverse("quizzes:audit_attempt_csv", args=[attempt.pk]))
        .content.decode()
    )
    assert {row["quiz"] for row in _csv_rows(content)} == {'\'=HYPERLINK("http://evil")'}


def test_the_auditors_lists_link_every_export(client_for, people, quiz):
    attempt = _submitted(people["staff"], quiz)
    client = client_for(people["auditor"])
    listing = client.get(reverse("quizzes:audit_quiz_list")).content.decode()
    assert reverse("quizzes:audit_quiz_attempts", args=[quiz.pk]) in listing
    page = client.get(reverse("quizzes:audit_quiz_attempts", args=[quiz.pk])).content.decode()
    for url in _urls(attempt)[2:]:
        assert url in page
    assert "Sam Staff" in page and "Passed" in page


def test_the_quiz_list_exports_as_csv(client_for, people, quiz):
    _submitted(people["staff"], quiz)
    _submitted(people["deep"], quiz, wrong={question.pk for question in quiz.questions.all()})
    response = client_for(people["auditor"]).get(reverse("quizzes:audit_quiz_list") + "?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    assert _csv_rows(response.content.decode()) == [
        {"quiz": quiz.title, "module": quiz.module.title, "attempts": "2", "passed": "1"}
    ]
    assert (
        client_for(people["staff"])
        .get(reverse("quizzes:audit_quiz_list") + "?format=csv")
        .status_code
        == 404
    )


def test_the_attempts_list_does_not_grow_queries_with_attempts(client_for, people, quiz):
    client = client_for(people["auditor"])
    url = reverse("quizzes:audit_quiz_attempts", args=[quiz.pk])
    _submitted(people["staff"], quiz)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for person in ("deep", "lead", "other_staff"):
        _submitted(people[person], quiz)
    with CaptureQueriesContext(connection) as four:
        client.get(url)
    assert len(four) == len(one)


@pytest.mark.parametrize("who", ["staff", "manager", "author", "other_manager"])
def test_everyone_but_an_auditor_gets_a_404(client_for, people, quiz, who):
    attempt = _submitted(people["staff"], quiz)
    client = client_for(people[who])
    for url in _urls(attempt):
        assert client.get(url).status_code == 404, url


def test_a_missing_attempt_is_a_404_for_the_auditor_too(client_for, people):
    client = client_for(people["auditor"])
    assert client.get(reverse("quizzes:audit_attempt_pdf", args=[987654])).status_code == 404
    assert client.get(reverse("quizzes:audit_quiz_attempts_csv", args=[987654])).status_code == 404


def test_attempts_have_no_admin_and_exports_change_nothing(client_for, people, quiz):
    from wagtail.snippets.models import get_snippet_models

    assert Attempt not in get_snippet_models()
    attempt = _submitted(people["staff"], quiz)
    before = Attempt.objects.filter(pk=attempt.pk).values().get()
    client = client_for(people["auditor"])
    for url in _urls(attempt):
        response = client.get(url)
        b"".join(response.streaming_content) if response.streaming else response.content
    assert Attempt.objects.filter(pk=attempt.pk).values().get() == before


def test_the_pdf_keeps_each_clause_reference_whole_and_the_csv_keeps_it_as_written(
    client_for, people, mixed_quiz, monkeypatch
):
    """Only the PDF's citations carry the word joiners that stop a line ending inside "2.19"."""
    drawn = []
    html = evidence.weasyprint.HTML

    def recording(*args, string, **kwargs):
        drawn.append(string)
        return html(*args, string=string, **kwargs)

    monkeypatch.setattr(evidence.weasyprint, "HTML", recording)
    attempt = _submitted(people["staff"], mixed_quiz)
    auditor = client_for(people["auditor"])
    response = auditor.get(reverse("quizzes:audit_attempt_pdf", args=[attempt.pk]))
    assert response.status_code == 200
    assert "clause 2.\u206019, clause version 1" in drawn[-1]
    assert "clause 2.19," not in drawn[-1]
    exported = auditor.get(reverse("quizzes:audit_attempt_csv", args=[attempt.pk]))
    content = exported.content.decode()
    assert "2.19" in content and WORD_JOINER not in content
