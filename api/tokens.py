"""API tokens: made from the operating system's randomness, kept only as a SHA-256.

A slow password hash is not needed: a token carries 256 random bits, so nothing can be guessed
from its digest, and a fast digest lets every request find its client with one indexed query."""

import hashlib
import secrets

TOKEN_PREFIX = "lms_"  # noqa: S105  (a fixed prefix, not a secret)


def token_new():
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(token):
    return hashlib.sha256(token.encode()).hexdigest()
