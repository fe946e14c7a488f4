import hashlib
import io
import math

import pytest
from pypdf import PdfReader

from django.urls import reverse

from certificates.models import Certificate
from certificates.services import CertificateError, certificate_issue_for_attempt
from certificates.tasks import certificate_issue_task
from quizzes.services import attempt_submit
from tests.factories import attempt_begin


def _submit(person, quiz, right=True):
    attempt = attempt_begin(person=person, quiz=quiz)
    answers = {
        str(q["id"]): [next(o["id"] for o in q["options"] if o["correct"] == right)]
        for q in attempt.questions
    }
    return attempt_submit(attempt=attempt, answers=answers)


@pytest.fixture
def certificate(people, quiz, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _submit(people["staff"], quiz)
    return Certificate.objects.get(kind=Certificate.Kind.MODULE)


def test_a_pass_issues_one_certificate_with_the_stored_files_hash(certificate, people, module):
    assert certificate.person == people["staff"] and certificate.module_id == module.pk
    assert certificate.serial.endswith(f"{certificate.pk:06d}")
    with certificate.pdf.open("rb") as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == certificate.sha256
    assert certificate.is_currently_valid


def test_the_verification_code_has_160_random_bits(certificate):
    # Crockford base 32 (certificates/codes.py): 5 bits per character.
    assert len(certificate.code) * math.log2(32) >= 160
    other = Certificate(code=Certificate._meta.get_field("code").default())
    assert other.code != certificate.code


def test_the_pdf_names_the_holder_the_scope_and_the_link(certificate):
    with certificate.pdf.open("rb") as stored:
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(stored.read())).pages)
    assert (
        certificate.holder_name in text and certificate.title in text and certificate.serial in text
    )
    assert certificate.code in text.replace("\n", "").replace(" ", "")
    # Printed in groups of four, to be read off the paper and typed.
    assert f"Verification code {certificate.code_for_reading}" in text


def test_issuing_again_returns_the_same_certificate(certificate):
    assert certificate_issue_for_attempt(attempt_id=certificate.attempt_id) == certificate
    certificate_issue_task.enqueue(attempt_id=certificate.attempt_id)
    assert Certificate.objects.filter(kind=Certificate.Kind.MODULE).count() == 1


def test_a_failed_attempt_earns_nothing(people, quiz, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        attempt = _submit(people["staff"], quiz, right=False)
    assert not Certificate.objects.exists()
    with pytest.raises(CertificateError):
        certificate_issue_for_attempt(attempt_id=attempt.pk)
    assert not Certificate.objects.exists()


def test_passing_again_supersedes_the_old_certificate(
    certificate, people, quiz, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _submit(people["staff"], quiz)
    old, new = Certificate.objects.filter(kind=Certificate.Kind.MODULE).order_by("pk")
    assert old.pk == certificate.pk
    assert (old.status, old.superseded_by) == (Certificate.Status.SUPERSEDED, new)
    assert new.status == Certificate.Status.VALID


def test_verification_is_public_and_unknown_codes_are_an_ordinary_404(client, certificate):
    page = client.get(reverse("certificates:verify", args=[certificate.code]))
    assert page.status_code == 200 and "This certificate is valid" in page.content.decode()
    assert client.get(reverse("certificates:verify", args=["not-a-code"])).status_code == 404


def test_who_may_download(client_for, people, certificate):
    url = reverse("certificates:download", args=[certificate.serial])
    assert client_for(people["staff"]).get(url).status_code == 200
    assert client_for(people["auditor"]).get(url).status_code == 200
    for who in ["other_staff", "manager", "author", "other_manager"]:
        assert client_for(people[who]).get(url).status_code == 404, who
    assert (
        client_for(people["staff"])
        .get(reverse("certificates:download", args=["0000-999999"]))
        .status_code
        == 404
    )


def test_only_auditors_list_certificates(client_for, people, certificate):
    url = reverse("certificates:auditor_list")
    assert certificate.serial in client_for(people["auditor"]).get(url).content.decode()
    for who in ["staff", "manager", "author"]:
        assert client_for(people[who]).get(url).status_code == 404
