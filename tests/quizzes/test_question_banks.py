"""Moodle banks into a quiz and out again: the commands, the service's all-or-nothing rules,
uncited imported questions kept out of draws, the round trip, and the admin screen."""

from io import StringIO
from pathlib import Path

import pytest

from django.core.management import CommandError, call_command
from django.urls import reverse

from lms.models import AuditEvent
from quizzes.models import (
    MultipleResponseQuestion,
    Option,
    OrderingQuestion,
    Question,
    SingleChoiceQuestion,
    TrueFalseQuestion,
)
from quizzes.question_banks import (
    QuestionBankError,
    policy_clause_for_citation,
    question_bank_export,
    question_bank_import,
)
from quizzes.selectors import quiz_bank
from tests.factories import (
    PolicyClauseFactory,
    PolicyDocumentFactory,
    QuizFactory,
    module_page_create,
    multiple_response_create,
    ordering_create,
)

pytestmark = pytest.mark.django_db

BANKS = Path(__file__).parent / "moodle_banks"
GIFT = (BANKS / "docs_examples.gift").read_bytes()
XML = (BANKS / "docs_examples.xml").read_bytes()
SUPPORTED_GIFT = b"""::TF:: Screenshots of a family's post are allowed.{F#No.#Right.}

::MC:: Which account? {=Work#Yes. ~Personal#No.}

::MR:: Which apply? {~%50%A#a ~%50%B#b ~%-100%C#c ####Both A and B.}
"""


@pytest.fixture
def empty_quiz(clause, wagtail_root):
    module = module_page_create(clause=clause, title="Banks", slug="banks")
    return QuizFactory(module=module, title="Bank quiz")


def _import(quiz, content=SUPPORTED_GIFT, name="bank.gift", **kwargs):
    return question_bank_import(quiz=quiz, name=name, content=content, **kwargs)


def test_gift_import_creates_each_kind_with_its_feedback(empty_quiz):
    result = _import(empty_quiz)
    assert len(result.created) == 3
    true_false = TrueFalseQuestion.objects.get(quiz=empty_quiz)
    assert (true_false.correct_answer, true_false.feedback_true, true_false.feedback_false) == (
        False,
        "No.",
        "Right.",
    )
    single = SingleChoiceQuestion.objects.get(quiz=empty_quiz)
    assert [(o.text, o.is_correct, o.feedback) for o in single.options.all()] == [
        ("Work", True, "Yes."),
        ("Personal", False, "No."),
    ]
    multiple = MultipleResponseQuestion.objects.get(quiz=empty_quiz)
    assert multiple.partial_credit == "per_option"
    assert multiple.explanation == "Both A and B."
    assert [o.is_correct for o in multiple.options.all()] == [True, True, False]


def test_xml_import_skipping_unsupported_creates_ordering_in_order(empty_quiz):
    result = _import(empty_quiz, XML, "bank.xml", skip_unsupported=True)
    assert [entry.line for entry in result.skipped] == [58, 62]
    ordering = OrderingQuestion.objects.get(quiz=empty_quiz)
    assert [o.text for o in ordering.options.order_by("sort_order")] == [
        "Stop and screenshot",
        "Record it",
        "Tell your manager",
    ]
    assert Question.objects.filter(quiz=empty_quiz).count() == 5


def test_unsupported_types_import_nothing_and_are_named_by_line(empty_quiz):
    with pytest.raises(QuestionBankError) as error:
        _import(empty_quiz, GIFT)
    assert [problem.split(":")[0] for problem in error.value.problems] == [
        "line 29",
        "line 31",
        "line 33",
        "line 35",
        "line 37",
    ]
    assert not Question.objects.filter(quiz=empty_quiz).exists()


def test_a_bad_file_saves_nothing_even_after_good_questions(empty_quiz):
    with pytest.raises(QuestionBankError) as error:
        _import(empty_quiz, SUPPORTED_GIFT + b"\n::Bad:: Unclosed {=a ~b\n")
    assert error.value.problems == ["line 7: the answers opened with { are never closed with }"]
    assert not Question.objects.filter(quiz=empty_quiz).exists()


