"""Row-level access: which leads, opportunities and accounts a user may see.

Every surface reads these tables through :func:`visible`, so the API and the dashboard cannot
show a sales rep different rows.
"""

from __future__ import annotations

import ibis

from revintel.auth._roles import Permission, Role
from revintel.auth._users import User
from revintel.model import TABLES
from revintel.store import Store

#: Table → column naming the rep who owns the row.
OWNER_COLUMNS: dict[str, str] = {
    "leads": "rep_id",
    "opportunities": "rep_id",
    "accounts": "owner_rep_id",
    # A rep is measured against their own target only, never a team's or the company's.
    "targets": "rep_id",
}


class AccessDeniedError(PermissionError):
    """The user may not see or do what was asked."""


def restrict(
    user: User, name: str, table: ibis.Table, reps: ibis.Table | None = None
) -> ibis.Table:
    """``table`` (the model table ``name``) narrowed to the rows ``user`` may see.

    Users allowed to see all rows get ``table`` unchanged; a sales rep gets only rows owned by
    their rep id (none at all without one); a team lead the rows owned by any rep of their own
    rep's team (``reps``, the reps table, names the teams; without it only their own rows).
    Tables without an owner are returned unchanged.
    """
    owner = OWNER_COLUMNS.get(name)
    if owner is None or user.can(Permission.view_all_rows):
        return table
    if user.rep_id is None:
        return table.filter(ibis.literal(False))
    if user.role is Role.team_lead and reps is not None:
        return table.filter(table[owner].isin(team_rep_ids(user, reps)))
    return table.filter(table[owner] == user.rep_id)


def team_rep_ids(user: User, reps: ibis.Table) -> ibis.Column:
    """Ids of the reps in the team of ``user``'s own rep (just that rep when it has no team)."""
    own = reps.filter(reps.rep_id == user.rep_id)
    return reps.filter(
        (reps.rep_id == user.rep_id) | reps.team.isin(own.filter(own.team.notnull()).team)
    ).rep_id


def visible(store: Store, user: User, name: str) -> ibis.Table:
    """The model table ``name`` as ``user`` may see it."""
    return restrict(user, name, store.table(name), store.table("reps"))


def require(user: User, permission: Permission) -> None:
    """Raise :class:`AccessDeniedError` unless ``user`` holds ``permission``."""
    if not user.can(permission):
        raise AccessDeniedError(
            f"role {user.role.value} may not {permission.value.replace('_', ' ')}"
        )


#: System tables of pricing that KPIs read beside the model tables.
PRICING_TABLES = ("price_terms", "price_bands", "price_band_deals", "price_models")


def visible_tables(store: Store, user: User) -> dict[str, ibis.Table]:
    """Every model table as ``user`` may see it, for analyses such as KPIs.

    For a sales rep, leads, opportunities and accounts are their own; milestones and touchpoints
    those of their leads; quotes, orders and sales activities those of their accounts. The
    stored attribution credits add up every journey, so only users seeing every row get them.
    Price terms, bands and models are company-wide facts every user gets; which deal sits in
    which band joins only the deals the user sees.
    """
    tables = {t.name: store.table(t.name) for t in TABLES}
    tables.update({name: store.table(name) for name in PRICING_TABLES})
    # Lead scores as a scoped store passes them; KPIs join them to the visible journeys only.
    tables["scores"] = store.table("scores")
    if user.can(Permission.view_all_rows):
        return {**tables, "attribution_credits": store.table("attribution_credits")}
    for name in OWNER_COLUMNS:
        tables[name] = restrict(user, name, tables[name], tables["reps"])
    lead_ids = tables["leads"].lead_id
    account_ids = tables["accounts"].account_id
    for name in ("milestones", "touchpoints"):
        t = tables[name]
        tables[name] = t.filter(t.lead_id.isin(lead_ids))
    for name in ("quotes", "orders", "activities"):
        t = tables[name]
        tables[name] = t.filter(t.account_id.isin(account_ids))
    lines = tables["order_lines"]
    tables["order_lines"] = lines.filter(lines.order_id.isin(tables["orders"].order_id))
    items = tables["price_adjustments"]
    tables["price_adjustments"] = items.filter(items.order_id.isin(tables["orders"].order_id))
    return tables


class ScopedStore(Store):
    """A read view of a store in which every model table holds only the rows a user may see.

    Domain functions that take a whole :class:`~revintel.store.Store` (the forecast's history,
    for instance) read through it so that a sales rep's result covers their own rows only.
    Tables outside the data model (scores, models) are passed through unchanged.
    """

    def __init__(self, store: Store, user: User) -> None:
        super().__init__(store.backend, store.location, migrate_schema=False)
        self._tables = visible_tables(store, user)
        self._base = store

    def table(self, name: str) -> ibis.Table:
        """The model table ``name`` narrowed to the user's rows."""
        found = self._tables.get(name)
        return found if found is not None else self._base.table(name)


def scoped_store(store: Store, user: User) -> Store:
    """``store`` itself for users who see all rows, else a :class:`ScopedStore` for ``user``."""
    return store if user.can(Permission.view_all_rows) else ScopedStore(store, user)
