"""``revintel digest``: the weekly overview by e-mail and/or to a chat webhook, per recipient
with their rights; made for cron (one summary line, exit code 2 with one line on failure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from revintel.auth import User, get_user
from revintel.cli import app
from revintel.cli._common import DbOption, console, err_console
from revintel.cli._locale import default_language
from revintel.cli._serve import AppDbOption, accounts_from
from revintel.i18n import Language
from revintel.report._digest import COMPANY_USER, DEFAULT_MAX_DEALS, Digest, compose_digest
from revintel.report._digest_render import render_digest_html
from revintel.report._digest_send import (
    DigestSendError,
    SmtpSettings,
    check_smtp,
    digest_message,
    post_webhook,
    send_mail,
)
from revintel.store import Store

#: Exit code of a digest that could not be made or delivered.
EXIT_FAILED = 2


class DigestConfigError(ValueError):
    """The digest's configuration is incomplete or names something that does not exist."""


@dataclass(frozen=True)
class Recipient:
    """Whose rights a digest is made with, and the addresses it is mailed to."""

    user: User
    addresses: tuple[str, ...]


def _rep_email(store: Store, user: User) -> str | None:
    """The e-mail address of the rep a user stands for (``reps.email``), if any."""
    if user.rep_id is None:
        return None
    reps = store.table("reps")
    found = reps.filter(reps.rep_id == user.rep_id).select("email").to_pyarrow()
    emails = [e for e in found["email"].to_pylist() if e]
    return str(emails[0]) if emails else None


def _recipients(store: Store, names: list[str], to: list[str]) -> list[Recipient]:
    for address in to:
        if "@" not in address.strip("@"):
            raise DigestConfigError(f"--to {address!r} is not an e-mail address")
    if not names:
        return [Recipient(COMPANY_USER, tuple(to))]
    found = []
    for name in names:
        user = get_user(store, name)
        if user is None:
            raise DigestConfigError(f"--to-user: no active user {name!r} (see revintel users list)")
        own = _rep_email(store, user)
        found.append(Recipient(user, (own,) if own else tuple(to)))
    return found


def _smtp_settings(
    host: str | None,
    port: int | None,
    user: str | None,
    password: str | None,
    sender: str | None,
    starttls: bool,
) -> SmtpSettings | None:
    if not host:
        return None
    try:
        return SmtpSettings(
            host=host,
            port=port or (587 if starttls else 25),
            user=user or None,
            password=password or None,
            sender=sender or (user if user and "@" in user else "revintel@localhost"),
            starttls=starttls,
        )
    except ValueError as exc:
        raise DigestConfigError(str(exc)) from exc


def _check_transport(
    smtp: SmtpSettings | None, webhook: str | None, base_url: str, dry_run: bool
) -> None:
    """Refuse a run that could send nothing or would link nowhere; reach the SMTP server."""
    for option, url in (("--webhook", webhook), ("--base-url", base_url)):
        if url and not url.startswith(("http://", "https://")):
            raise DigestConfigError(f"{option} {url!r}: must start with http:// or https://")
    if dry_run:
        return
    if smtp is None and not webhook:
        raise DigestConfigError(
            "nothing to send to: set REVINTEL_SMTP_HOST (--smtp-host) or "
            "REVINTEL_DIGEST_WEBHOOK (--webhook), or use --dry-run"
        )
    if smtp is not None:
        check_smtp(smtp)


def _check_addresses(recipients: list[Recipient]) -> None:
    for r in recipients:
        if not r.addresses:
            raise DigestConfigError(f"no e-mail address for {r.user.username!r}: pass --to ADDRESS")


def _check_language(lang: str) -> Language:
    if lang not in ("de", "en"):
        raise DigestConfigError(f"--lang {lang!r}: use de or en")
    return "de" if lang == "de" else "en"


def _write_dry_run(digests: list[Digest], output: Path | None) -> str:
    """Write each digest's HTML to ``output`` (one file per user when several) or stdout."""
    if output is None:
        for digest in digests:
            typer.echo(render_digest_html(digest))
        return "stdout"
    written = []
    for digest in digests:
        target = output
        if len(digests) > 1:
            target = output.with_name(f"{output.stem}-{digest.username}{output.suffix}")
        try:
            target.write_text(render_digest_html(digest), encoding="utf-8")
        except OSError as exc:
            raise DigestConfigError(f"--output {target}: {exc.strerror or exc}") from exc
        written.append(str(target))
    return ", ".join(written)


def _deliver(
    digests: list[Digest],
    recipients: list[Recipient],
    smtp: SmtpSettings | None,
    webhook: str | None,
) -> list[str]:
    """Mail and post every digest; what was done, as phrases for the summary line."""
    done = []
    if smtp is not None:
        messages = [
            digest_message(d, smtp.sender, r.addresses)
            for d, r in zip(digests, recipients, strict=True)
        ]
        send_mail(smtp, messages)
        done.append(f"{len(messages)} e-mail(s) via {smtp.address}")
    if webhook:
        for digest in digests:
            post_webhook(webhook, digest)
        done.append(f"{len(digests)} webhook post(s)")
    return done