def test_an_answer_too_long_for_an_option_saves_nothing(empty_quiz):
    long_answer = "x" * 501
    with pytest.raises(QuestionBankError) as error:
        _import(empty_quiz, SUPPORTED_GIFT + f"\n\nQ? {{={long_answer} ~b}}".encode())
    assert "longer than 500 characters" in error.value.problems[0]
    assert not Question.objects.filter(quiz=empty_quiz).exists()


def test_a_dry_run_checks_everything_and_saves_nothing(empty_quiz):
    result = _import(empty_quiz, dry_run=True)
    assert len(result.created) == 3
    assert not Question.objects.filter(quiz=empty_quiz).exists()
    assert not AuditEvent.objects.filter(action="questions.import").exists()


def test_uncited_imported_questions_are_never_drawn(quiz):
    drawn_before = {entry.id for entry in quiz_bank(quiz=quiz)}
    result = _import(quiz)
    assert result.uncited
    assert Option.objects.filter(question__quiz=quiz, clause__isnull=True).exists()
    assert {entry.id for entry in quiz_bank(quiz=quiz)} == drawn_before
    # Cited, it is still a draft until a reviewer publishes it; then it is asked.
    single = SingleChoiceQuestion.objects.get(quiz=quiz, text="Which account?")
    assert not single.live
    single.options.update(clause=quiz.questions.first().options.first().clause)
    assert single.pk not in {entry.id for entry in quiz_bank(quiz=quiz)}
    SingleChoiceQuestion.objects.filter(pk=single.pk).update(live=True)
    assert single.pk in {entry.id for entry in quiz_bank(quiz=quiz)}


def test_a_clause_named_for_the_import_is_cited_by_every_answer(empty_quiz, clause):
    result = _import(empty_quiz, clause=clause)
    assert not result.uncited
    assert set(
        Option.objects.filter(question__quiz=empty_quiz).values_list("clause", flat=True)
    ) == {clause.pk}
    assert TrueFalseQuestion.objects.get(quiz=empty_quiz).clause == clause
    # Drafts, each with its first revision, until reviewed (four eyes).
    imported = Question.objects.filter(quiz=empty_quiz)
    assert not any(question.live for question in imported)
    assert all(question.latest_revision_id for question in imported)
    assert quiz_bank(quiz=empty_quiz) == []
    imported.update(live=True)
    assert len(quiz_bank(quiz=empty_quiz)) == 3


def test_a_clause_is_found_by_document_and_reference_newest_version_only(db):
    document = PolicyDocumentFactory(title="Social media policy", organisation="Cafcass")
    PolicyClauseFactory(document=document, reference="4.2", version=1)
    newest = PolicyClauseFactory(document=document, reference="4.2", version=2)
    assert policy_clause_for_citation(citation="social media policy 4.2") == newest
    assert policy_clause_for_citation(citation="Cafcass Social media policy 4.2") == newest
    with pytest.raises(QuestionBankError, match="no published clause 9.9"):
        policy_clause_for_citation(citation="Social media policy 9.9")
    PolicyClauseFactory(
        document=PolicyDocumentFactory(title="Social media policy", organisation="Other"),
        reference="4.2",
    )
    with pytest.raises(QuestionBankError, match="put the organisation first"):
        policy_clause_for_citation(citation="Social media policy 4.2")


def test_the_import_command_with_a_clause_and_dry_run(empty_quiz, tmp_path):
    clause = PolicyClauseFactory(
        document=PolicyDocumentFactory(title="WhatsApp policy"), reference="3.1"
    )
    bank = tmp_path / "bank.txt"
    bank.write_bytes(SUPPORTED_GIFT)
    out = StringIO()
    call_command("import_questions", str(bank), "--quiz", "bank quiz", "--dry-run", stdout=out)
    assert "3 questions would be imported; nothing was saved" in out.getvalue()
    assert not Question.objects.filter(quiz=empty_quiz).exists()
    call_command(
        "import_questions",
        str(bank),
        "--quiz",
        "Bank quiz",
        "--clause",
        "WhatsApp policy 3.1",
        stdout=out,
    )
    assert Question.objects.filter(quiz=empty_quiz).count() == 3
    assert TrueFalseQuestion.objects.get(quiz=empty_quiz).clause == clause
    event = AuditEvent.objects.get(action="questions.import")
    assert event.data["clause"] == clause.pk


