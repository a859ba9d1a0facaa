"""The ``revintel handover`` commands: the queue of leads waiting for sales and decisions on them.

The command line is the operator's tool: it acts with every right, recording the operating
system user as ``cli:<name>``, unless ``--user`` names a stored user whose rights then apply.
"""

from __future__ import annotations

import getpass
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from revintel.auth import Role, User, get_user
from revintel.cli import app
from revintel.cli._common import (
    DbOption,
    FormatOption,
    LangOption,
    OutputFormat,
    emit,
    resolve_language,
    store_from,
)
from revintel.i18n import Translator
from revintel.store import Store
from revintel.views._handover import (
    HandoverError,
    decide,
    decisions_csv,
    handover_queue,
    lead_decisions,
    rejection_reasons,
)

handover_app = typer.Typer(
    help="Lead handover: MQLs waiting for sales; accept, reject, recycle or reassign them.",
    no_args_is_help=True,
)
app.add_typer(handover_app, name="handover")

UserOption = Annotated[
    str | None,
    typer.Option("--user", help="Act as this stored user, with their rights (default: operator)."),
]
NoteOption = Annotated[str | None, typer.Option("--note", help="Free text kept with the decision.")]
ReasonsOption = Annotated[
    Path | None,
    typer.Option("--reasons", help="YAML file of rejection reasons (default: the built-in list)."),
]
_DONE = {
    "accept": ("Lead {lead} angenommen (SAL)", "Lead {lead} accepted (SAL)"),
    "reject": ("Lead {lead} abgelehnt: {reason}", "Lead {lead} rejected: {reason}"),
    "recycle": ("Lead {lead} zurück ins Nurturing", "Lead {lead} recycled to nurturing"),
    "reassign": ("Lead {lead} an {rep} übergeben", "Lead {lead} reassigned to {rep}"),
}


def _acting_user(store: Store, name: str | None) -> User:
    if name is None:
        operator = f"cli:{getpass.getuser()}"
        return User(operator, operator, Role.admin)
    found = get_user(store, name)
    if found is None:
        raise typer.BadParameter(f"no active user {name!r}", param_hint="--user")
    return found


@handover_app.command("queue")
def queue(
    order: Annotated[str, typer.Option("--order", help="oldest or newest MQL first.")] = "oldest",
    limit: Annotated[int, typer.Option("--limit", min=1, help="Most leads listed.")] = 200,
    fmt: FormatOption = OutputFormat.table,
    user: UserOption = None,
    lang: LangOption = None,
    db: DbOption = None,
) -> None:
    """List the marketing qualified leads waiting for sales, with hours waited, account, rep
    and latest score."""
    title = Translator(resolve_language(lang))("cli.handover.queue_title")
    with store_from(db, read_only=True) as store:
        try:
            frame = handover_queue(store, _acting_user(store, user), order=order, limit=limit)
        except HandoverError as exc:
            raise typer.BadParameter(str(exc), param_hint="--order") from None
    emit(frame, fmt, title)


def _decide(
    db: str | None, user: str | None, lang: str | None, lead: str, action: str, **given: Any
) -> None:
    language = resolve_language(lang)
    with store_from(db) as store:
        # an invalid decision, a foreign or unknown lead: one error line and exit code 1
        row = decide(store, _acting_user(store, user), lead, action, **given)
    text = _DONE[action][0 if language == "de" else 1]
    typer.echo(text.format(lead=lead, reason=row["reason"], rep=row["rep_after"]))


@handover_app.command("accept")
def accept(
    lead: Annotated[str, typer.Argument(help="The lead's id.")],
    note: NoteOption = None,
    user: UserOption = None,
    lang: LangOption = None,
    db: DbOption = None,
) -> None:
    """Accept a waiting lead: it reaches the SAL milestone."""
    _decide(db, user, lang, lead, "accept", note=note)


@handover_app.command("reject")
def reject(
    lead: Annotated[str, typer.Argument(help="The lead's id.")],
    reason: Annotated[str, typer.Option("--reason", help="Reason id (`handover reasons`).")],
    note: NoteOption = None,
    reasons: ReasonsOption = None,
    user: UserOption = None,
    lang: LangOption = None,
    db: DbOption = None,
) -> None:
    """Reject a waiting lead with a reason: it is disqualified with it."""
    file = None if reasons is None else str(reasons)
    _decide(db, user, lang, lead, "reject", reason=reason, note=note, reasons_file=file)


@handover_app.command("recycle")
def recycle(
    lead: Annotated[str, typer.Argument(help="The lead's id.")],
    note: NoteOption = None,
    user: UserOption = None,
    lang: LangOption = None,
    db: DbOption = None,
) -> None:
    """Send a waiting lead back to nurturing until a new MQL."""
    _decide(db, user, lang, lead, "recycle", note=note)


@handover_app.command("reassign")
def reassign(
    lead: Annotated[str, typer.Argument(help="The lead's id.")],
    rep: Annotated[str, typer.Option("--rep", help="The rep to hand the lead to.")],
    note: NoteOption = None,
    user: UserOption = None,
    lang: LangOption = None,
    db: DbOption = None,
) -> None:
    """Hand a lead to another rep."""
    _decide(db, user, lang, lead, "reassign", rep_id=rep, note=note)


@handover_app.command("reasons")
def reasons(reasons: ReasonsOption = None, lang: LangOption = None) -> None:
    """List the rejection reasons with their labels."""
    language = resolve_language(lang)
    found = rejection_reasons(language, None if reasons is None else str(reasons))
    for reason_id, label in found:
        typer.echo(f"{reason_id}\t{label}")


@handover_app.command("decisions")
def decisions(
    since: Annotated[
        datetime | None, typer.Option("--since", formats=["%Y-%m-%d"], help="From this day on.")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", help="Write the CRM CSV (semicolon) to this file.")
    ] = None,
    fmt: FormatOption = OutputFormat.table,
    user: UserOption = None,
    lang: LangOption = None,
    db: DbOption = None,
) -> None:
    """The decisions on leads, newest first; ``--output`` writes them as CSV for the CRM."""
    language = resolve_language(lang)
    day: date | None = None if since is None else since.date()
    with store_from(db, read_only=True) as store:
        frame = lead_decisions(store, _acting_user(store, user), since=day)
        text = decisions_csv(store, frame, language) if output is not None else None
    if output is not None and text is not None:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"{len(frame)} → {output}")
        return
    emit(frame, fmt, Translator(language)("cli.handover.decisions_title"))
