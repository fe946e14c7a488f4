"""The whole thin path over HTTP: a staff member passes a module and anyone can verify the certificate."""

import hashlib
import io
import re

import pytest
from pypdf import PdfReader

from django.urls import reverse

from certificates.models import Certificate
from quizzes.models import Attempt


def _correct_answers(attempt):
    return {
        f"q-{question['id']}": next(
            option["id"] for option in question["options"] if option["correct"]
        )
        for question in attempt.questions
    }


@pytest.mark.django_db(transaction=True)
def test_staff_member_passes_a_module_and_anyone_can_verify_the_certificate(
    client, people, quiz, module
):
    staff, manager, auditor = people["staff"], people["manager"], people["auditor"]

    # Log in with a password, as a person would.
    response = client.post(
        reverse("login"), {"username": "sam.staff", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302

    # The module: start, read the narrative, make the decision, see its feedback and clause.
    assert "Start module" in client.get(module.url).content.decode()
    response = client.post(module.url)
    assert response.status_code == 302 and response.url.endswith("/step/1/")
    step_1 = client.get(response.url).content.decode()
    assert "Meet Jade" in step_1
    response = client.post(module.url + "step/1/", {"continue": "1"})
    assert response.url.endswith("/step/2/")
    decision_page = client.get(module.url + "step/2/").content.decode()
    assert "This is what the policy expects" not in decision_page  # no feedback before choosing
    client.post(module.url + "step/2/", {"choice": "0"})
    feedback = client.get(module.url + "step/2/").content.decode()
    assert "under-16s need a parent" in feedback
    assert "clause 2.19" in feedback
    client.post(module.url + "step/2/", {"continue": "1"})
    response = client.post(module.url + "step/3/", {"continue": "1"})
    assert response.status_code == 302
    assert "Take the quiz" in client.get(module.url).content.decode()

    # The quiz: the page carries no answer key; the server scores it.
    response = client.post(reverse("quizzes:start", args=[quiz.pk]))
    attempt = Attempt.objects.get(person=staff)
    quiz_html = client.get(response.url).content.decode()
    assert "correct" not in quiz_html.lower().replace("are correct", "")
    form_token = re.search(r'name="form_token" value="([^"]+)"', quiz_html).group(1)
    response = client.post(response.url, {**_correct_answers(attempt), "form_token": form_token})
    assert response.status_code == 302
    result = client.get(response.url).content.decode()
    assert "You passed" in result

    # The certificate: issued in the background (immediate backend in tests), stored with its hash.
    certificate = Certificate.objects.get(person=staff, kind=Certificate.Kind.MODULE)
    assert certificate.module_id == module.pk
    download = client.get(reverse("certificates:download", args=[certificate.serial]))
    assert download.status_code == 200
    pdf_bytes = b"".join(download.streaming_content)
    assert hashlib.sha256(pdf_bytes).hexdigest() == certificate.sha256
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf_bytes)).pages)
    assert "Sam Staff" in text
    verify_path = reverse("certificates:verify", args=[certificate.code])
    assert verify_path in re.sub(r"\s+", "", text)

    # Logged out, the verification link says it is valid and what it attests.
    client.post(reverse("logout"))
    verified = client.get(verify_path).content.decode()
    assert "This certificate is valid" in verified
    assert "Sam Staff" in verified and module.title in verified

    # The line manager sees the status; the auditor lists and downloads.
    client.force_login(manager.user)
    assert "Passed, valid until" in client.get(reverse("team_dashboard")).content.decode()
    assert (
        client.get(reverse("certificates:download", args=[certificate.serial])).status_code == 404
    )
    client.force_login(auditor.user)
    assert certificate.serial in client.get(reverse("certificates:auditor_list")).content.decode()
    assert (
        client.get(reverse("certificates:download", args=[certificate.serial])).status_code == 200
    )

    # Other staff see neither page nor the certificate.
    client.force_login(people["other_staff"].user)
    assert client.get(reverse("team_dashboard")).status_code == 404
    assert client.get(reverse("certificates:auditor_list")).status_code == 404
    assert (
        client.get(reverse("certificates:download", args=[certificate.serial])).status_code == 404
    )