def test_the_import_command_refuses_with_every_line(empty_quiz, tmp_path):
    bank = tmp_path / "bank.gift"
    bank.write_bytes(GIFT)
    with pytest.raises(CommandError) as error:
        call_command("import_questions", str(bank), "--quiz", "Bank quiz")
    assert "Nothing was imported from bank.gift" in str(error.value)
    assert "line 29: question “Essay”: essay is not a question type" in str(error.value)
    err = StringIO()
    call_command(
        "import_questions",
        str(bank),
        "--quiz",
        "Bank quiz",
        "--skip-unsupported",
        stdout=StringIO(),
        stderr=err,
    )
    assert err.getvalue().count("Skipped line") == 5
    assert Question.objects.filter(quiz=empty_quiz).count() == 5


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["bank.doc", "--quiz", "Bank quiz"], "Cannot read"),
        (["{bank}.doc", "--quiz", "Bank quiz"], "extension"),
        (["{bank}.gift", "--quiz", "No such quiz"], "no quiz is called “No such quiz”"),
        (["{bank}.gift", "--quiz", "Bank quiz", "--clause", "Nothing 1.1"], "no published clause"),
    ],
)
def test_the_import_command_explains_bad_arguments(empty_quiz, tmp_path, args, message):
    for extension in ("doc", "gift"):
        (tmp_path / f"bank.{extension}").write_bytes(SUPPORTED_GIFT)
    args = [arg.replace("{bank}", str(tmp_path / "bank")) for arg in args]
    with pytest.raises(CommandError, match=message):
        call_command("import_questions", *args)


def _essence(quiz):
    rows = []
    for question in Question.objects.filter(quiz=quiz).order_by("sort_order", "pk"):
        if isinstance(question, TrueFalseQuestion):
            answers = [(question.correct_answer, question.feedback_true, question.feedback_false)]
        else:
            answers = [
                (o.text, o.is_correct, o.feedback)
                for o in question.options.order_by("sort_order", "pk")
            ]
        rows.append((question.question_type, question.text, question.explanation, answers))
    return rows


@pytest.mark.parametrize(("bank_format", "extension"), [("gift", "gift"), ("moodlexml", "xml")])
def test_an_exported_bank_imports_back_to_the_same_questions(
    mixed_quiz, clause, wagtail_root, bank_format, extension, tmp_path
):
    MultipleResponseQuestion.objects.filter(quiz=mixed_quiz).update(partial_credit="per_option")
    out = tmp_path / f"out.{extension}"
    err = StringIO()
    call_command(
        "export_questions",
        "--quiz",
        mixed_quiz.title,
        "--format",
        bank_format,
        "--output",
        str(out),
        stderr=err,
    )
    copy = QuizFactory(
        module=module_page_create(clause=clause, title="Copy", slug="copy"), title="Copy"
    )
    question_bank_import(quiz=copy, name=out.name, content=out.read_bytes(), clause=clause)
    expected = [
        row
        for row in _essence(mixed_quiz)
        if row[0] != "scenario_judgement" and (row[0] != "ordering" or bank_format != "gift")
    ]
    assert _essence(copy) == expected
    assert "Left out" in err.getvalue()  # the scenario judgement question, Moodle has none


def test_export_notes_all_or_nothing_scoring_and_is_audited(empty_quiz, clause):
    multiple_response_create(quiz=empty_quiz, clause=clause)
    ordering_create(quiz=empty_quiz, clause=clause, sort_order=1)
    export = question_bank_export(quiz=empty_quiz, bank_format="gift")
    assert export.count == 1
    assert any("all or nothing" in note for note in export.notes)
    assert any("GIFT has no such question type" in note for note in export.notes)
    assert export.filename == "bank-quiz.gift"
    assert AuditEvent.objects.filter(action="questions.export").count() == 1


# The admin screen ------------------------------------------------------------------------------

