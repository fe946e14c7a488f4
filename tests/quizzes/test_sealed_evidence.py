"""A submitted attempt is sealed: the database refuses to change it, and its evidence PDF is
rendered once, stored with its SHA-256, served as stored and checkable against the hash."""

import datetime
import hashlib
import io
from unittest import mock

import pytest
from pypdf import PdfReader

from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone

from quizzes.evidence import EvidenceNotFinal, attempt_evidence_check, attempt_evidence_seal
from quizzes.models import Attempt, AttemptEvidence
from quizzes.services import (
    AttemptAlreadySubmitted,
    attempt_close_overdue,
    attempt_save_progress,
    attempt_submit,
)
from tests.factories import attempt_begin
from tests.quizzes.answers import answers_for

pytestmark = pytest.mark.django_db


def _submitted(person, quiz, wrong=()):
    attempt = attempt_begin(person=person, quiz=quiz)
    return attempt_submit(attempt=attempt, answers=answers_for(attempt, wrong=wrong))


def _stored_bytes(evidence):
    with evidence.pdf.storage.open(evidence.pdf.name, "rb") as stored:
        return stored.read()


def _pdf_text(content):
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return " ".join(text.split())


# The database guard


def test_a_submitted_attempt_cannot_be_changed_in_the_database(people, quiz):
    attempt = _submitted(
        people["staff"], quiz, wrong=set(quiz.questions.values_list("pk", flat=True))
    )
    assert attempt.passed is False
    with pytest.raises(DatabaseError), transaction.atomic():
        Attempt.objects.filter(pk=attempt.pk).update(passed=True, percent=100)
    with pytest.raises(DatabaseError), transaction.atomic():
        Attempt.objects.filter(pk=attempt.pk).update(
            submitted_at=attempt.submitted_at - datetime.timedelta(days=1)
        )
    attempt.refresh_from_db()
    assert attempt.passed is False and attempt.percent < 100


def test_an_open_attempt_is_still_saved_and_submitted_through_the_guard(people, quiz):
    attempt = attempt_begin(person=people["staff"], quiz=quiz)
    attempt = attempt_save_progress(attempt=attempt, answers={})
    assert attempt.revision == 1
    attempt = attempt_submit(attempt=attempt, answers=answers_for(attempt), revision=1)
    assert attempt.is_submitted and attempt.passed is True


def test_an_overdue_attempt_is_still_closed_through_the_guard(people, quiz):
    quiz.time_limit_minutes = 5
    quiz.save()
    attempt = attempt_begin(person=people["staff"], quiz=quiz)
    closed = attempt_close_overdue(attempt=attempt, now=attempt.submit_by + datetime.timedelta(1))
    assert closed.is_submitted and closed.timed_out and closed.passed is False


@pytest.mark.postgres  # SQLite keeps deletes possible so that Django can flush test databases
def test_a_submitted_attempt_cannot_be_deleted_on_postgresql(people, quiz):
    attempt = _submitted(people["staff"], quiz)
    with pytest.raises(DatabaseError), transaction.atomic():
        Attempt.objects.filter(pk=attempt.pk).delete()
    assert Attempt.objects.filter(pk=attempt.pk).exists()


@pytest.mark.postgres
def test_an_open_attempt_can_still_be_deleted_on_postgresql(people, quiz):
    attempt = attempt_begin(person=people["staff"], quiz=quiz)
    Attempt.objects.filter(pk=attempt.pk).delete()
    assert not Attempt.objects.filter(pk=attempt.pk).exists()


def test_stored_evidence_cannot_be_changed(people, quiz):
    evidence = attempt_evidence_seal(attempt_id=_submitted(people["staff"], quiz).pk)
    with pytest.raises(DatabaseError), transaction.atomic():
        AttemptEvidence.objects.filter(pk=evidence.pk).update(sha256="0" * 64)
    evidence.refresh_from_db()
    assert evidence.sha256 == hashlib.sha256(_stored_bytes(evidence)).hexdigest()


