"""The answer key never reaches a learner before the quiz's review options allow it.

A quiz with one question of each of the five types is built so that every piece of keyed data
carries a unique marker: the feedback of every option (right and wrong alike: option feedback says
which option is right) and every question's explanation. The learner then

(a) opens an attempt and saves answers through the page's autosave endpoint (JSON), and
(b) submits a failed attempt while retries remain,

and after each step the test GETs every URL that the access matrix (tests/security/test_access_matrix.py)
gives the learner ("owner") a 200 for, plus the personal-data ZIP (every file in it unzipped and
read, PDFs as text), the attempt's result page, the autosave endpoint's JSON answers and every
e-mail sent. It fails if a marker or a phrase that states the key appears anywhere, or if any
JSON or CSV carries a keyed field (``correct``, ``appropriate``, ``position``, ``expected``,
``feedback``, ``explanation``, the real ``option_id``) beside the options.

Because ``test_every_url_has_a_row`` in the access matrix fails for any URL of ours without a row,
a view added later must get a row there, and then it is walked here automatically for whatever the
learner may open.

Positive control, so that this cannot pass by looking in the wrong place: once the learner has
passed, the same detector finds every keyed marker on the passed attempt's result page and the
keyed fields in their download. And while a later attempt at the quiz is open, even the passed
attempt shows no key again.
"""

import csv
import io
import json
import re
import zipfile

import pytest
from pypdf import PdfReader

from django.core import mail
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse

from certificates.models import Certificate
from lms.pdf_text import WORD_JOINER
from quizzes.models import (
    Attempt,
    MultipleResponseQuestion,
    Option,
    OrderingQuestion,
    Question,
    ScenarioJudgementQuestion,
    SingleChoiceQuestion,
    TrueFalseQuestion,
)
from quizzes.selectors import quiz_standing
from quizzes.services import attempt_submit
from tests.factories import (
    PolicyClauseFactory,
    QuizFactory,
    attempt_begin,
    days,
    module_page_create,
    module_steps_finish,
    single_choice_create,
)
from tests.quizzes.answers import answers_for, post_data, right_values, wrong_values
from tests.security.test_access_matrix import granted
from tracking.models import Assignment
from tracking.services import assignment_create

pytestmark = pytest.mark.django_db

# Keyed text: the feedback of the option(s) the policy expects, and every explanation.
KEY = "KEYMARK"
# Feedback of options the policy does not expect: keyed too (it says they are wrong).
WRONG = "WRONGMARK"
MARKER = re.compile(rf"(?:{KEY}|{WRONG})-[a-z0-9-]+")
# Words the result page uses only when it states the key.
KEY_PHRASES = (
    "The answer the policy expects",
    "Policy answer",
    "Does not apply",
    "Right answer",
    "which is right",
)
KEYED_FIELDS = {
    "correct",
    "appropriate",
    "position",
    "expected",
    "feedback",
    "explanation",
    "option_id",
    "policy_answer",
    "item_right",
}
KEYED_ATTRIBUTE = re.compile(r"data-(?:correct|appropriate|position|expected|answer)\b")
OWNER = "owner"


def _options(question, clauses, entries):
    for index, (text, keyed, feedback) in enumerate(entries):
        Option.objects.create(
            question=question,
            sort_order=index,
            text=text,
            is_correct=keyed,
            feedback=feedback,
            clause=clauses[index % len(clauses)],
        )


