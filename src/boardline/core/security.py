"""Password hashing (argon2 through pwdlib) and API token secrets.

Tokens are long random strings, so a fast SHA-256 is enough to store them safely and keeps
every API request cheap; passwords are short and human, so they get argon2.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from pwdlib import PasswordHash

_hasher = PasswordHash.recommended()
# Verified against when the username is unknown, so that answer takes as long as a
# wrong password for a real user and does not reveal which usernames exist.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))

TOKEN_PREFIX = "bl"  # noqa: S105 (a format marker, not a secret)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, stored_hash: str | None) -> tuple[bool, str | None]:
    """Check ``password``; returns (ok, new hash when the stored one should be upgraded)."""
    if stored_hash is None:
        _hasher.verify(password, _DUMMY_HASH)
        return False, None
    return _hasher.verify_and_update(password, stored_hash)


def new_token() -> tuple[str, str, str]:
    """A fresh API token: (the full token shown once, its lookup prefix, its stored hash)."""
    prefix = secrets.token_hex(6)
    token = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    return token, prefix, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def split_token(token: str) -> str | None:
    """The lookup prefix of a well-formed token, else None."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or len(parts[1]) != 12:
        return None
    return parts[1]


def same_secret(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
