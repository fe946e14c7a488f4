"""Typing a verification code from a printed certificate: Crockford base 32 for new codes (small
letters, spaces, hyphens and look-alike letters forgiven), old case-sensitive codes still matched
exactly, clear errors, and the same rate limit as every other check."""

import math

import pytest

from django.test import override_settings
from django.urls import reverse

from certificates.codes import CROCKFORD_ALPHABET, code_canonical, code_grouped, code_new
from certificates.forms import CertificateCodeForm
from certificates.models import Certificate
from certificates.selectors import certificate_by_code
from tests.factories import module_certificate_for

CHECK_URL = "/certificates/verify/"


@pytest.fixture
def certificate(people, quiz, fast_pdf):
    return module_certificate_for(person=people["staff"], quiz=quiz)


@pytest.fixture
def old_certificate(people, quiz, fast_pdf):
    """Issued before the codes changed: 27 characters of URL-safe base 64, where case matters."""
    certificate = module_certificate_for(person=people["other_staff"], quiz=quiz)
    Certificate.objects.filter(pk=certificate.pk).update(code="aB3-_xYz0OlI9qRsTuVwXyZ12Kk")
    certificate.refresh_from_db()
    return certificate


def _check(client, typed, **extra):
    return client.post(CHECK_URL, {"check_by": "code", "code": typed}, **extra)


def _swap_look_alikes(code):
    """How someone might type 1 and 0 from paper: as I, L and O, in small letters."""
    typed = code.replace("1", "l", 1).replace("1", "I").replace("0", "o")
    return typed.lower()


