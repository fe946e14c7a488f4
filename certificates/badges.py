"""Open Badges 3.0: every certificate also as a W3C Verifiable Credential that a learner can carry
to another employer, and that anyone can check without an account.

The credential (an ``OpenBadgeCredential``) names the issuer (the organisation), the achievement
with its criteria (the policy documents, versions and clauses the pass rested on, and the pass
mark), the holder's score, and when it is valid (``validFrom``/``validUntil``). It is signed as a
VC-JWT (JOSE, ES256) with the organisation's key, with PyJWT on top of cryptography: both are
maintained, already installed, and do the JOSE work (headers, base64url, ECDSA signature format)
that is easy to get subtly wrong by hand. Its current status is published through two Bitstring
Status Lists (W3C): one for revocation (set for a revoked or superseded certificate: neither is
vouched for any more) and one of two-bit messages saying which (valid, revoked, superseded,
recertification due). Expiry needs no list: ``validUntil`` says it.

Nothing here names a question, an answer or a key: only what the PDF already states."""

import base64
import datetime
import gzip
import hashlib
import json
import uuid
from dataclasses import dataclass
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import timezone

from .models import Certificate
from .selectors import certificate_by_code

ALGORITHM = "ES256"
VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
# The spec's minimum list length (16 KB): a list this long hides which entry a verifier asks about.
STATUS_LIST_MIN_BITS = 131_072
REVOCATION = "revocation"
MESSAGE = "message"
STATUS_PURPOSES = (REVOCATION, MESSAGE)
MESSAGE_BITS = 2
STATUS_MESSAGES = {
    Certificate.Status.VALID: 0,
    Certificate.Status.REVOKED: 1,
    Certificate.Status.SUPERSEDED: 2,
    Certificate.Status.RECERTIFICATION_DUE: 3,
}
NO_LONGER_VOUCHED_FOR = {Certificate.Status.REVOKED, Certificate.Status.SUPERSEDED}


# The key ------------------------------------------------------------------------------------------


def badge_signing_key():
    """The organisation's P-256 private key: ``BADGE_SIGNING_KEY`` (PEM text or a PEM file's
    path). Without one, a development key is made once in ``var/`` where that is allowed (the
    demo, the tests); production refuses to start signing with a key nobody chose."""
    value = settings.BADGE_SIGNING_KEY
    if value:
        pem = value.encode() if "-----BEGIN" in value else _read_key_file(Path(value))
    elif settings.BADGE_DEV_KEY_ALLOWED:
        pem = _dev_key_pem(Path(settings.BADGE_DEV_KEY_PATH))
    else:
        raise ImproperlyConfigured(
            "BADGE_SIGNING_KEY is not set: give the PEM of an EC P-256 private key, or its path."
        )
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as error:
        raise ImproperlyConfigured(f"BADGE_SIGNING_KEY cannot be read: {error}") from error
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise ImproperlyConfigured("BADGE_SIGNING_KEY must be an EC P-256 key (for ES256).")
    return key


def _read_key_file(path):
    if not path.is_file():
        raise ImproperlyConfigured("BADGE_SIGNING_KEY is neither PEM text nor a readable file.")
    return path.read_bytes()


def _dev_key_pem(path):
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = ec.generate_private_key(ec.SECP256R1())
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        path.touch(mode=0o600)
        path.write_bytes(pem)
    return path.read_bytes()


def _public_jwk(public_key):
    jwk = json.loads(ECAlgorithm.to_jwk(public_key))
    # RFC 7638 thumbprint as the key id: it changes exactly when the key does.
    members = json.dumps(
        {name: jwk[name] for name in ("crv", "kty", "x", "y")}, separators=(",", ":")
    )
    jwk["kid"] = _b64url(hashlib.sha256(members.encode()).digest())
    jwk.update({"use": "sig", "alg": ALGORITHM})
    return jwk


def badge_jwks():
    """The public key set verifiers fetch (published at a stable URL)."""
    return {"keys": [_public_jwk(badge_signing_key().public_key())]}


# The issuer and the credential ---------------------------------------------------------------------


def _absolute(path):
    return f"{settings.SITE_URL}{path}"


def badge_issuer_id():
    return _absolute(reverse("certificates:badge_issuer"))


def badge_issuer_profile():
    """The issuer's Open Badges profile (published at its own id)."""
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": badge_issuer_id(),
        "type": ["Profile"],
        "name": settings.ORGANISATION_NAME,
        "url": settings.SITE_URL,
    }


