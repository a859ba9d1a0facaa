"""The slice filters of the analytical pages: channel, segment, team and rep."""

from __future__ import annotations

from revintel.auth import Permission
from revintel.store import Store
from revintel.views import distinct_values
from revintel.web._context import PageContext


def teams_and_reps(store: Store) -> tuple[list[str], list[str]]:
    """Sorted team names and rep ids of the reps table."""
    reps = store.table("reps").select("rep_id", "team").to_pyarrow()
    teams = sorted({str(t) for t in reps["team"].to_pylist() if t is not None})
    return teams, sorted(str(r) for r in reps["rep_id"].to_pylist())


def slice_options(page: PageContext) -> dict[str, list[str]]:
    """The values each slice filter offers the user (a rep is offered no team or rep)."""
    options = {
        "channel": page.query(distinct_values, "leads", "channel"),
        "segment": page.query(distinct_values, "accounts", "segment"),
    }
    if page.user.can(Permission.view_all_rows):
        options["team"], options["rep"] = page.query_unscoped(teams_and_reps)
    return options