def _marked_quiz(module, clauses):
    """Five questions, one per type, every keyed piece of text marked."""
    quiz = QuizFactory(module=module, pass_mark=80, title="Marked quiz", attempts_before_cooldown=3)
    single = SingleChoiceQuestion.objects.create(
        quiz=quiz,
        sort_order=0,
        text="Who may message Jade?",
        explanation=f"{KEY}-single-explanation",
    )
    _options(
        single,
        clauses,
        [
            ("A parent who consents", True, f"{KEY}-single-right"),
            ("Anyone she adds", False, f"{WRONG}-single-a"),
            ("Only her teacher", False, f"{WRONG}-single-b"),
        ],
    )
    many = MultipleResponseQuestion.objects.create(
        quiz=quiz, sort_order=1, text="Which need consent?", explanation=f"{KEY}-many-explanation"
    )
    _options(
        many,
        clauses,
        [
            ("Photos", True, f"{KEY}-many-right-a"),
            ("Voice notes", True, f"{KEY}-many-right-b"),
            ("Office hours", False, f"{WRONG}-many-a"),
            ("Lunch menu", False, f"{WRONG}-many-b"),
        ],
    )
    TrueFalseQuestion.objects.create(
        quiz=quiz,
        sort_order=2,
        text="Under-16s need written consent.",
        correct_answer=True,
        feedback_true=f"{KEY}-truefalse-right",
        feedback_false=f"{WRONG}-truefalse",
        clause=clauses[0],
        explanation=f"{KEY}-truefalse-explanation",
    )
    order = OrderingQuestion.objects.create(
        quiz=quiz,
        sort_order=3,
        text="Put the steps in order.",
        explanation=f"{KEY}-order-explanation",
    )
    _options(
        order,
        clauses,
        [(f"Step {name}", True, f"{KEY}-order-{name}") for name in ("ask", "record", "reply")],
    )
    judge = ScenarioJudgementQuestion.objects.create(
        quiz=quiz, sort_order=4, text="Rate each action.", explanation=f"{KEY}-judge-explanation"
    )
    _options(
        judge,
        clauses,
        [
            ("Reply in office hours", True, f"{KEY}-judge-right"),
            ("Reply at midnight", False, f"{WRONG}-judge-a"),
        ],
    )
    return quiz


def _all_markers(quiz):
    markers = set(Option.objects.filter(question__quiz=quiz).values_list("feedback", flat=True))
    for question in TrueFalseQuestion.objects.filter(quiz=quiz):
        markers |= {question.feedback_true, question.feedback_false}
    markers |= set(Question.objects.filter(quiz=quiz).values_list("explanation", flat=True))
    assert all(MARKER.fullmatch(marker) for marker in markers)
    return markers


@pytest.fixture
def world(people, module, clause, django_capture_on_commit_callbacks):
    """The learner has passed another module (so has a certificate and its PDF) and is about to take
    the marked quiz. Keys as in the access matrix's world, so that its rows build their URLs."""
    owner = people["staff"]
    other_clause = PolicyClauseFactory(reference="3.4", heading="Viewing a family's profiles")
    passed_quiz = QuizFactory(
        module=module_page_create(clause=clause, title="Privacy", slug="privacy")
    )
    single_choice_create(quiz=passed_quiz, clause=clause)
    passed = attempt_begin(person=owner, quiz=passed_quiz)
    with django_capture_on_commit_callbacks(execute=True):
        attempt_submit(attempt=passed, answers=answers_for(passed))
    quiz = _marked_quiz(module, [clause, other_clause])
    # Reminders about the marked module go out by e-mail: they are scanned too.
    assignment_create(
        module=module, audience=Assignment.Audience.PERSON, person=owner, due_on=days(-1)
    )
    return {
        "owner": owner,
        "attempt": None,
        "certificate": Certificate.objects.get(attempt=passed),
        "quiz": quiz,
        "module": module,
        "clause": clause,
        "markers": _all_markers(quiz),
        "people": {"owner": owner},
    }


