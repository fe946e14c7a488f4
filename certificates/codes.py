"""Verification codes: what anyone holding a certificate types (or its QR code carries) to check it.

New codes are 160 random bits written in Crockford's base 32: 32 characters from digits and
capital letters without I, L, O and U, so a code read off paper cannot be mistaken for another.
Typing is forgiving: small letters, spaces and hyphens, and I or L for 1 and O for 0, are all
read as the code they stand for. Certificates issued before kept their 27-character URL-safe
base 64 codes; those are matched exactly, as they always were (their case matters)."""

import base64
import re
import secrets

CODE_BYTES = 20  # 160 bits, as many as the URL-safe codes had: 32 characters, no padding
CODE_LENGTH = 32
GROUP_SIZE = 4
CROCKFORD_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_FROM_RFC4648 = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", CROCKFORD_ALPHABET)
_LOOK_ALIKES = str.maketrans({"I": "1", "L": "1", "O": "0"})
_SEPARATORS = re.compile(
    r"[\s\-\u2010-\u2015]+"
)  # spaces and hyphens (and dashes a word processor puts in)
CODE_PATTERN = re.compile(f"[{re.escape(CROCKFORD_ALPHABET)}]{{{CODE_LENGTH}}}")
LEGACY_CODE_PATTERN = re.compile(r"[A-Za-z0-9_-]{27}")


def code_new():
    """A fresh code in its canonical form (as stored and put in the link)."""
    return (
        base64.b32encode(secrets.token_bytes(CODE_BYTES)).decode("ascii").translate(_FROM_RFC4648)
    )


def code_canonical(typed):
    """The new-style code ``typed`` stands for, or None if it cannot be one."""
    candidate = _SEPARATORS.sub("", typed).upper().translate(_LOOK_ALIKES)
    return candidate if CODE_PATTERN.fullmatch(candidate) else None


def code_is_legacy(typed):
    return LEGACY_CODE_PATTERN.fullmatch(typed) is not None


def code_is_well_formed(typed):
    return code_canonical(typed) is not None or code_is_legacy(typed)


def code_grouped(code):
    """A new-style code in groups of four, for reading aloud and typing; an old one as it is,
    since its hyphens and case are part of it."""
    if not CODE_PATTERN.fullmatch(code):
        return code
    return " ".join(code[start : start + GROUP_SIZE] for start in range(0, len(code), GROUP_SIZE))