def _issuer():
    return {
        "id": badge_issuer_id(),
        "type": ["Profile"],
        "name": settings.ORGANISATION_NAME,
        "url": settings.SITE_URL,
    }


def badge_credential_id(*, certificate):
    """The public verify page of the certificate: a URL that resolves, and the credential's id."""
    return _absolute(reverse("certificates:verify", args=[certificate.code]))


def _achievement_id(certificate):
    what = (
        "base-competence" if certificate.is_base_competence else f"module-{certificate.module_id}"
    )
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{settings.SITE_URL}/achievements/{what}')}"


def _clauses(certificate):
    certificates = certificate.based_on.all() if certificate.is_base_competence else [certificate]
    seen, clauses = set(), []
    for each in certificates:
        for clause in each.clauses.select_related("document").order_by(
            "document__title", "reference"
        ):
            if clause.pk not in seen:
                seen.add(clause.pk)
                clauses.append(clause)
    return clauses


def _criteria(certificate, clauses):
    policies = certificate.scope.get("policies", [])
    lines = [
        f"Passed the assessment of “{certificate.title}”"
        + (f" with a pass mark of {certificate.pass_mark} %." if certificate.pass_mark else ".")
    ]
    if certificate.is_base_competence:
        lines.append(
            "Holds a current pass of each base-competence module: "
            + "; ".join(
                f"{module['title']} ({module.get('score', '')} %, pass mark "
                f"{module.get('pass_mark', '')} %)"
                for module in certificate.scope.get("modules", [])
            )
            + "."
        )
    if policies:
        lines.append(
            "Assessed against: "
            + "; ".join(
                f"{policy.get('organisation', '')} {policy.get('title', '')}, version "
                f"{policy.get('version', '')}".strip()
                for policy in policies
            )
            + "."
        )
    if clauses:
        lines.append(
            "Clauses: "
            + "; ".join(
                f"{clause.document.title} {clause.reference} “{clause.heading}” "
                f"(clause version {clause.version})"
                for clause in clauses
            )
            + "."
        )
    return " ".join(lines)


def _valid_until(certificate):
    # A certificate is valid through its expiry date (certificates.expiry): to the end of that day.
    end = datetime.datetime.combine(
        certificate.expires_on + datetime.timedelta(days=1),
        datetime.time.min,
        tzinfo=timezone.get_current_timezone(),
    )
    return end.astimezone(datetime.UTC)


def _iso(moment):
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def badge_credential(*, certificate):
    """The unsigned ``OpenBadgeCredential`` for a certificate."""
    clauses = _clauses(certificate)
    achievement_id = _achievement_id(certificate)
    score_id = f"{achievement_id}#score"
    achievement = {
        "id": achievement_id,
        "type": ["Achievement"],
        "achievementType": "Certificate",
        "name": certificate.title,
        "description": (
            f"Base competence in {settings.ORGANISATION_NAME}'s policies: every base module passed."
            if certificate.is_base_competence
            else f"Passed the {settings.ORGANISATION_NAME} module “{certificate.title}”."
        ),
        "criteria": {"narrative": _criteria(certificate, clauses)},
        "creator": _issuer(),
    }
    subject = {
        "type": ["AchievementSubject"],
        "identifier": [
            {
                "type": "IdentityObject",
                "identityType": "name",
                "hashed": False,
                "identityHash": certificate.holder_name,
            }
        ],
        "achievement": achievement,
    }
    if certificate.pass_mark is not None:
        achievement["resultDescription"] = [
            {
                "id": score_id,
                "type": ["ResultDescription"],
                "name": "Score",
                "resultType": "Percent",
                "requiredValue": str(certificate.pass_mark),
            }
        ]
    if certificate.score is not None:
        subject["result"] = [
            {"type": ["Result"], "resultDescription": score_id, "value": str(certificate.score)}
        ]
    status_index = str(certificate.pk)
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": badge_credential_id(certificate=certificate),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": certificate.title,
        "issuer": _issuer(),
        "validFrom": _iso(certificate.issued_at),
        "validUntil": _iso(_valid_until(certificate)),
        "credentialSubject": subject,
        "credentialStatus": [
            {
                "id": f"{badge_status_list_id(purpose=REVOCATION)}#{status_index}",
                "type": "BitstringStatusListEntry",
                "statusPurpose": REVOCATION,
                "statusListIndex": status_index,
                "statusListCredential": badge_status_list_id(purpose=REVOCATION),
            },
            {
                "id": f"{badge_status_list_id(purpose=MESSAGE)}#{status_index}",
                "type": "BitstringStatusListEntry",
                "statusPurpose": MESSAGE,
                "statusListIndex": status_index,
                "statusSize": MESSAGE_BITS,
                "statusMessage": [
                    {"status": hex(value), "message": str(status.label)}
                    for status, value in STATUS_MESSAGES.items()
                ],
                "statusListCredential": badge_status_list_id(purpose=MESSAGE),
            },
        ],
    }


