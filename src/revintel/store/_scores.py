"""Reading stored scores: the latest score of each entity, for everything that shows them."""

from __future__ import annotations

import ibis

from revintel.store._store import Store


def latest_scores(store: Store, kinds: tuple[str, ...]) -> ibis.Table:
    """The most recent stored score of each (kind, entity) among ``kinds``, as an expression."""
    s = store.table("scores").filter(lambda s: s.kind.isin(kinds))
    # The score id breaks ties, so every engine picks the same row.
    newest = ibis.window(
        group_by=[s.kind, s.entity_id], order_by=[ibis.desc(s.scored_at), ibis.desc(s.score_id)]
    )
    ranked = s.mutate(rank_=ibis.row_number().over(newest))
    return ranked.filter(ranked.rank_ == 0).drop("rank_")
