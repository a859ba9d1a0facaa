"""Password hashing with Argon2id, the memory-hard KDF recommended by OWASP."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# argon2-cffi's defaults follow RFC 9106's second recommended option (64 MiB, 3 passes).
_HASHER = PasswordHasher()
MIN_PASSWORD_LENGTH = 12


def hash_password(password: str) -> str:
    """The encoded Argon2id hash of ``password`` (salt and parameters included)."""
    return _HASHER.hash(password)


def verify_password(encoded: str, password: str) -> bool:
    """Whether ``password`` matches the ``encoded`` hash."""
    try:
        return _HASHER.verify(encoded, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(encoded: str) -> bool:
    """Whether ``encoded`` was made with weaker parameters than the current ones."""
    return _HASHER.check_needs_rehash(encoded)


@cache
def dummy_hash() -> str:
    """A hash to verify against when a user does not exist, so a login takes as long either way."""
    return hash_password("revintel-no-such-user")
