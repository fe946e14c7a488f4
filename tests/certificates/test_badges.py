"""Open Badges 3.0: each certificate as a signed Verifiable Credential (VC-JWT, ES256), its
status through Bitstring Status Lists, and the public check that reads it back."""

import base64
import datetime
import json

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from certificates import badges
from certificates.models import Certificate
from certificates.services import certificate_issue_base_competence, certificate_revoke
from lms.models import AuditEvent
from tests.factories import facts_refresh, module_certificate_for

pytestmark = pytest.mark.django_db
ISSUER = "https://learning.example.org/certificates/badges/issuer/"


def _pem(key):
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


@pytest.fixture(autouse=True)
def signing_key(settings):
    key = ec.generate_private_key(ec.SECP256R1())
    settings.BADGE_SIGNING_KEY = _pem(key)
    return key


@pytest.fixture
def certificate(people, quiz, fast_pdf):
    return module_certificate_for(person=people["staff"], quiz=quiz)


def _claims(token, key):
    return jwt.decode(token, key.public_key(), algorithms=["ES256"], options={"verify_exp": False})


def _tampered(token, change):
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    change(claims)
    encoded = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{encoded}.{signature}"


# The credential -----------------------------------------------------------------------------------


def test_the_credential_is_an_open_badge_naming_issuer_criteria_score_and_dates(
    certificate, signing_key, clause
):
    token = badges.badge_sign(certificate=certificate)
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "ES256"
    assert header["kid"] == badges.badge_jwks()["keys"][0]["kid"]
    claims = _claims(token, signing_key)
    credential = claims["vc"]
    assert credential["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["issuer"]["id"] == claims["iss"] == ISSUER
    assert credential["issuer"]["type"] == ["Profile"]
    assert credential["id"] == claims["jti"]
    assert credential["id"].endswith(f"/certificates/verify/{certificate.code}/")
    achievement = credential["credentialSubject"]["achievement"]
    narrative = achievement["criteria"]["narrative"]
    assert f"pass mark of {certificate.pass_mark} %" in narrative
    assert clause.document.title in narrative and clause.reference in narrative
    assert f"clause version {clause.version}" in narrative
    policy = certificate.scope["policies"][0]
    assert f"{policy['title']}, version {policy['version']}" in narrative
    assert achievement["resultDescription"][0]["requiredValue"] == str(certificate.pass_mark)
    result = credential["credentialSubject"]["result"][0]
    assert result["value"] == str(certificate.score)
    assert result["resultDescription"] == achievement["resultDescription"][0]["id"]
    assert credential["validFrom"] == certificate.issued_at.astimezone(datetime.UTC).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    valid_until = datetime.datetime.fromisoformat(credential["validUntil"])
    assert timezone.localtime(valid_until).date() == certificate.expires_on + datetime.timedelta(1)
    assert claims["exp"] == int(valid_until.timestamp())
    purposes = {entry["statusPurpose"]: entry for entry in credential["credentialStatus"]}
    assert set(purposes) == {"revocation", "message"}
    assert purposes["revocation"]["type"] == "BitstringStatusListEntry"
    assert purposes["revocation"]["statusListIndex"] == str(certificate.pk)


def test_the_credential_never_carries_questions_or_answers(certificate, signing_key):
    text = json.dumps(_claims(badges.badge_sign(certificate=certificate), signing_key))
    for question in certificate.attempt.questions:
        assert question["text"] not in text
        for option in question.get("options", []):
            assert option["text"] not in text
    assert "correct" not in text and "answers" not in text


def test_a_base_competence_badge_names_every_module_and_their_clauses(
    people, quiz, second_quiz, fast_pdf, signing_key
):
    module_certificate_for(person=people["staff"], quiz=quiz)
    module_certificate_for(person=people["staff"], quiz=second_quiz)
    base = certificate_issue_base_competence(person=people["staff"])
    credential = _claims(badges.badge_sign(certificate=base), signing_key)["vc"]
    narrative = credential["credentialSubject"]["achievement"]["criteria"]["narrative"]
    assert quiz.module.title in narrative and second_quiz.module.title in narrative
    assert "Information sharing policy 4.2" in narrative
    assert "result" not in credential["credentialSubject"]  # no score of its own
    assert badges.badge_verify(token=badges.badge_sign(certificate=base)).status == "valid"


# Verification -------------------------------------------------------------------------------------


def test_a_fresh_badge_verifies_as_valid(certificate):
    check = badges.badge_verify(token=badges.badge_sign(certificate=certificate))
    assert check.certificate == certificate
    assert check.status == Certificate.Status.VALID and check.is_currently_valid


def test_whitespace_and_line_breaks_from_pasting_do_not_matter(certificate):
    token = badges.badge_sign(certificate=certificate)
    pasted = "\n  " + "\n".join(token[i : i + 60] for i in range(0, len(token), 60)) + "  \n"
    assert badges.badge_verify(token=pasted).is_currently_valid


def test_a_revoked_badge_says_so_through_the_status_list(certificate, people):
    token = badges.badge_sign(certificate=certificate)
    certificate_revoke(
        certificate=certificate,
        by=people["auditor"].user,
        reason="Sat by someone else",
        category="not_holders_own",
    )
    assert badges.badge_verify(token=token).status == Certificate.Status.REVOKED


def test_a_superseded_badge_says_so(certificate, people, quiz):
    token = badges.badge_sign(certificate=certificate)
    module_certificate_for(person=people["staff"], quiz=quiz)  # passing again supersedes
    assert badges.badge_verify(token=token).status == Certificate.Status.SUPERSEDED


def test_an_expired_badge_says_so_by_its_valid_until(certificate):
    token = badges.badge_sign(certificate=certificate)
    after = datetime.datetime.combine(
        certificate.expires_on + datetime.timedelta(days=1),
        datetime.time(0, 0, 1),
        tzinfo=timezone.get_current_timezone(),
    )
    assert badges.badge_verify(token=token, now=after).status == badges.EXPIRED
    assert badges.badge_verify(token=token, now=after - datetime.timedelta(seconds=2)).status == (
        Certificate.Status.VALID
    )


def test_recertification_due_is_read_from_the_message_list(certificate):
    token = badges.badge_sign(certificate=certificate)
    Certificate.objects.filter(pk=certificate.pk).update(
        status=Certificate.Status.RECERTIFICATION_DUE
    )
    facts_refresh(person=certificate.person, module=certificate.module)
    assert badges.badge_verify(token=token).status == Certificate.Status.RECERTIFICATION_DUE


@pytest.mark.parametrize(
    ("token", "says"),
    [
        ("", "not a signed Open Badge"),
        ("hello world", "not a signed Open Badge"),
        ("a.b.c", "cannot be read"),
        ("%%%.%%%.%%%", "cannot be read"),
    ],
)
def test_garbage_is_refused_with_a_reason(token, says):
    with pytest.raises(badges.BadgeInvalid, match=says):
        badges.badge_verify(token=token)


def test_a_changed_badge_is_refused(certificate):
    token = badges.badge_sign(certificate=certificate)

    def raise_score(claims):
        claims["vc"]["credentialSubject"]["result"][0]["value"] = "100.00"

    with pytest.raises(badges.BadgeInvalid, match="changed since we issued it"):
        badges.badge_verify(token=_tampered(token, raise_score))


def test_a_badge_signed_with_another_key_is_refused(certificate, settings):
    token = badges.badge_sign(certificate=certificate)
    settings.BADGE_SIGNING_KEY = _pem(ec.generate_private_key(ec.SECP256R1()))
    with pytest.raises(badges.BadgeInvalid, match="not signed with"):
        badges.badge_verify(token=token)


def test_a_forged_header_naming_our_key_does_not_pass_the_signature(certificate, signing_key):
    forger = ec.generate_private_key(ec.SECP256R1())
    claims = _claims(badges.badge_sign(certificate=certificate), signing_key)
    forged = jwt.encode(
        claims,
        forger,
        algorithm="ES256",
        headers={"kid": badges.badge_jwks()["keys"][0]["kid"]},
    )
    with pytest.raises(badges.BadgeInvalid, match="changed since we issued it"):
        badges.badge_verify(token=forged)


def test_an_unsigned_badge_is_refused(certificate, signing_key):
    claims = _claims(badges.badge_sign(certificate=certificate), signing_key)
    unsigned = jwt.encode(claims, None, algorithm="none")
    with pytest.raises(badges.BadgeInvalid, match="not signed with"):
        badges.badge_verify(token=unsigned)


def test_a_badge_naming_another_issuer_is_refused_even_with_our_signature(certificate, signing_key):
    claims = _claims(badges.badge_sign(certificate=certificate), signing_key)
    claims["iss"] = claims["vc"]["issuer"]["id"] = "https://elsewhere.example.com/issuer"
    token = jwt.encode(
        claims,
        signing_key,
        algorithm="ES256",
        headers={"kid": badges.badge_jwks()["keys"][0]["kid"]},
    )
    with pytest.raises(badges.BadgeInvalid, match="as its issuer"):
        badges.badge_verify(token=token)


def test_a_badge_for_a_certificate_we_do_not_hold_is_refused(certificate, signing_key):
    claims = _claims(badges.badge_sign(certificate=certificate), signing_key)
    claims["vc"]["id"] = claims["jti"] = claims["vc"]["id"].replace(certificate.code, "X" * 32)
    token = jwt.encode(
        claims,
        signing_key,
        algorithm="ES256",
        headers={"kid": badges.badge_jwks()["keys"][0]["kid"]},
    )
    with pytest.raises(badges.BadgeInvalid, match="no record"):
        badges.badge_verify(token=token)


# Status lists and keys -----------------------------------------------------------------------------


def test_the_status_lists_set_exactly_the_revoked_and_superseded_entries(
    certificate, people, quiz, signing_key, client
):
    newer = module_certificate_for(person=people["staff"], quiz=quiz)
    lists = {}
    for purpose in badges.STATUS_PURPOSES:
        response = client.get(reverse("certificates:badge_status_list", args=[purpose]))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/vc+jwt"
        status_list = _claims(response.content.decode(), signing_key)["vc"]
        assert status_list["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
        assert status_list["credentialSubject"]["statusPurpose"] == purpose
        lists[purpose] = status_list["credentialSubject"]["encodedList"]

    def entry(purpose, index, size=1):
        return badges.status_list_value(encoded_list=lists[purpose], index=index, size=size)

    assert entry("revocation", certificate.pk) == 1  # superseded by the newer pass
    assert entry("revocation", newer.pk) == 0
    assert entry("message", certificate.pk, size=2) == 2
    assert entry("message", newer.pk, size=2) == 0
    assert entry("revocation", badges.STATUS_LIST_MIN_BITS - 1) == 0  # the full minimum length
    assert client.get(reverse("certificates:badge_status_list", args=["nosuch"])).status_code == 404


def test_the_public_key_and_issuer_are_published_at_stable_urls(client, signing_key):
    for url in ["/certificates/badges/issuer/jwks.json", "/.well-known/jwks.json"]:
        keys = client.get(url).json()["keys"]
        assert len(keys) == 1 and "d" not in keys[0]  # never the private part
        public = ECAlgorithm.from_jwk(json.dumps(keys[0]))
        assert public.public_numbers() == signing_key.public_key().public_numbers()
    profile = client.get(ISSUER.removeprefix("https://learning.example.org")).json()
    assert profile["id"] == ISSUER and profile["type"] == ["Profile"]


def test_a_development_key_is_made_once_where_allowed(settings, tmp_path):
    settings.BADGE_SIGNING_KEY = ""
    settings.BADGE_DEV_KEY_PATH = tmp_path / "var" / "badge.pem"
    first = badges.badge_jwks()
    assert (tmp_path / "var" / "badge.pem").stat().st_mode & 0o077 == 0
    assert badges.badge_jwks() == first
    settings.BADGE_DEV_KEY_ALLOWED = False
    with pytest.raises(ImproperlyConfigured, match="BADGE_SIGNING_KEY is not set"):
        badges.badge_jwks()


def test_a_key_from_a_file_and_a_wrong_kind_of_key(settings, tmp_path, signing_key):
    path = tmp_path / "key.pem"
    path.write_text(_pem(signing_key))
    settings.BADGE_SIGNING_KEY = str(path)
    assert badges.badge_signing_key().private_numbers() == signing_key.private_numbers()
    settings.BADGE_SIGNING_KEY = _pem(ec.generate_private_key(ec.SECP384R1()))
    with pytest.raises(ImproperlyConfigured, match="P-256"):
        badges.badge_signing_key()
    settings.BADGE_SIGNING_KEY = str(tmp_path / "missing.pem")
    with pytest.raises(ImproperlyConfigured, match="neither PEM"):
        badges.badge_signing_key()


# The pages ----------------------------------------------------------------------------------------


def test_the_holder_downloads_the_badge_and_it_is_audited(certificate, client_for, people):
    client = client_for(people["staff"])
    response = client.get(reverse("certificates:badge_download", args=[certificate.serial]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vc+jwt"
    assert f'filename="badge-{certificate.serial}.jwt"' in response["Content-Disposition"]
    assert badges.badge_verify(token=response.content.decode()).certificate == certificate
    event = AuditEvent.objects.filter(action="certificate.download").latest("pk")
    assert "as an Open Badge" in event.summary and certificate.serial in event.summary


def test_only_the_holder_and_auditors_may_download_a_badge(certificate, client_for, people):
    url = reverse("certificates:badge_download", args=[certificate.serial])
    assert client_for(people["auditor"]).get(url).status_code == 200
    for other in ["manager", "other_staff"]:
        assert client_for(people[other]).get(url).status_code == 404
    assert Client().get(url).status_code == 302  # signed out: to the sign-in page


def test_my_learning_and_the_result_page_link_the_badge_beside_the_pdf(
    certificate, client_for, people
):
    page = client_for(people["staff"]).get("/").content.decode()
    assert reverse("certificates:download", args=[certificate.serial]) in page
    assert reverse("certificates:badge_download", args=[certificate.serial]) in page


def test_the_check_page_verifies_a_pasted_badge(certificate, client):
    token = badges.badge_sign(certificate=certificate)
    assert client.get(reverse("certificates:badge_check")).status_code == 200
    response = client.post(reverse("certificates:badge_check"), {"credential": token})
    assert response.status_code == 200
    page = response.content.decode()
    assert "This badge is genuine and valid" in page and certificate.serial in page


def test_the_check_page_verifies_an_uploaded_badge_and_reports_revocation(
    certificate, client, people
):
    token = badges.badge_sign(certificate=certificate)
    certificate_revoke(
        certificate=certificate, by=people["auditor"].user, reason="Error", category="other"
    )
    upload = SimpleUploadedFile("badge.jwt", token.encode(), content_type="application/vc+jwt")
    response = client.post(reverse("certificates:badge_check"), {"file": upload})
    assert response.status_code == 200
    assert "This badge was revoked" in response.content.decode()


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ({}, "Paste the badge, or upload its file"),
        ({"credential": "not a badge"}, "not a signed Open Badge"),
        ({"file": SimpleUploadedFile("x.jwt", b"\xff\xfe\x00")}, "must be a badge (.jwt)"),
        ({"credential": "x" * 64_001}, "64000 characters or fewer"),
    ],
)
def test_the_check_page_explains_bad_input(client, data, says):
    response = client.post(reverse("certificates:badge_check"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert says in page and "There is a problem" in page


def test_the_check_page_refuses_a_changed_badge_clearly(certificate, client):
    token = badges.badge_sign(certificate=certificate)
    changed = _tampered(token, lambda claims: claims["vc"].update(name="Something else"))
    response = client.post(reverse("certificates:badge_check"), {"credential": changed})
    assert response.status_code == 400
    assert "changed since we issued it" in response.content.decode()
