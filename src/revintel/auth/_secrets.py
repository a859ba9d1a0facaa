"""How guessable a server's secret key is: an estimate of its entropy in bits.

A key of 32 × ``a`` or ``password`` four times over passes any length rule; an estimate from the
characters actually used does not let them through.
"""

from __future__ import annotations

import math
import string
from collections import Counter

#: Estimated entropy a secret key needs.
MIN_SECRET_BITS = 128
#: A command that prints a key of about 190 estimated bits (256 random ones).
KEY_RECIPE = 'python -c "import secrets; print(secrets.token_urlsafe(32))"'
#: Words that add nothing an attacker would have to guess.
_COMMON_WORDS = (
    "password",
    "passwort",
    "secret",
    "geheim",
    "changeme",
    "revintel",
    "admin",
    "qwerty",
    "letmein",
    "welcome",
    "default",
)
#: Characters of each class, for the bound "length × log2(size of the classes used)".
_CLASSES = (string.ascii_lowercase, string.ascii_uppercase, string.digits, string.punctuation + " ")
_OTHER_CLASS_SIZE = 100


def _period(text: str) -> str:
    """The shortest prefix whose repetition makes ``text`` (``abcabca`` → ``abc``)."""
    for size in range(1, len(text)):
        if all(text[i] == text[i - size] for i in range(size, len(text))):
            return text[:size]
    return text


def secret_entropy_bits(key: str) -> float:
    """Estimated entropy of ``key`` in bits.

    Common words (``password``, ``secret``…) are taken out and a repeated pattern counts once;
    what is left counts its Shannon entropy per character (from the characters' frequencies)
    times its length, at most its length times log2 of the size of the character classes used
    (lower case, upper case, digits, punctuation, others).

    Examples
    --------
    >>> secret_entropy_bits("a" * 32)
    0.0
    >>> secret_entropy_bits("password" * 4) < 128
    True
    >>> import secrets
    >>> secret_entropy_bits(secrets.token_urlsafe(32)) > 128
    True
    """
    rest = key
    for word in _COMMON_WORDS:
        lowered = rest.lower()
        while (found := lowered.find(word)) >= 0:
            rest = rest[:found] + rest[found + len(word) :]
            lowered = rest.lower()
    rest = _period(rest)
    if not rest:
        return 0.0
    counts = Counter(rest)
    per_char = -sum(n / len(rest) * math.log2(n / len(rest)) for n in counts.values())
    pool = sum(len(chars) for chars in _CLASSES if any(c in chars for c in rest))
    if any(not any(c in chars for chars in _CLASSES) for c in rest):
        pool += _OTHER_CLASS_SIZE
    return max(0.0, min(per_char, math.log2(pool)) * len(rest))


def secret_key_problem(key: str | None, *, name: str = "REVINTEL_SECRET_KEY") -> str | None:
    """Why ``key`` may not protect a server (a message saying how to make one), or ``None``."""
    if not key:
        return f"{name} must be set to a random key outside demo mode: make one with {KEY_RECIPE}"
    bits = secret_entropy_bits(key)
    if bits < MIN_SECRET_BITS:
        return (
            f"{name} must be a random key of at least {MIN_SECRET_BITS} bits of entropy, this "
            f"one has about {bits:.0f} (repeated or common characters count little): make one "
            f"with {KEY_RECIPE}"
        )
    return None