def _describe(digest: Digest, recipient: Recipient) -> str:
    to = ", ".join(recipient.addresses) or "-"
    return (
        f"{digest.username} ({digest.scope}) → {to}: {len(digest.kpis)} KPIs, "
        f"{len(digest.alerts)} new alerts, {len(digest.deals)} of {digest.open_deals} open deals"
    )


@app.command()
def digest(
    to_user: Annotated[
        list[str] | None,
        typer.Option(
            "--to-user",
            help="Make a digest with this user's rights (repeatable): a sales rep gets their "
            "own figures and open deals, a manager or admin the company's. Mailed to the rep's "
            "e-mail address, else to --to.",
        ),
    ] = None,
    to: Annotated[
        list[str] | None,
        typer.Option("--to", help="E-mail address for digests without one (repeatable)."),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            help="Language: de or en (default: $REVINTEL_LANG, else the locale's language, "
            "else en).",
            show_default=False,
        ),
    ] = None,
    since: Annotated[
        datetime | None,
        typer.Option(
            "--since",
            formats=["%Y-%m-%d"],
            help="Alerts of periods completed on or after this day are new (default: a week "
            "before the data's last event).",
        ),
    ] = None,
    base_url: Annotated[
        str,
        typer.Option("--base-url", envvar="REVINTEL_BASE_URL", help="The cockpit's address."),
    ] = "http://localhost:8000",
    webhook: Annotated[
        str | None,
        typer.Option(
            "--webhook", envvar="REVINTEL_DIGEST_WEBHOOK", help="Also POST the digest as JSON here."
        ),
    ] = None,
    smtp_host: Annotated[
        str | None, typer.Option("--smtp-host", envvar="REVINTEL_SMTP_HOST", help="SMTP server.")
    ] = None,
    smtp_port: Annotated[
        int | None,
        typer.Option(
            "--smtp-port", envvar="REVINTEL_SMTP_PORT", help="SMTP port (25, 587 with STARTTLS)."
        ),
    ] = None,
    smtp_user: Annotated[
        str | None, typer.Option("--smtp-user", envvar="REVINTEL_SMTP_USER", help="SMTP login.")
    ] = None,
    smtp_password: Annotated[
        str | None,
        typer.Option(
            "--smtp-password", envvar="REVINTEL_SMTP_PASSWORD", help="SMTP password (prefer env)."
        ),
    ] = None,
    smtp_from: Annotated[
        str | None, typer.Option("--smtp-from", envvar="REVINTEL_SMTP_FROM", help="Sender.")
    ] = None,
    starttls: Annotated[
        bool,
        typer.Option(
            "--starttls/--no-starttls", envvar="REVINTEL_SMTP_STARTTLS", help="Use STARTTLS."
        ),
    ] = False,
    max_deals: Annotated[
        int, typer.Option("--max-deals", min=0, help="Open deals listed at most.")
    ] = DEFAULT_MAX_DEALS,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Write the HTML instead of sending anything.")
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="With --dry-run: HTML file (default: stdout)."),
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", help="One line per digest besides the summary.")
    ] = False,
    db: DbOption = None,
    app_db: AppDbOption = None,
) -> None:
    """Send the weekly digest by e-mail and/or to a chat webhook.

    Per recipient and with their rights: the overview's figures with their change, the
    quarter's target attainment, new alerts with links into the cockpit and open deals. Prints
    one summary line; on failure one line and exit code 2 (see docs/digest.md).
    """
    try:
        language = default_language() if lang is None else _check_language(lang)
        smtp = _smtp_settings(smtp_host, smtp_port, smtp_user, smtp_password, smtp_from, starttls)
        _check_transport(smtp, webhook, base_url, dry_run)
        with accounts_from(db, app_db, data=True) as store:
            recipients = _recipients(store, to_user or [], to or [])
            if smtp is not None and not dry_run:
                _check_addresses(recipients)
            day = since.date() if since else None
            digests = [
                compose_digest(
                    store, r.user, language=language, base_url=base_url, since=day,
                    max_deals=max_deals,
                )
                for r in recipients
            ]  # fmt: skip
        if dry_run:
            where = _write_dry_run(digests, output)
            out = err_console if output is None else console
            out.print(
                f"digest: {len(digests)} digest(s) written to {where}", markup=False, soft_wrap=True
            )
            return
        done = _deliver(digests, recipients, smtp, webhook)
    except (DigestConfigError, DigestSendError) as exc:
        err_console.print(f"error: {exc}", highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(EXIT_FAILED) from None
    if verbose:
        for d, r in zip(digests, recipients, strict=True):
            console.print(_describe(d, r), highlight=False, markup=False, soft_wrap=True)
    names = ", ".join(d.username for d in digests)
    console.print(
        f"digest sent for {names}: {' and '.join(done)}",
        highlight=False,
        markup=False,
        soft_wrap=True,
    )
