"""When each journey reached each milestone on the way to ``won``: leads, opportunities, accounts.

Times follow the funnel metrics: a later milestone proves the earlier ones, so a milestone
without its own event takes the time of the next one reached. Every table here is an Ibis
expression; nothing runs a query.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from revintel.model import FunnelDefinition, load_funnel

#: Journey levels: single leads, single opportunities, or accounts (the buying group).
LEVELS = ("lead", "opportunity", "account")


def milestone_chain(funnel: FunnelDefinition) -> tuple[str, ...]:
    """The path milestones followed by the won milestone, in order."""
    return (*funnel.path_ids, funnel.won.id)


def transition_of(to: str, funnel: FunnelDefinition | None = None) -> tuple[str | None, str]:
    """The transition ending at milestone ``to``: the path milestone before it, and ``to``.

    Parameters
    ----------
    to
        A path milestone or the won milestone.
    funnel
        The funnel definition (default: the built-in funnel).

    Returns
    -------
    tuple
        ``(previous, to)``; ``previous`` is ``None`` for the first milestone of the path.

    Raises
    ------
    ValueError
        ``to`` is unknown, or a terminal milestone other than won (lost, disqualified).

    Examples
    --------
    >>> transition_of("won")
    ('contract_negotiation', 'won')
    >>> transition_of("mql")
    (None, 'mql')
    """
    funnel = funnel or load_funnel()
    chain = milestone_chain(funnel)
    if to not in chain:
        raise ValueError(
            f"milestone {to!r} is not on the way to {funnel.won.id!r}; "
            f"choose one of: {', '.join(chain)}"
        )
    i = chain.index(to)
    return (chain[i - 1] if i else None, to)


def journey_times(milestones: ir.Table, funnel: FunnelDefinition, level: str) -> ir.Table:
    """One row per journey of ``level`` with the time it reached each milestone.

    Columns: ``key`` (lead, opportunity or account id), ``lead_id`` (the journey's lead; null
    for a deal without one), ``account_id``, ``t_<milestone>`` for every milestone of
    :func:`milestone_chain`, and ``t_end`` (won, lost or disqualified; for an account the last
    end of its leads once all of them ended, else null).
    """
    if level == "opportunity":
        return _times(_opportunity_events(milestones, funnel), funnel)
    leads = _times(_lead_events(milestones), funnel)
    return account_times(leads, funnel) if level == "account" else leads


def _lead_events(m: ir.Table) -> ir.Table:
    # A deal without a lead is its own journey, as in the funnel metrics.
    return m.select(
        key=ibis.coalesce(m.lead_id, m.entity_id),
        lead_id=m.lead_id,
        account_id=m.account_id,
        milestone=m.milestone,
        occurred_at=m.occurred_at,
    )


def _opportunity_events(m: ir.Table, funnel: FunnelDefinition) -> ir.Table:
    """Each deal's own events plus the path milestones its lead reached before it existed."""
    opp = m.filter(m.entity_type == "opportunity")
    own = opp.select(
        key=opp.entity_id,
        lead_id=opp.lead_id,
        account_id=opp.account_id,
        milestone=opp.milestone,
        occurred_at=opp.occurred_at,
    )
    lead_path = [s.id for s in funnel.path if s.entity == "lead"]
    if not lead_path:
        return own
    owners = own.filter(own.lead_id.notnull()).select(k__key=own.key, k__lead=own.lead_id)
    owners = owners.distinct()
    lev = m.filter((m.entity_type == "lead") & m.milestone.isin(lead_path))
    inherited = lev.join(owners, lev.lead_id == owners.k__lead).select(
        key=owners.k__key,
        lead_id=lev.lead_id,
        account_id=lev.account_id,
        milestone=lev.milestone,
        occurred_at=lev.occurred_at,
    )
    return own.union(inherited)


def _times(events: ir.Table, funnel: FunnelDefinition) -> ir.Table:
    chain = milestone_chain(funnel)
    ends = (*funnel.outcome_ids("lost"), *funnel.outcome_ids("disqualified"))
    raw = events.group_by("key").aggregate(
        lead_id=events.lead_id.max(),
        account_id=events.account_id.max(),
        r_ended=events.occurred_at.min(where=events.milestone.isin(ends)),
        **{f"r_{mid}": events.occurred_at.min(where=events.milestone == mid) for mid in chain},
    )
    times = {
        f"t_{mid}": ibis.coalesce(*(raw[f"r_{later}"] for later in chain[i:]))
        if i < len(chain) - 1
        else raw[f"r_{mid}"]
        for i, mid in enumerate(chain)
    }
    won = times[f"t_{funnel.won.id}"]
    return raw.select(
        "key", "lead_id", "account_id", **times, t_end=ibis.coalesce(won, raw.r_ended)
    )


def account_times(leads: ir.Table, funnel: FunnelDefinition) -> ir.Table:
    """The accounts' times from their lead journeys' (:func:`journey_times` at level
    ``lead``): an account reaches a milestone when its first lead or deal does; it has ended
    when all of them have."""
    chain = milestone_chain(funnel)
    known = leads.filter(leads.account_id.notnull())
    out = known.group_by(key=known.account_id).aggregate(
        running=known.account_id.count(where=known.t_end.isnull()),
        last_end=known.t_end.max(),
        **{f"t_{mid}": known[f"t_{mid}"].min() for mid in chain},
    )
    return out.select(
        "key",
        lead_id=ibis.null().cast("string"),
        account_id=out.key,
        **{f"t_{mid}": out[f"t_{mid}"] for mid in chain},
        t_end=ibis.cases((out.running == 0, out.last_end), else_=ibis.null().cast("timestamp")),
    )
