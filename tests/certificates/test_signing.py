"""Optional PAdES signing with a key and self-signed certificate the test generates."""

import datetime
import hashlib
import io

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from pyhanko.keys import load_certs_from_pemder_data
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader

from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from certificates import signing
from tests.factories import module_certificate_for


@pytest.fixture(scope="module")
def signing_material():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, "Northmoor certificate issuer (test)")]
    )
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_cert_sign=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return key_pem, certificate.public_bytes(serialization.Encoding.PEM).decode()


def _stored_bytes(certificate):
    with certificate.pdf.open("rb") as stored:
        return stored.read()


@pytest.mark.django_db
def test_without_configuration_certificates_are_not_signed(people, quiz):
    certificate = module_certificate_for(person=people["staff"], quiz=quiz)
    assert not PdfFileReader(io.BytesIO(_stored_bytes(certificate))).embedded_signatures


@pytest.mark.django_db
def test_a_configured_key_signs_every_certificate_and_the_hash_is_of_the_signed_bytes(
    people, quiz, signing_material
):
    key_pem, cert_pem = signing_material
    with override_settings(CERTIFICATE_SIGNING_KEY=key_pem, CERTIFICATE_SIGNING_CERT=cert_pem):
        certificate = module_certificate_for(person=people["staff"], quiz=quiz)

    data = _stored_bytes(certificate)
    assert hashlib.sha256(data).hexdigest() == certificate.sha256
    signatures = PdfFileReader(io.BytesIO(data)).embedded_signatures
    assert [signature.field_name for signature in signatures] == [signing.SIGNATURE_FIELD]
    trust_root = next(iter(load_certs_from_pemder_data(cert_pem.encode())))
    status = validate_pdf_signature(signatures[0], ValidationContext(trust_roots=[trust_root]))
    assert status.intact and status.valid and status.trusted
    assert status.coverage.name == "ENTIRE_FILE"
    assert "ETSI.CAdES.detached" in str(signatures[0].sig_object["/SubFilter"])
    # The signature is an incremental update: the PDF/A identification and tags are still there.
    catalog = PdfReader(io.BytesIO(data)).trailer["/Root"]
    assert (
        "/StructTreeRoot" in catalog
        and 'pdfaid:part="3"' in PdfReader(io.BytesIO(data)).xmp_metadata.rdf_root.toxml()
    )


@pytest.mark.django_db
def test_the_key_and_certificate_may_be_file_paths(people, quiz, signing_material, tmp_path):
    key_pem, cert_pem = signing_material
    (tmp_path / "key.pem").write_text(key_pem)
    (tmp_path / "cert.pem").write_text(cert_pem)
    with override_settings(
        CERTIFICATE_SIGNING_KEY=str(tmp_path / "key.pem"),
        CERTIFICATE_SIGNING_CERT=str(tmp_path / "cert.pem"),
    ):
        certificate = module_certificate_for(person=people["staff"], quiz=quiz)
    assert PdfFileReader(io.BytesIO(_stored_bytes(certificate))).embedded_signatures


@pytest.mark.django_db
def test_unreadable_signing_configuration_fails_loudly_and_issues_nothing(
    people, quiz, signing_material
):
    from certificates.models import Certificate

    _, cert_pem = signing_material
    with (
        override_settings(
            CERTIFICATE_SIGNING_KEY="/no/such/key.pem", CERTIFICATE_SIGNING_CERT=cert_pem
        ),
        pytest.raises(ImproperlyConfigured, match="CERTIFICATE_SIGNING_KEY"),
    ):
        module_certificate_for(person=people["staff"], quiz=quiz)
    bad_key = "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n"
    with (
        override_settings(CERTIFICATE_SIGNING_KEY=bad_key, CERTIFICATE_SIGNING_CERT=cert_pem),
        pytest.raises(ImproperlyConfigured, match="cannot be read"),
    ):
        module_certificate_for(person=people["other_staff"], quiz=quiz)
    assert not Certificate.objects.exists()