class Leaks:
    """Collects every place the key shows, so that a failure lists them all."""

    def __init__(self, markers, quiz_title):
        self.markers = markers
        self.quiz_title = quiz_title
        self.found = []

    def text(self, where, text):
        for marker in sorted(self.markers):
            if marker in text:
                self.found.append(f"{where}: keyed text {marker}")
        for phrase in KEY_PHRASES:
            if phrase in text:
                self.found.append(f"{where}: says the key ({phrase!r})")
        for attribute in KEYED_ATTRIBUTE.findall(text):
            self.found.append(f"{where}: keyed attribute {attribute}")

    def json(self, where, value, path="$"):
        if isinstance(value, dict):
            for key, inner in value.items():
                if key in KEYED_FIELDS:
                    self.found.append(f"{where}: keyed field {path}.{key}")
                self.json(where, inner, f"{path}.{key}")
        elif isinstance(value, list):
            for index, inner in enumerate(value):
                self.json(where, inner, f"{path}[{index}]")

    def csv(self, where, text):
        self.text(where, text)
        header = next(csv.reader(io.StringIO(text)), [])
        for column in header:
            if column in KEYED_FIELDS:
                self.found.append(f"{where}: keyed column {column}")

    def my_data(self, where, raw):
        self.text(where, raw)
        data = json.loads(raw)
        # Attempts at quizzes the learner has passed may carry their key; this quiz's may not.
        for index, attempt in enumerate(data["quiz_attempts"]):
            if attempt["quiz"] == self.quiz_title:
                self.json(where, attempt, f"$.quiz_attempts[{index}]")

    def response(self, where, response):
        content_type = response.get("Content-Type", "")
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if "zip" in content_type:
            archive = zipfile.ZipFile(io.BytesIO(body))
            for name in archive.namelist():
                self.file(f"{where} > {name}", name, archive.read(name))
        else:
            self.file(where, where, body, content_type=content_type)

    def file(self, where, name, body, content_type=""):
        if name.endswith(".pdf") or "pdf" in content_type:
            # Without the PDFs' word joiners (lms.pdf_text), which could otherwise split a marker.
            self.text(
                where,
                "\n".join(
                    page.extract_text() or "" for page in PdfReader(io.BytesIO(body)).pages
                ).replace(WORD_JOINER, ""),
            )
        elif name.endswith("my-data.json"):
            self.my_data(where, body.decode())
        elif name.endswith(".json") or "json" in content_type:
            self.text(where, body.decode())
            self.json(where, json.loads(body))
        elif name.endswith(".csv") or "csv" in content_type:
            self.csv(where, body.decode("utf-8-sig"))
        else:
            self.text(where, body.decode())

    def mail(self):
        for number, message in enumerate(mail.outbox):
            where = f"e-mail {number} to {', '.join(message.to)}"
            self.text(where, f"{message.subject}\n{message.body}")
            for alternative, _ in getattr(message, "alternatives", []):
                self.text(where, alternative)
            for attachment in message.attachments:
                name, content = attachment[0], attachment[1]
                self.file(
                    f"{where} > {name}",
                    name,
                    content if isinstance(content, bytes) else content.encode(),
                )


def _walk(client, world, leaks, phase):
    """GET every page the learner may open, and the download, and scan what comes back."""
    pages = granted(role=OWNER, world=world)
    names = {name for name, _ in pages}
    assert {"home", "my_data_download", "quizzes:attempt", "module_page"} <= names
    for name, path in pages:
        response = client.get(path)
        assert response.status_code == 200, (
            f"{phase}: {name} {path} answered {response.status_code}"
        )
        leaks.response(f"{phase}: {name} {path}", response)
    # Reminders go through the outbox after commit: run that as if the command's work committed.
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("send_reminders", stdout=io.StringIO())
    leaks.mail()


def _token(html):
    return re.search(r'name="form_token" value="([^"]+)"', html).group(1)


def _autosave(client, url, attempt, answers, token):
    return client.post(
        url,
        post_data(attempt, answers, form_token=token, action="save"),
        HTTP_ACCEPT="application/json",
    )