@pytest.mark.postgres
def test_stored_evidence_cannot_be_deleted_on_postgresql(people, quiz):
    evidence = attempt_evidence_seal(attempt_id=_submitted(people["staff"], quiz).pk)
    with pytest.raises(DatabaseError), transaction.atomic():
        AttemptEvidence.objects.filter(pk=evidence.pk).delete()
    assert AttemptEvidence.objects.filter(pk=evidence.pk).exists()


# Sealing at submission


def test_a_submission_seals_its_evidence_once_it_is_committed(
    people, mixed_quiz, django_capture_on_commit_callbacks
):
    attempt = attempt_begin(person=people["staff"], quiz=mixed_quiz)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        attempt = attempt_submit(attempt=attempt, answers=answers_for(attempt))
    assert not AttemptEvidence.objects.exists()  # nothing before the commit
    for callback in callbacks:
        callback()
    evidence = AttemptEvidence.objects.get(attempt=attempt)
    content = _stored_bytes(evidence)
    assert evidence.sha256 == hashlib.sha256(content).hexdigest()
    text = _pdf_text(content)
    assert "Evidence record of a quiz attempt" in text and "Sam Staff" in text


def test_a_timed_out_attempt_is_sealed_too(people, quiz, django_capture_on_commit_callbacks):
    quiz.time_limit_minutes = 5
    quiz.save()
    attempt = attempt_begin(person=people["staff"], quiz=quiz)
    with django_capture_on_commit_callbacks(execute=True):
        attempt_close_overdue(attempt=attempt, now=attempt.submit_by + datetime.timedelta(1))
    assert AttemptEvidence.objects.filter(attempt=attempt).exists()


def test_a_refused_submission_seals_nothing(people, quiz, django_capture_on_commit_callbacks):
    attempt = _submitted(people["staff"], quiz)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(AttemptAlreadySubmitted),
    ):
        attempt_submit(attempt=attempt, answers=answers_for(attempt))
    assert callbacks == [] and not AttemptEvidence.objects.exists()


def test_sealing_twice_stores_one_pdf(people, quiz):
    attempt = _submitted(people["staff"], quiz)
    first = attempt_evidence_seal(attempt_id=attempt.pk)
    with mock.patch("quizzes.evidence.attempt_evidence_pdf") as render:
        second = attempt_evidence_seal(attempt_id=attempt.pk)
    render.assert_not_called()
    assert first.pk == second.pk and AttemptEvidence.objects.count() == 1


def test_an_open_attempt_is_not_sealed(people, quiz):
    attempt = attempt_begin(person=people["staff"], quiz=quiz)
    with pytest.raises(EvidenceNotFinal):
        attempt_evidence_seal(attempt_id=attempt.pk)
    assert not AttemptEvidence.objects.exists()


def test_a_seal_that_fails_after_storing_leaves_no_file_behind(people, quiz):
    attempt = _submitted(people["staff"], quiz)
    storage = AttemptEvidence.pdf.field.storage
    stored = []
    real_save = storage.save

    def save_and_note(name, content, **kwargs):
        stored.append(real_save(name, content, **kwargs))
        return stored[-1]

    with (
        mock.patch.object(storage, "save", save_and_note),
        mock.patch.object(AttemptEvidence, "save", side_effect=DatabaseError("disk full")),
        pytest.raises(DatabaseError),
    ):
        attempt_evidence_seal(attempt_id=attempt.pk)
    assert stored and not storage.exists(stored[0])
    assert not AttemptEvidence.objects.exists()


# Served as stored


def test_the_auditor_gets_the_stored_pdf_byte_for_byte(client_for, people, quiz):
    attempt = _submitted(people["staff"], quiz)
    evidence = attempt_evidence_seal(attempt_id=attempt.pk)
    url = reverse("quizzes:audit_attempt_pdf", args=[attempt.pk])
    client = client_for(people["auditor"])
    with mock.patch("quizzes.evidence.attempt_evidence_pdf") as render:
        first, second = client.get(url), client.get(url)
    render.assert_not_called()
    assert first.status_code == second.status_code == 200
    assert first.content == second.content == _stored_bytes(evidence)
    assert first["X-Evidence-SHA256"] == hashlib.sha256(first.content).hexdigest()


