"""Signed session cookies and the CSRF token that each session carries."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer

SESSION_COOKIE = "revintel_session"


@dataclass(frozen=True)
class Session:
    """What the browser's session cookie holds: the user (once signed in) and a CSRF token."""

    csrf_token: str
    username: str | None = None

    @classmethod
    def anonymous(cls) -> Session:
        """A fresh session with a new CSRF token and nobody signed in."""
        return cls(csrf_token=secrets.token_urlsafe(32))

    def signed_in(self, username: str) -> Session:
        """The session after ``username`` signed in; the CSRF token is rotated."""
        return Session(csrf_token=secrets.token_urlsafe(32), username=username)

    def csrf_matches(self, submitted: str | None) -> bool:
        """Whether a form's or header's CSRF token equals the session's (constant time)."""
        return bool(submitted) and hmac.compare_digest(self.csrf_token, str(submitted))


class SessionCodec:
    """Signs sessions into cookie values and reads them back.

    Parameters
    ----------
    secret_key
        Server secret; a cookie signed with another key is rejected.
    max_age_seconds
        Cookies older than this are rejected.
    """

    def __init__(self, secret_key: str, max_age_seconds: int) -> None:
        self._serializer = URLSafeTimedSerializer(secret_key, salt="revintel.session")
        self.max_age_seconds = max_age_seconds

    def dumps(self, session: Session) -> str:
        """The signed cookie value for ``session``."""
        return self._serializer.dumps({"c": session.csrf_token, "u": session.username})

    def loads(self, value: str | None) -> Session | None:
        """The session in a cookie value, or ``None`` if missing, forged or expired."""
        if not value:
            return None
        try:
            data = self._serializer.loads(value, max_age=self.max_age_seconds)
        except BadSignature:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("c"), str):
            return None
        user = data.get("u")
        return Session(csrf_token=data["c"], username=user if isinstance(user, str) else None)
