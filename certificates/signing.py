"""Optional PAdES signature: when a key and certificate are configured, every certificate PDF is
signed before it is stored, so a reader's PDF software can show who issued it and that it is intact."""

import io
from pathlib import Path

from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

SIGNATURE_FIELD = "CertificateIssuerSignature"


def signing_configured():
    return bool(settings.CERTIFICATE_SIGNING_KEY and settings.CERTIFICATE_SIGNING_CERT)


def pdf_sign_if_configured(*, pdf_bytes):
    if not signing_configured():
        return pdf_bytes
    return pdf_sign(pdf_bytes=pdf_bytes, signer=_signer())


def pdf_sign(*, pdf_bytes, signer):
    """Add a PAdES signature as an incremental update (the PDF/A content is left as rendered)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes))
    metadata = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        subfilter=fields.SigSeedSubFilter.PADES,
        reason="Issued certificate",
        location=settings.ORGANISATION_NAME,
    )
    signed = signers.sign_pdf(writer, metadata, signer=signer)
    return signed.getvalue()


def _signer():
    key_bytes = _pem_or_file(settings.CERTIFICATE_SIGNING_KEY, "CERTIFICATE_SIGNING_KEY")
    cert_bytes = _pem_or_file(settings.CERTIFICATE_SIGNING_CERT, "CERTIFICATE_SIGNING_CERT")
    password = settings.CERTIFICATE_SIGNING_KEY_PASSWORD
    try:
        signing_key = load_private_key_from_pemder_data(
            key_bytes, passphrase=password.encode() if password else None
        )
        certificates = list(load_certs_from_pemder_data(cert_bytes))
    except (ValueError, TypeError) as error:
        raise ImproperlyConfigured(
            f"The certificate signing key or certificate cannot be read: {error}"
        ) from error
    if not certificates:
        raise ImproperlyConfigured("CERTIFICATE_SIGNING_CERT holds no certificate.")
    # The first certificate is the signer's; any others are its chain.
    registry = SimpleCertificateStore()
    registry.register_multiple(certificates[1:])
    return signers.SimpleSigner(
        signing_cert=certificates[0], signing_key=signing_key, cert_registry=registry
    )


def _pem_or_file(value, name):
    """The setting holds either PEM text itself or the path of a PEM/DER file."""
    if "-----BEGIN" in value:
        return value.encode()
    path = Path(value)
    if not path.is_file():
        raise ImproperlyConfigured(f"{name} is neither PEM text nor the path of a readable file.")
    return path.read_bytes()