def test_an_attempt_not_sealed_yet_is_sealed_when_an_auditor_asks(client_for, people, quiz):
    attempt = _submitted(people["staff"], quiz)  # the task never ran: no commit in this test
    assert not AttemptEvidence.objects.exists()
    response = client_for(people["auditor"]).get(
        reverse("quizzes:audit_attempt_pdf", args=[attempt.pk])
    )
    evidence = AttemptEvidence.objects.get(attempt=attempt)
    assert response.content == _stored_bytes(evidence)


def test_an_open_attempt_is_rendered_for_the_auditor_but_not_sealed(client_for, people, quiz):
    attempt = attempt_begin(person=people["staff"], quiz=quiz)
    response = client_for(people["auditor"]).get(
        reverse("quizzes:audit_attempt_pdf", args=[attempt.pk])
    )
    assert response.status_code == 200 and "open.pdf" in response["Content-Disposition"]
    assert not AttemptEvidence.objects.exists()


@pytest.mark.parametrize("who", ["staff", "manager", "author"])
def test_nobody_but_an_auditor_reaches_the_stored_pdf(client_for, people, quiz, who):
    attempt = _submitted(people["staff"], quiz)
    response = client_for(people[who]).get(reverse("quizzes:audit_attempt_pdf", args=[attempt.pk]))
    assert response.status_code == 404 and not AttemptEvidence.objects.exists()


# Checkable


def _replace_stored(evidence, content):
    storage = evidence.pdf.storage
    storage.delete(evidence.pdf.name)
    assert storage.save(evidence.pdf.name, ContentFile(content)) == evidence.pdf.name


def test_the_check_passes_for_untouched_evidence(people, quiz):
    attempt_evidence_seal(attempt_id=_submitted(people["staff"], quiz).pk)
    attempt_evidence_seal(attempt_id=_submitted(people["other_staff"], quiz).pk)
    out = io.StringIO()
    call_command("check_evidence", stdout=out)
    assert "2 evidence files checked: every one matches" in out.getvalue()


def test_the_check_names_a_changed_file(people, quiz):
    intact = attempt_evidence_seal(attempt_id=_submitted(people["staff"], quiz).pk)
    changed = attempt_evidence_seal(attempt_id=_submitted(people["other_staff"], quiz).pk)
    _replace_stored(changed, _stored_bytes(changed) + b"%% appended after sealing\n")
    assert attempt_evidence_check(evidence=intact) and not attempt_evidence_check(evidence=changed)
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 of 2 evidence files do not match"):
        call_command("check_evidence", stderr=err)
    assert f"Attempt {changed.attempt_id}:" in err.getvalue()
    assert f"Attempt {intact.attempt_id}:" not in err.getvalue()


def test_the_check_names_a_missing_file(people, quiz):
    evidence = attempt_evidence_seal(attempt_id=_submitted(people["staff"], quiz).pk)
    evidence.pdf.storage.delete(evidence.pdf.name)
    assert not attempt_evidence_check(evidence=evidence)
    with pytest.raises(CommandError, match="1 of 1"):
        call_command("check_evidence", attempt=evidence.attempt_id, stderr=io.StringIO())


def test_the_check_of_an_attempt_without_evidence_is_an_error(people, quiz):
    attempt = _submitted(people["staff"], quiz)
    with pytest.raises(CommandError, match=f"Attempt {attempt.pk} has no sealed evidence"):
        call_command("check_evidence", attempt=attempt.pk)


def test_the_stored_evidence_does_not_change_with_the_time_it_is_asked_for(
    client_for, people, quiz
):
    attempt = _submitted(people["staff"], quiz)
    sealed = _stored_bytes(attempt_evidence_seal(attempt_id=attempt.pk))
    later = timezone.now() + datetime.timedelta(days=400)
    with mock.patch("django.utils.timezone.now", return_value=later):
        response = client_for(people["auditor"]).get(
            reverse("quizzes:audit_attempt_pdf", args=[attempt.pk])
        )
    assert response.content == sealed