URL = "quizzes_question_bank"


def _upload(content=SUPPORTED_GIFT, name="bank.gift"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_an_author_previews_then_confirms_an_import(client_for, people, empty_quiz):
    client = client_for(people["author"])
    response = client.post(reverse(URL), {"quiz": empty_quiz.pk, "file": _upload()})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Preview: nothing has been saved yet" in page
    assert "Which account?" in page and "Work – right: Yes." in page
    assert not Question.objects.filter(quiz=empty_quiz).exists()
    response = client.post(reverse(URL), {"confirm": "1"})
    assert response.status_code == 302
    assert Question.objects.filter(quiz=empty_quiz).count() == 3
    # The pending file is used once: a second confirmation imports nothing more.
    client.post(reverse(URL), {"confirm": "1"})
    assert Question.objects.filter(quiz=empty_quiz).count() == 3


def test_the_admin_lists_every_problem_and_saves_nothing(client_for, people, empty_quiz):
    client = client_for(people["author"])
    response = client.post(reverse(URL), {"quiz": empty_quiz.pk, "file": _upload(GIFT)})
    page = response.content.decode()
    assert "Nothing was imported: the file has 5 problems" in page
    assert "line 33: question “Match”: matching is not a question type" in page
    assert client.post(reverse(URL), {"confirm": "1"}).status_code == 302
    assert not Question.objects.filter(quiz=empty_quiz).exists()


def test_the_admin_refuses_a_file_of_another_kind(client_for, people, empty_quiz):
    client = client_for(people["author"])
    response = client.post(
        reverse(URL), {"quiz": empty_quiz.pk, "file": _upload(b"a,b", "bank.csv")}
    )
    assert "the format comes from the file&#x27;s extension" in response.content.decode()


def test_an_author_downloads_an_export(client_for, people, quiz):
    client = client_for(people["author"])
    response = client.get(reverse(URL), {"quiz": quiz.pk, "format": "moodlexml"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="whatsapp-quiz.xml"'
    assert b"<quiz>" in response.content


@pytest.mark.parametrize("role", ["staff", "manager", "auditor"])
def test_nobody_but_authors_sees_the_screen_or_the_key(client_for, people, quiz, role):
    client = client_for(people[role])
    for response in (
        client.get(reverse(URL)),
        client.get(reverse(URL), {"quiz": quiz.pk, "format": "gift"}),
        client.post(reverse(URL), {"quiz": quiz.pk, "file": _upload()}),
    ):
        assert response.status_code in (302, 403)
        assert b"First question?" not in response.content


def test_an_author_must_cite_a_clause_to_save_an_imported_question(
    client_for, people, empty_quiz, clause
):
    _import(empty_quiz)
    client = client_for(people["author"])
    single = SingleChoiceQuestion.objects.get(quiz=empty_quiz)
    edit = reverse("wagtailsnippets_quizzes_singlechoicequestion:edit", args=[single.pk])
    assert client.get(edit).status_code == 200  # an uncited question opens for editing
    true_false = TrueFalseQuestion.objects.get(quiz=empty_quiz)
    url = reverse("wagtailsnippets_quizzes_truefalsequestion:edit", args=[true_false.pk])
    form = {
        "quiz": empty_quiz.pk,
        "text": true_false.text,
        "topic": "",
        "explanation": "",
        "correct_answer": "",
        "feedback_true": "No.",
        "feedback_false": "Right.",
        "clause": "",
    }
    # A draft may be saved half-done, but not submitted for review without its clause.
    response = client.post(url, {**form, "action-submit": "submit"})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    true_false.refresh_from_db()
    assert true_false.clause is None and not true_false.live
    assert true_false.pk not in {entry.id for entry in quiz_bank(quiz=empty_quiz)}
    # True or False is a choice the author makes (an imported statement's answer is shown chosen).
    form["correct_answer"] = str(true_false.correct_answer)
    assert (
        client.post(url, {**form, "clause": clause.pk, "action-submit": "submit"}).status_code
        == 302
    )
    true_false.refresh_from_db()
    assert true_false.current_workflow_state is not None and not true_false.live