def test_the_key_never_reaches_the_learner_before_they_pass(client, world):
    owner, quiz = world["owner"], world["quiz"]
    leaks = Leaks(world["markers"], quiz.title)
    assert len(world["markers"]) == 19  # the detector looks for every marked piece of key
    client.force_login(owner.user)
    module_steps_finish(person=owner, module=quiz.module)

    # (a) An open attempt, answers saved along the way by the page's script.
    response = client.post(reverse("quizzes:start", args=[quiz.pk]))
    attempt = Attempt.objects.get(person=owner, quiz=quiz)
    world["attempt"] = attempt
    url = reverse("quizzes:attempt", args=[attempt.pk])
    assert response.url == url
    token = _token(client.get(url).content.decode())
    wrong = {str(q["id"]): wrong_values(q) for q in attempt.questions}
    first, *rest = attempt.questions
    saved = _autosave(client, url, attempt, {str(first["id"]): wrong[str(first["id"])]}, token)
    assert saved.status_code == 200 and saved.json()["saved"] is True
    leaks.response("(a) autosave", saved)
    # A forged option is refused in JSON too, without saying anything about the key.
    refused = _autosave(
        client,
        url,
        attempt,
        {str(first["id"]): [rest[0]["options"][0]["id"]]},
        saved.json()["form_token"],
    )
    assert refused.status_code == 400 and refused.json()["saved"] is False
    leaks.response("(a) refused autosave", refused)
    saved = _autosave(client, url, attempt, wrong, saved.json()["form_token"])
    assert saved.status_code == 200 and saved.json()["saved"] is True
    leaks.response("(a) second autosave", saved)
    _walk(client, world, leaks, "(a) open attempt")

    # (b) The attempt submitted and failed, with retries left.
    response = client.post(url, post_data(attempt, wrong, form_token=saved.json()["form_token"]))
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.passed is False
    standing = quiz_standing(person=owner, quiz=quiz)
    assert standing.retry_at is None and standing.left_before_cooldown == 2
    _walk(client, world, leaks, "(b) failed attempt")
    assert mail.outbox, "no e-mail was sent, so none was scanned"
    assert leaks.found == []
    result = client.get(url).content.decode()
    assert "You did not pass this time" in result and "Question 1: not right" in result
    assert (
        "clause 3.4" in result and "Viewing a family&#x27;s profiles" in result
    )  # what to re-read

    # Positive control: once passed, the same detector finds the key on the result page.
    retry_url = client.post(reverse("quizzes:start", args=[quiz.pk])).url
    retry = Attempt.objects.get(person=owner, quiz=quiz, submitted_at__isnull=True)
    token = _token(client.get(retry_url).content.decode())
    assert (
        client.post(retry_url, post_data(retry, answers_for(retry), form_token=token)).status_code
        == 302
    )
    retry.refresh_from_db()
    assert retry.passed is True
    control = Leaks(world["markers"], quiz.title)
    control.response("passed result", client.get(retry_url))
    shown = {entry.rsplit(" ", 1)[-1] for entry in control.found if "keyed text" in entry}
    assert {marker for marker in world["markers"] if marker.startswith(KEY)} <= shown
    control.response("download after passing", client.get(reverse("my_data_download")))
    assert any("keyed field" in entry and "my-data.json" in entry for entry in control.found)

    # A later attempt at the same quiz (say, to recertify) is open: no attempt at it shows the key.
    client.post(reverse("quizzes:start", args=[quiz.pk]))
    world["attempt"] = Attempt.objects.get(person=owner, quiz=quiz, submitted_at__isnull=True)
    again = Leaks(world["markers"], quiz.title)
    again.response("passed result while another is open", client.get(retry_url))
    _walk(client, world, again, "(c) open again after passing")
    assert again.found == []


def test_someone_elses_attempt_and_a_forged_id_are_404_and_nothing_is_saved(
    client, client_for, people, world
):
    owner, quiz = world["owner"], world["quiz"]
    attempt = attempt_begin(person=owner, quiz=quiz)
    token = _token(
        client_for(owner).get(reverse("quizzes:attempt", args=[attempt.pk])).content.decode()
    )
    before = Attempt.objects.filter(pk=attempt.pk).values().get()
    other = client_for(people["other_staff"])
    answers = {str(q["id"]): right_values(q) for q in attempt.questions}
    for attempt_id in (attempt.pk, attempt.pk + 1000):
        path = reverse("quizzes:attempt", args=[attempt_id])
        assert other.get(path).status_code == 404
        assert _autosave(other, path, attempt, answers, token).status_code == 404
        assert other.post(path, post_data(attempt, answers, form_token=token)).status_code == 404
    assert Attempt.objects.filter(pk=attempt.pk).values().get() == before
    assert Attempt.objects.count() == 2  # the passed one and this one: nothing new