def test_new_codes_are_160_random_bits_in_crockford_base_32():
    codes = {code_new() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == 32 and set(code) <= set(CROCKFORD_ALPHABET)
        assert not set(code) & set("ILOU")
    # As many bits as the URL-safe codes (token_urlsafe(20)) had: 5 bits a character.
    assert 32 * math.log2(len(CROCKFORD_ALPHABET)) == 160 == 20 * 8
    # Every character of the alphabet turns up: the bits are spread over all 32 symbols.
    assert set("".join(codes)) == set(CROCKFORD_ALPHABET)


def test_a_new_certificate_gets_a_new_style_code_shown_in_groups(certificate):
    assert code_canonical(certificate.code) == certificate.code
    grouped = certificate.code_for_reading
    assert grouped.split(" ") == [certificate.code[i : i + 4] for i in range(0, 32, 4)]


def test_reading_a_code_forgives_case_spaces_hyphens_and_look_alikes():
    code = "7K3Q9XWD2M4P8RBT0C6VHN1F5GJZQE3A"
    assert code_canonical(code) == code
    assert code_canonical("7k3q 9xwd 2m4p 8rbt 0c6v hn1f 5gjz qe3a") == code
    assert code_canonical("7K3Q-9XWD-2M4P-8RBT-OC6V-HNIF-5GJZ-QE3A") == code  # O for 0, I for 1
    assert code_canonical(" 7k3q\t9xwd–2m4p 8rbt oc6v hnlf 5gjz qe3a\n") == code  # l for 1, a dash
    assert code_grouped(code) == "7K3Q 9XWD 2M4P 8RBT 0C6V HN1F 5GJZ QE3A"
    for not_a_code in (
        "",
        "7K3Q9XWD2M4P8RBT0C6VHN1F5GJZQE3",
        code + "A",
        code[:-1] + "U",
        code[:-1] + "*",
    ):
        assert code_canonical(not_a_code) is None, not_a_code


@pytest.mark.django_db
@pytest.mark.parametrize(
    "how",
    [
        pytest.param(str.lower, id="lower case"),
        pytest.param(lambda code: code_grouped(code).lower(), id="spaces"),
        pytest.param(lambda code: code_grouped(code).replace(" ", "-"), id="hyphens"),
        pytest.param(
            lambda code: "  " + code_grouped(code).replace(" ", " - ") + "  ",
            id="spaces and hyphens",
        ),
        pytest.param(_swap_look_alikes, id="look-alikes"),
    ],
)
def test_a_code_typed_loosely_finds_its_certificate(client, certificate, how):
    # Make sure the look-alike case has something to swap.
    code = "01" + certificate.code[2:]
    Certificate.objects.filter(pk=certificate.pk).update(code=code)
    response = _check(client, how(code))
    page = response.content.decode()
    assert response.status_code == 200, page
    assert (
        "This certificate is valid" in page and certificate.serial in page and "Sam Staff" in page
    )
    assert code_grouped(code) in page  # shown grouped for reading


@pytest.mark.django_db
def test_the_link_on_the_certificate_and_a_loosely_typed_link_still_work(client, certificate):
    assert client.get(reverse("certificates:verify", args=[certificate.code])).status_code == 200
    assert (
        client.get(reverse("certificates:verify", args=[certificate.code.lower()])).status_code
        == 200
    )


@pytest.mark.django_db
def test_an_old_code_still_verifies_exactly_as_before(client, old_certificate, certificate):
    code = old_certificate.code
    by_link = client.get(reverse("certificates:verify", args=[code]))
    by_form = _check(client, f" {code} ")
    for response in (by_link, by_form):
        page = response.content.decode()
        assert (
            response.status_code == 200 and old_certificate.serial in page and "Oscar Other" in page
        )
    assert code in by_form.content.decode()  # shown as it is: its case and hyphens are part of it
    # Its case matters, as it always did: another case is not the same code.
    assert _check(client, code.swapcase()).status_code == 404
    assert client.get(reverse("certificates:verify", args=[code.lower()])).status_code == 404


@pytest.mark.django_db
def test_an_exact_match_always_wins_over_a_loose_reading(certificate, old_certificate):
    """A stored code read loosely could stand for another stored code: the exact one is returned."""
    loose = "0" * 32
    exact = "O" * 32  # not a new-style code (no O), but read loosely it would be `loose`
    Certificate.objects.filter(pk=certificate.pk).update(code=loose)
    Certificate.objects.filter(pk=old_certificate.pk).update(code=exact)
    assert certificate_by_code(code=exact).pk == old_certificate.pk
    assert certificate_by_code(code=loose).pk == certificate.pk
    assert certificate_by_code(code="o" * 32).pk == certificate.pk  # nothing matches exactly


@pytest.mark.django_db
def test_an_unknown_code_gets_the_same_not_found_as_everything_else(client, certificate):
    unknown = code_new()
    assert unknown != certificate.code
    by_form = _check(client, unknown)
    by_link = client.get(reverse("certificates:verify", args=[unknown]))
    assert by_form.status_code == by_link.status_code == 404
    assert by_form.content == by_link.content


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the verification code"),
        ("   ", "Enter the verification code"),
        ("7K3Q 9XWD 2M4P", CertificateCodeForm.MALFORMED),
        (
            "7K3Q 9XWD 2M4P 8RBT 0C6V HN1F 5GJZ QE3U",
            CertificateCodeForm.MALFORMED,
        ),  # U is never used
        ("7K3Q 9XWD 2M4P 8RBT 0C6V HN1F 5GJZ QE3A 7K3Q", CertificateCodeForm.MALFORMED),
        ("x" * 500, CertificateCodeForm.MALFORMED),
        ("<script>alert(1)</script>", CertificateCodeForm.MALFORMED),
    ],
)
def test_a_missing_or_malformed_code_gets_a_clear_error(client, certificate, typed, message):
    response = _check(client, typed)
    page = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error: Check a certificate" in page
    assert 'class="govuk-error-summary"' in page and f'<a href="#id_code">{message}</a>' in page
    assert (
        f'<p class="govuk-error-message" id="id_code-error"><span class="govuk-visually-hidden">Error:</span> {message}</p>'
        in page
    )
    assert 'aria-describedby="id_code-hint id_code-error"' in page
    assert "<script>alert" not in page


def test_the_check_page_has_a_labelled_code_field_with_a_hint(client, db):
    page = client.get(CHECK_URL).content.decode()
    assert (
        '<label class="govuk-label govuk-label--m" for="id_code">Enter the verification code</label>'
        in page
    )
    assert 'id="id_code-hint"' in page and "32 letters and numbers in groups of 4" in page
    assert 'name="check_by" value="code"' in page
    assert 'spellcheck="false"' in page and 'autocomplete="off"' in page


@pytest.mark.django_db
@override_settings(CERTIFICATE_VERIFY_RATE_LIMIT=2)
def test_the_code_form_counts_against_the_verification_rate_limit(client, certificate):
    verify = reverse("certificates:verify", args=[certificate.code])
    assert client.get(verify).status_code == 200
    assert _check(client, certificate.code.lower()).status_code == 200
    # Over the limit: refused before the code is even looked at, right or wrong, well formed or not.
    assert _check(client, certificate.code).status_code == 429
    assert _check(client, "").status_code == 429
    assert client.get(verify).status_code == 429
    assert _check(client, certificate.code, REMOTE_ADDR="192.0.2.9").status_code == 200


@pytest.mark.django_db
def test_guessing_a_code_one_character_at_a_time_is_not_helped(client, certificate):
    """A code one character off is simply not found: no "nearly" answer to climb towards."""
    near = certificate.code[:-1] + ("A" if certificate.code[-1] != "A" else "B")
    assert _check(client, near).status_code == 404
