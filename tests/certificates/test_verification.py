"""Public verification by code and by file, the single "not found" answer, and the rate limit."""

import pytest

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from certificates.ratelimit import TOO_MANY_MESSAGE
from certificates.services import certificate_revoke
from tests.factories import module_certificate_for

CHECK_URL = "/certificates/verify/"


def _upload(content, name="certificate.pdf"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _stored_bytes(certificate):
    with certificate.pdf.open("rb") as stored:
        return stored.read()


@pytest.fixture
def certificate(people, quiz):
    return module_certificate_for(person=people["staff"], quiz=quiz)


@pytest.mark.django_db
def test_anyone_can_verify_a_code_and_sees_only_what_is_needed(client, certificate, people):
    response = client.get(reverse("certificates:verify", args=[certificate.code]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "This certificate is valid" in page
    for attested in ("Sam Staff", certificate.title, certificate.serial, "pass mark 60%"):
        assert attested in page
    user = people["staff"].user
    for private in (user.email, user.username, people["staff"].team.name):
        assert private and private not in page


@pytest.mark.django_db
def test_the_clause_versions_are_listed_in_reading_order(client, certificate):
    cited = certificate.scope["clauses"][0]
    # As the scope of a certificate issued before the reading order holds them: sorted as text.
    certificate.scope["clauses"] = [
        {
            **cited,
            "id": cited["id"] + offset,
            "reference": reference,
            "heading": f"Heading {reference}",
        }
        for offset, reference in enumerate(["2.1", "2.13", "2.5"])
    ]
    certificate.save(update_fields=["scope"])
    page = client.get(reverse("certificates:verify", args=[certificate.code])).content.decode()
    positions = [page.index(f"clause {reference}, version") for reference in ("2.1", "2.5", "2.13")]
    assert positions == sorted(positions)


@pytest.mark.django_db
def test_a_superseded_certificate_stays_verifiable_and_names_its_successor(
    client, certificate, people, quiz
):
    successor = module_certificate_for(person=people["staff"], quiz=quiz)
    page = client.get(reverse("certificates:verify", args=[certificate.code])).content.decode()
    assert "This certificate is not valid: superseded" in page
    assert f"replaced by certificate {successor.serial}" in page


@pytest.mark.django_db
def test_a_base_competence_certificate_shows_the_modules_it_covers(
    client, people, quiz, second_quiz, fast_pdf
):
    from certificates.services import certificate_issue_base_competence

    first = module_certificate_for(person=people["staff"], quiz=quiz)
    second = module_certificate_for(person=people["staff"], quiz=second_quiz)
    base = certificate_issue_base_competence(person=people["staff"])
    page = client.get(reverse("certificates:verify", args=[base.code])).content.decode()
    assert "This certificate is valid" in page and "Base competence in social media" in page
    for module_certificate in (first, second):
        assert f"{module_certificate.title} (certificate {module_certificate.serial})" in page


@pytest.mark.django_db
def test_a_recertification_due_certificate_says_why(client, certificate, clause):
    from certificates.services import certificates_mark_recertification_due

    certificates_mark_recertification_due(replaced_clause=clause)
    page = client.get(reverse("certificates:verify", args=[certificate.code])).content.decode()
    assert "This certificate is not valid: recertification due" in page
    assert "A policy this certificate was assessed against has changed" in page


@pytest.mark.django_db
def test_a_revoked_certificate_says_so(client, certificate, people):
    certificate_revoke(
        certificate=certificate,
        by=people["auditor"].user,
        reason="Fraud",
        category="not_holders_own",
    )
    page = client.get(reverse("certificates:verify", args=[certificate.code])).content.decode()
    today = timezone.localdate()
    assert f"This certificate was revoked on {today.day} {today:%B %Y}" in page
    assert "The assessment was not the holder&#x27;s own work" in page
    assert "Fraud" not in page  # the auditor's own words are not for the public


@pytest.mark.django_db
def test_a_revoked_file_leads_with_the_revocation_not_a_green_panel(client, certificate, people):
    certificate_revoke(
        certificate=certificate,
        by=people["auditor"].user,
        reason="Issued to the wrong Sam",
        category="issued_in_error",
    )
    response = client.post(CHECK_URL, {"file": _upload(_stored_bytes(certificate))})
    page = response.content.decode()
    assert response.status_code == 200
    assert "This file is a certificate we issued" not in page
    assert "govuk-panel--confirmation" not in page
    today = timezone.localdate()
    heading = f"This certificate was revoked on {today.day} {today:%B %Y}"
    assert page.index(heading) < page.index("genuine copy")
    assert '<h1 class="govuk-heading-xl">' + heading in page  # the page's one main heading
    assert page.count("<h1") == 1
    assert "Issued in error" in page and "Issued to the wrong Sam" not in page


@pytest.mark.django_db
def test_a_base_certificate_revoked_with_its_module_certificate_says_why(
    client, people, module, quiz
):
    from certificates.models import Certificate
    from certificates.services import certificate_issue_base_competence

    module_certificate = module_certificate_for(person=people["staff"], quiz=quiz)
    base = certificate_issue_base_competence(person=people["staff"])
    assert base is not None
    certificate_revoke(
        certificate=module_certificate,
        by=people["auditor"].user,
        reason="Policy pulled",
        category="policy_withdrawn",
    )
    base = Certificate.objects.get(pk=base.pk)
    page = client.get(reverse("certificates:verify", args=[base.code])).content.decode()
    assert "This certificate was revoked on" in page
    assert "A certificate it rests on was revoked" in page
    module_page = client.get(
        reverse("certificates:verify", args=[module_certificate.code])
    ).content.decode()
    assert "The policy it was assessed against was withdrawn" in module_page


@pytest.mark.django_db
def test_a_superseded_file_is_genuine_but_not_shown_as_a_green_success(client, people, quiz):
    first = module_certificate_for(person=people["staff"], quiz=quiz)
    module_certificate_for(person=people["staff"], quiz=quiz)
    page = client.post(CHECK_URL, {"file": _upload(_stored_bytes(first))}).content.decode()
    assert "govuk-panel--confirmation" not in page
    assert "This certificate is not valid: superseded" in page
    assert "genuine copy" in page and "Revoked on" not in page


@pytest.mark.django_db
def test_the_exact_file_is_recognised_as_the_certificate_issued(client, certificate):
    response = client.post(CHECK_URL, {"file": _upload(_stored_bytes(certificate))})
    page = response.content.decode()
    assert response.status_code == 200
    assert "This file is a certificate we issued" in page
    assert f"byte for byte certificate {certificate.serial}" in page
    assert "This certificate is valid" in page


@pytest.mark.django_db
def test_an_edited_file_and_an_unknown_code_get_the_same_not_found(client, certificate):
    original = _stored_bytes(certificate)
    edited = bytearray(original)
    edited[len(edited) // 2] ^= 0x01  # one bit in the middle of the file
    by_file = client.post(CHECK_URL, {"file": _upload(bytes(edited))})
    one_byte_more = client.post(CHECK_URL, {"file": _upload(original + b" ")})
    by_code = client.get(reverse("certificates:verify", args=["not-a-real-code"]))

    assert by_file.status_code == one_byte_more.status_code == by_code.status_code == 404
    assert by_file.content == one_byte_more.content == by_code.content
    assert "Not found" in by_code.content.decode()


@pytest.mark.django_db
def test_a_code_with_a_nul_byte_is_not_found_rather_than_an_error(client):
    # PostgreSQL refuses NUL in a query: the lookup must not reach the database with one.
    assert client.get("/certificates/verify/AB%00CD/").status_code == 404


@pytest.mark.django_db
def test_the_file_check_page_is_public_and_accessible(client):
    page = client.get(CHECK_URL).content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert '<label class="govuk-label govuk-label--m" for="id_file">' in page
    assert "no larger than 5.0" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (None, "Select a PDF file"),
        (
            SimpleUploadedFile("notes.pdf", b"just some text", content_type="application/pdf"),
            "The selected file must be a PDF",
        ),
        (
            SimpleUploadedFile("empty.pdf", b"", content_type="application/pdf"),
            "The selected file is empty",
        ),
    ],
)
def test_bad_uploads_get_a_clear_error_linked_from_the_summary(client, upload, message):
    response = client.post(CHECK_URL, {"file": upload} if upload else {})
    page = response.content.decode()
    assert response.status_code == 400
    assert 'class="govuk-error-summary"' in page and f'<a href="#id_file">{message}</a>' in page
    assert 'id="id_file-error"' in page


@pytest.mark.django_db
@override_settings(CERTIFICATE_CHECK_MAX_BYTES=1000)
def test_a_file_over_the_size_limit_is_refused(client, certificate):
    response = client.post(CHECK_URL, {"file": _upload(_stored_bytes(certificate))})
    assert response.status_code == 400
    assert "The selected file must be smaller than 1000" in response.content.decode()


@pytest.mark.django_db
@override_settings(CERTIFICATE_VERIFY_RATE_LIMIT=3)
def test_checks_are_rate_limited_per_client_address(client, certificate):
    verify = reverse("certificates:verify", args=[certificate.code])
    assert [client.get(verify).status_code for _ in range(2)] == [200, 200]
    assert client.post(CHECK_URL, {"file": _upload(b"%PDF-1.7 unknown")}).status_code == 404
    limited = client.get(verify)
    assert limited.status_code == 429
    assert limited.content.decode() == TOO_MANY_MESSAGE and limited["Content-Type"].startswith(
        "text/plain"
    )
    assert client.post(CHECK_URL, {"file": _upload(b"%PDF-1.7 unknown")}).status_code == 429
    # Another address has its own allowance; showing the upload form is not a check.
    assert client.get(verify, REMOTE_ADDR="192.0.2.7").status_code == 200
    assert client.get(CHECK_URL).status_code == 200


@pytest.mark.django_db
@override_settings(CERTIFICATE_VERIFY_RATE_LIMIT=1, CERTIFICATE_VERIFY_RATE_WINDOW_SECONDS=60)
def test_the_allowance_comes_back_in_the_next_window_and_not_before(
    client, certificate, rate_limit_clock
):
    verify = reverse("certificates:verify", args=[certificate.code])
    assert client.get(verify).status_code == 200
    rate_limit_clock.now += 59
    refused = client.get(verify)
    assert refused.status_code == 429 and refused["Retry-After"] == "60"
    rate_limit_clock.now += 1
    assert client.get(verify).status_code == 200
    assert client.get(verify).status_code == 429


@pytest.mark.django_db
@override_settings(CERTIFICATE_VERIFY_RATE_LIMIT=1, CERTIFICATE_VERIFY_TRUSTED_PROXIES=1)
def test_behind_a_trusted_proxy_the_forwarded_address_counts(client, certificate):
    verify = reverse("certificates:verify", args=[certificate.code])
    assert client.get(verify, HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 200
    assert client.get(verify, HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429
    # A client cannot escape by prepending its own entries: only the proxy's last entry counts.
    assert client.get(verify, HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.1").status_code == 429
    assert client.get(verify, HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 200