def _jwt(credential, *, subject=None):
    """VC-JWT as Open Badges 3.0 describes it: the credential in the ``vc`` claim, with the
    registered claims that mirror it."""
    claims = {
        "vc": credential,
        "iss": credential["issuer"]["id"],
        "jti": credential["id"],
        "nbf": int(datetime.datetime.fromisoformat(credential["validFrom"]).timestamp()),
    }
    if "validUntil" in credential:
        claims["exp"] = int(datetime.datetime.fromisoformat(credential["validUntil"]).timestamp())
    if subject:
        claims["sub"] = subject
    key = badge_signing_key()
    return jwt.encode(
        claims,
        key,
        algorithm=ALGORITHM,
        headers={"kid": _public_jwk(key.public_key())["kid"], "typ": "JWT"},
    )


def badge_sign(*, certificate):
    """The certificate's credential, signed: the text of a ``.jwt`` file."""
    credential = badge_credential(certificate=certificate)
    return _jwt(credential, subject=credential["id"])


# Status lists --------------------------------------------------------------------------------------


def badge_status_list_id(*, purpose):
    return _absolute(reverse("certificates:badge_status_list", args=[purpose]))


def _status_bits(purpose):
    size = MESSAGE_BITS if purpose == MESSAGE else 1
    rows = list(Certificate.objects.values_list("pk", "status"))
    entries = max([STATUS_LIST_MIN_BITS, *((pk + 1) for pk, _ in rows)])
    # Whole lists of the minimum length, so the length says nothing about how many were issued.
    entries = -(-entries // STATUS_LIST_MIN_BITS) * STATUS_LIST_MIN_BITS
    bits = bytearray(entries * size // 8)
    for pk, status in rows:
        if purpose == REVOCATION:
            value = 1 if status in NO_LONGER_VOUCHED_FOR else 0
        else:
            value = STATUS_MESSAGES.get(status, 0)
        _bits_set(bits, index=pk, size=size, value=value)
    return bytes(bits)


def _bits_set(bits, *, index, size, value):
    # Index 0 is the left-most (most significant) bit of the first byte, as the spec says.
    for offset in range(size):
        if value >> (size - 1 - offset) & 1:
            position = index * size + offset
            bits[position // 8] |= 0x80 >> (position % 8)


def status_list_value(*, encoded_list, index, size=1):
    """The entry at ``index`` of an ``encodedList`` (multibase base64url of the GZIP'd bits)."""
    if not encoded_list.startswith("u"):
        raise ValueError("The status list is not multibase base64url.")
    bits = gzip.decompress(_b64url_decode(encoded_list[1:]))
    value = 0
    for offset in range(size):
        position = index * size + offset
        if position // 8 >= len(bits):
            raise ValueError("The status list is shorter than the entry's index.")
        value = value << 1 | (bits[position // 8] >> (7 - position % 8) & 1)
    return value


def badge_status_list_credential(*, purpose):
    """The ``BitstringStatusListCredential`` for ``purpose``, as it stands now."""
    list_id = badge_status_list_id(purpose=purpose)
    return {
        "@context": [VC_CONTEXT],
        "id": list_id,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": _issuer(),
        "validFrom": _iso(timezone.now()),
        "credentialSubject": {
            "id": f"{list_id}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": "u" + _b64url(gzip.compress(_status_bits(purpose), mtime=0)),
        },
    }


def badge_status_list_sign(*, purpose):
    return _jwt(badge_status_list_credential(purpose=purpose))


# Verification --------------------------------------------------------------------------------------


class BadgeInvalid(Exception):
    """The credential cannot be trusted at all; the message says why, in plain words."""


@dataclass(frozen=True)
class BadgeCheck:
    certificate: Certificate
    credential: dict
    status: str  # a Certificate.Status, or EXPIRED
    valid_until: datetime.datetime

    @property
    def is_currently_valid(self):
        return self.status == Certificate.Status.VALID


EXPIRED = "expired"


def badge_verify(*, token, now=None):
    """Check a VC-JWT: our signature, our issuer, a certificate we hold, and its status now (read
    back from our status lists, as any verifier would, and from ``validUntil``).

    Raises ``BadgeInvalid`` with the reason when it cannot be trusted."""
    token = "".join((token or "").split())
    if token.count(".") != 2:
        raise BadgeInvalid(
            "This is not a signed Open Badge: paste the whole text of the .jwt file "
            "(three parts separated by dots)."
        )
    try:
        header = jwt.get_unverified_header(token)
    except jwt.DecodeError as error:
        raise BadgeInvalid("This is not a signed Open Badge: it cannot be read.") from error
    key = badge_signing_key()
    our_kid = _public_jwk(key.public_key())["kid"]
    if header.get("alg") != ALGORITHM or header.get("kid") != our_kid:
        raise BadgeInvalid(
            f"This badge was not signed with {settings.ORGANISATION_NAME}'s key, so we cannot "
            "vouch for it."
        )
    try:
        claims = jwt.decode(
            token,
            key.public_key(),
            algorithms=[ALGORITHM],
            # Expiry is a status we report, not a reason to refuse to read the badge.
            options={"verify_exp": False, "verify_nbf": False, "require": ["iss", "vc"]},
        )
    except jwt.InvalidSignatureError as error:
        raise BadgeInvalid(
            "The signature does not match: the badge has been changed since we issued it."
        ) from error
    except jwt.PyJWTError as error:
        raise BadgeInvalid("This is not a signed Open Badge: it cannot be read.") from error
    credential = claims["vc"]
    if not isinstance(credential, dict):
        raise BadgeInvalid("This is not an Open Badge credential.")
    issuer = credential.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if claims["iss"] != badge_issuer_id() or issuer_id != badge_issuer_id():
        raise BadgeInvalid(f"This badge does not name {settings.ORGANISATION_NAME} as its issuer.")
    if "OpenBadgeCredential" not in (credential.get("type") or []):
        raise BadgeInvalid("This is not an Open Badge credential.")
    certificate = _certificate_of(credential)
    if certificate is None:
        raise BadgeInvalid("We have no record of this badge.")
    valid_until = datetime.datetime.fromisoformat(credential["validUntil"])
    return BadgeCheck(
        certificate=certificate,
        credential=credential,
        status=_status_now(credential, valid_until=valid_until, now=now or timezone.now()),
        valid_until=valid_until,
    )


def _certificate_of(credential):
    prefix = _absolute(reverse("certificates:verify", args=["CODE"])).removesuffix("CODE/")
    credential_id = str(credential.get("id", ""))
    if not credential_id.startswith(prefix):
        return None
    return certificate_by_code(code=credential_id.removeprefix(prefix).rstrip("/"))


def _status_now(credential, *, valid_until, now):
    entries = {
        entry.get("statusPurpose"): entry
        for entry in credential.get("credentialStatus") or []
        if isinstance(entry, dict)
    }
    if set(entries) != set(STATUS_PURPOSES):
        raise BadgeInvalid("This badge has no status entries to check.")
    revocation = entries[REVOCATION]
    index = int(revocation["statusListIndex"])
    revoked = _list_entry(revocation, index=index, size=1)
    message = _list_entry(entries[MESSAGE], index=index, size=MESSAGE_BITS)
    if revoked:
        by_value = {value: status for status, value in STATUS_MESSAGES.items()}
        return by_value.get(message, Certificate.Status.REVOKED)
    if now >= valid_until:
        return EXPIRED
    if message == STATUS_MESSAGES[Certificate.Status.RECERTIFICATION_DUE]:
        return Certificate.Status.RECERTIFICATION_DUE
    return Certificate.Status.VALID


def _list_entry(entry, *, index, size):
    purpose = entry["statusPurpose"]
    if entry.get("statusListCredential") != badge_status_list_id(purpose=purpose):
        raise BadgeInvalid("This badge's status list is not ours.")
    # Our own list, built as it is published; a signed copy is what outside verifiers fetch.
    encoded = badge_status_list_credential(purpose=purpose)["credentialSubject"]["encodedList"]
    return status_list_value(encoded_list=encoded, index=index, size=size)


def _b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
