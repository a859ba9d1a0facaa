"""The ``revintel targets`` commands beside ``import``: list targets with their attainment, set
and remove one target, and show the audit trail; registered on the ``targets`` group of
:mod:`revintel.cli._metrics`, which imports this module.

The command line acts with every right as the operator (recorded as ``cli:<name>``) unless
``--as`` names a stored user, whose rights then apply.
"""

from __future__ import annotations

import getpass
from datetime import date
from typing import Annotated

import typer

from revintel.auth import Role, User, get_user
from revintel.cli import app
from revintel.cli._common import (
    DbOption,
    FormatOption,
    LangOption,
    OutputFormat,
    emit,
    store_from,
    translator,
)
from revintel.metrics import ORDER_INTAKE, TargetsError, target_period
from revintel.store import Store
from revintel.views._targets import (
    edit_target,
    remove_target,
    target_history,
    targets_with_actuals,
)


def _group(name: str) -> typer.Typer:
    # the group ``revintel.cli._metrics`` registers (and imports this module after); found on
    # the app rather than imported, so that the two modules do not import each other
    for group in app.registered_groups:
        if group.name == name and group.typer_instance is not None:
            return group.typer_instance
    raise LookupError(f"no command group {name!r}")


targets_app = _group("targets")
AsOption = Annotated[
    str | None,
    typer.Option("--as", help="Act as this stored user, with their rights (default: operator)."),
]
NoteOption = Annotated[str | None, typer.Option("--note", help="Why; kept in the audit trail.")]
PeriodOption = Annotated[
    str | None, typer.Option("--period", help="2027-Q1, 2027-03 or 2027 (default: every target).")
]


def _acting_user(store: Store, name: str | None) -> User:
    if name is None:
        operator = f"cli:{getpass.getuser()}"
        return User(operator, operator, Role.admin)
    found = get_user(store, name)
    if found is None:
        raise typer.BadParameter(f"no active user {name!r}", param_hint="--as")
    return found


def _period(text: str) -> tuple[date, date]:
    try:
        return target_period(text)
    except TargetsError as exc:
        raise typer.BadParameter(str(exc), param_hint="--period") from None


@targets_app.command("list")
def targets_list(
    period: PeriodOption = None,
    measure: Annotated[str | None, typer.Option("--measure", help="Only this measure.")] = None,
    team: Annotated[str | None, typer.Option("--team", help="Only this team.")] = None,
    fmt: FormatOption = OutputFormat.table,
    lang: LangOption = None,
    as_user: AsOption = None,
    db: DbOption = None,
) -> None:
    """List targets with the actual reached in their period and the attainment."""
    start, end = _period(period) if period is not None else (None, None)
    with store_from(db, read_only=True) as store:
        user = _acting_user(store, as_user)
        frame = targets_with_actuals(store, user, start, end, measure, team)
    shown = ["target_id", "measure", "team", "rep_id", "period_start", "target", "actual"]
    table = frame[[*shown, "attainment"]]
    title = translator()("cli.targets.title")
    emit(frame, fmt, title, table=table, percent=("attainment",))


@targets_app.command("set")
def targets_set(
    period: Annotated[str, typer.Option("--period", help="2027-Q1, 2027-03 or 2027.")],
    amount: Annotated[float, typer.Option("--amount", help="Money, or a count for counts.")],
    measure: Annotated[
        str, typer.Option("--measure", help="order_intake, mqls, sals, sqls or opportunities.")
    ] = ORDER_INTAKE,
    team: Annotated[str | None, typer.Option("--team", help="The team's target.")] = None,
    rep: Annotated[str | None, typer.Option("--rep", help="The rep's target (rep id).")] = None,
    segment: Annotated[str | None, typer.Option("--segment", help="The segment's.")] = None,
    currency: Annotated[
        str | None, typer.Option("--currency", help="Of order intake (default: store currency).")
    ] = None,
    target_id: Annotated[
        str | None, typer.Option("--id", help="Target id (default: derived from the keys).")
    ] = None,
    note: NoteOption = None,
    as_user: AsOption = None,
    db: DbOption = None,
) -> None:
    """Create or change one target; the change is kept in the audit trail."""
    start, end = _period(period)
    with store_from(db) as store:
        change = edit_target(
            store,
            _acting_user(store, as_user),
            period_start=start,
            period_end=end,
            amount=amount,
            measure=measure,
            team=team,
            rep_id=rep,
            segment=segment,
            currency=currency,
            target_id=target_id,
            note=note,
        )
    typer.echo(f"{change.action}d target {change.target_id} ({change.change_id})")


@targets_app.command("delete")
def targets_delete(
    target_id: Annotated[str, typer.Argument(help="The target's id (`targets list`).")],
    note: NoteOption = None,
    as_user: AsOption = None,
    db: DbOption = None,
) -> None:
    """Remove one target; the audit trail keeps it as it was."""
    with store_from(db) as store:
        change = remove_target(store, _acting_user(store, as_user), target_id, note)
    typer.echo(f"deleted target {change.target_id} ({change.change_id})")


@targets_app.command("history")
def targets_history(
    target_id: Annotated[
        str | None, typer.Option("--id", help="Only the changes of this target.")
    ] = None,
    fmt: FormatOption = OutputFormat.table,
    lang: LangOption = None,
    as_user: AsOption = None,
    db: DbOption = None,
) -> None:
    """The audit trail of targets, newest first: who changed which target when, before → after."""
    with store_from(db, read_only=True) as store:
        frame = target_history(store, _acting_user(store, as_user), target_id)
    emit(frame, fmt, translator()("cli.targets.history_title"))
