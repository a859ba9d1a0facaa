"""Delivering the weekly digest: as a multipart e-mail through an SMTP server, and as JSON
posted to a chat webhook (Teams, Slack, Mattermost…)."""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import httpx

from revintel.report._digest import Digest
from revintel.report._digest_render import (
    digest_payload,
    digest_subject,
    render_digest_html,
    render_digest_text,
)

logger = logging.getLogger(__name__)
#: Seconds to wait for the SMTP server or the webhook before giving up.
TIMEOUT_SECONDS = 30.0


class DigestSendError(RuntimeError):
    """The digest could not be delivered; the message names the server and the reason."""


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how e-mail is sent (``REVINTEL_SMTP_HOST``, ``_PORT``, ``_USER``,
    ``_PASSWORD``, ``_FROM``, ``_STARTTLS``)."""

    host: str
    port: int = 25
    user: str | None = None
    password: str | None = None
    sender: str = "revintel@localhost"
    starttls: bool = False

    def __post_init__(self) -> None:
        if not self.host:
            raise ValueError("no SMTP host: set REVINTEL_SMTP_HOST or pass --smtp-host")
        if not 0 < self.port < 65_536:
            raise ValueError(f"SMTP port {self.port} is not between 1 and 65535")
        if self.password and not self.user:
            raise ValueError("an SMTP password needs an SMTP user (REVINTEL_SMTP_USER)")

    @property
    def address(self) -> str:
        """``host:port``, for messages."""
        return f"{self.host}:{self.port}"


def digest_message(digest: Digest, sender: str, recipients: Sequence[str]) -> EmailMessage:
    """The digest as a ``multipart/alternative`` e-mail: plain text first, then HTML."""
    if not recipients:
        raise ValueError(f"no e-mail address for {digest.username!r}")
    message = EmailMessage()
    message["Subject"] = digest_subject(digest)
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message["Content-Language"] = digest.language
    # Quoted-printable passes every relay, with or without 8BITMIME.
    message.set_content(render_digest_text(digest), cte="quoted-printable")
    message.add_alternative(render_digest_html(digest), subtype="html", cte="quoted-printable")
    return message


def check_smtp(settings: SmtpSettings) -> None:
    """Connect to the SMTP server and sign in, then leave: a digest fails in a second when the
    server is wrong, not after its figures were computed.

    Raises
    ------
    DigestSendError
        The server cannot be reached or refuses the login.
    """
    send_mail(settings, [])


def send_mail(settings: SmtpSettings, messages: Sequence[EmailMessage]) -> None:
    """Send ``messages`` over one connection to the SMTP server.

    Raises
    ------
    DigestSendError
        The server cannot be reached, refuses the login or a recipient.
    """
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT_SECONDS) as smtp:
            smtp.ehlo()
            if settings.starttls:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if settings.user:
                smtp.login(settings.user, settings.password or "")
            for message in messages:
                smtp.send_message(message)
                logger.info("digest mailed to %s", message["To"])
    except smtplib.SMTPException as exc:
        raise DigestSendError(f"SMTP server {settings.address}: {_smtp_reason(exc)}") from exc
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise DigestSendError(f"SMTP server {settings.address} unreachable: {reason}") from exc


def _smtp_reason(exc: smtplib.SMTPException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "recipient refused: " + ", ".join(sorted(exc.recipients))
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else ""
        return f"{exc.smtp_code} {text}".strip()
    return str(exc) or type(exc).__name__


def post_webhook(url: str, digest: Digest, client: httpx.Client | None = None) -> None:
    """POST the digest's JSON (:func:`digest_payload`) to the webhook at ``url``.

    Raises
    ------
    DigestSendError
        The webhook cannot be reached or answers with an error status.
    """
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"webhook URL {url!r} must start with http:// or https://")
    payload = digest_payload(digest)
    try:
        if client is None:
            with httpx.Client(timeout=TIMEOUT_SECONDS) as own:
                response = own.post(url, json=payload)
        else:
            response = client.post(url, json=payload)
    except httpx.HTTPError as exc:
        raise DigestSendError(f"webhook {_host(url)} unreachable: {exc}") from exc
    if response.is_error:
        raise DigestSendError(
            f"webhook {_host(url)} answered {response.status_code} {response.reason_phrase}"
        )
    logger.info("digest of %s posted to %s", digest.username, _host(url))


def _host(url: str) -> str:
    """The webhook's scheme and host only: its path often carries a secret."""
    parsed = httpx.URL(url)
    return f"{parsed.scheme}://{parsed.host}" + (f":{parsed.port}" if parsed.port else "")
