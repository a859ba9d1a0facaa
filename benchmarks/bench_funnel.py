"""Funnel report (cohort month × channel × milestone: counts, conversion, median days) through the
metrics layer on Ibis against the same report in hand-written DuckDB SQL, on 2M and 10M leads.

Each measurement runs in a fresh process so peak memory is the query's own; variants alternate
and the median of the repeats is reported.
"""

from __future__ import annotations

import itertools
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks._measure import timed, write_result
from revintel.metrics import MetricSources
from revintel.metrics._report import funnel_report
from revintel.model import load_funnel
from revintel.store import open_store
from revintel.synth._config import CHANNELS

SIZES = (2_000_000, 10_000_000)
REPEATS = 3

_GENERATE = """
CREATE TEMP TABLE bench_leads AS
SELECT
    'L' || i::VARCHAR AS lead_id,
    ({channels})[1 + (hash(i, 1) % 9)::INTEGER] AS channel,
    TIMESTAMP '2020-01-01' + to_seconds((hash(i, 2) % (5 * 365 * 86400))::BIGINT) AS created_at,
    -- geometric depth: P(reaching step k) = 0.55^k, capped at the won milestone
    LEAST(8, floor(ln(((hash(i, 3) % 1000000) + 1) / 1000001.0) / ln(0.55)))::INTEGER AS depth
FROM range({n}) AS t(i);
INSERT INTO leads (lead_id, channel, created_at, source_system, source_id, import_batch_id)
SELECT lead_id, channel, created_at, 'bench', lead_id, 'bench' FROM bench_leads;
INSERT INTO milestones (milestone_event_id, entity_type, entity_id, lead_id, milestone,
                        occurred_at, source_system, source_id, import_batch_id)
SELECT lead_id || '-' || k, 'lead', lead_id, lead_id, ({chain})[k + 1],
       created_at + to_seconds(k * (86400 + (hash(lead_id, k) % (9 * 86400))::BIGINT)),
       'bench', lead_id || '-' || k, 'bench'
FROM bench_leads, range(depth + 1) AS s(k);
INSERT INTO milestones (milestone_event_id, entity_type, entity_id, lead_id, milestone,
                        occurred_at, source_system, source_id, import_batch_id)
SELECT lead_id || '-end', 'lead', lead_id, lead_id,
       CASE WHEN depth < 3 THEN 'disqualified' ELSE 'lost' END,
       created_at + to_seconds((depth + 1) * 10 * 86400), 'bench', lead_id || '-end', 'bench'
FROM bench_leads WHERE depth < 8;
"""

#: The report by hand: pivot each journey's (lead's, else entity's) first time per milestone (a
#: later milestone proves the earlier ones), then aggregate per cohort month and channel.
HAND_SQL = """
WITH raw AS (
    SELECT coalesce(lead_id, entity_id) AS lead_id, {raw}
    FROM milestones
    WHERE milestone IN ({ids})
    GROUP BY ALL
), times AS (
    SELECT r.lead_id, l.channel, {times}
    FROM raw r LEFT JOIN leads l ON l.lead_id = r.lead_id
), agg AS (
    SELECT date_trunc('month', t_mql)::DATE AS cohort, channel, {counts}, {days}
    FROM times WHERE t_mql IS NOT NULL
    GROUP BY ALL
)
SELECT *, {conv} FROM agg ORDER BY cohort, channel
"""


def hand_sql() -> str:
    """The hand-written DuckDB query for the funnel report over the default funnel."""
    funnel = load_funnel()
    chain = [*funnel.path_ids, funnel.won.id]
    raw = ", ".join(f"min(occurred_at) FILTER (WHERE milestone = '{m}') AS r_{m}" for m in chain)
    times = ", ".join(
        f"coalesce({', '.join(f'r_{x}' for x in chain[i:])}) AS t_{m}" for i, m in enumerate(chain)
    )
    counts = ", ".join(f"count(t_{m}) AS n_{m}" for m in chain)
    days = ", ".join(
        f"median((floor(epoch(t_{m})) - floor(epoch(t_mql))) / 86400.0) AS days_{m}"
        for m in chain[1:]
    )
    conv = ", ".join(
        f"n_{b}::DOUBLE / nullif(n_{a}, 0) AS conv_{b}" for a, b in itertools.pairwise(chain)
    )
    ids = ", ".join(f"'{m}'" for m in chain)
    return HAND_SQL.format(raw=raw, times=times, counts=counts, days=days, conv=conv, ids=ids)


def build(path: Path, leads: int) -> dict[str, int]:
    """Write ``leads`` synthetic journeys into a store at ``path``; return row counts."""
    funnel = load_funnel()
    chain = ", ".join(f"'{m}'" for m in (*funnel.path_ids, funnel.won.id))
    channels = ", ".join(f"'{c}'" for c in CHANNELS)
    with open_store(path) as store:
        con = store.backend.con  # type: ignore[attr-defined]
        con.execute(_GENERATE.format(n=leads, chain=f"[{chain}]", channels=f"[{channels}]"))
        return {
            "leads": store.row_counts()["leads"],
            "milestones": store.row_counts()["milestones"],
        }


def measure(variant: str, db: str) -> dict[str, Any]:
    """Run one variant on the store at ``db`` in this process: seconds, peak MiB, checksum."""
    store = open_store(db, read_only=True)
    if variant == "ibis":
        work = funnel_report(MetricSources.from_store(store), "month", ("channel",)).to_pyarrow
    else:
        con = store.backend.con  # type: ignore[attr-defined]
        sql = hand_sql()

        def work() -> Any:
            return con.execute(sql).to_arrow_table()

    result, seconds, peak = timed(work)
    checksum = [result.num_rows, int(sum(result.column("n_won").to_pylist()))]
    return {"seconds": seconds, "peak_mib": peak, "checksum": checksum}


def _child(variant: str, db: Path) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_funnel", "--measure", variant, str(db)],
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def compare(db: Path, repeats: int) -> dict[str, Any]:
    """Alternate Ibis and hand SQL ``repeats`` times; medians and the ratios Ibis / SQL."""
    runs: dict[str, list[dict[str, Any]]] = {"ibis": [], "sql": []}
    for _ in range(repeats):
        for variant in runs:
            runs[variant].append(_child(variant, db))
    if runs["ibis"][0]["checksum"] != runs["sql"][0]["checksum"]:
        raise RuntimeError(f"results differ: {runs['ibis'][0]} vs {runs['sql'][0]}")
    fig = {
        v: {
            "seconds": round(statistics.median(r["seconds"] for r in rs), 3),
            "peak_mib": round(statistics.median(r["peak_mib"] for r in rs)),
        }
        for v, rs in runs.items()
    }
    fig["time_ratio"] = round(fig["ibis"]["seconds"] / fig["sql"]["seconds"], 3)
    fig["memory_ratio"] = round(fig["ibis"]["peak_mib"] / fig["sql"]["peak_mib"], 3)
    fig["rows"] = runs["ibis"][0]["checksum"][0]
    return fig


def run(results_dir: Path) -> dict[str, Any]:
    """Build 2M and 10M lead stores, compare the report on each, write ``funnel.json``."""
    figures: dict[str, Any] = {
        "benchmark": "funnel",
        "report": "cohort month × channel × milestone: count, conversion, median days",
        "target": "Ibis ≤ 1.2× the time and ≤ 1.3× the peak memory of hand-written DuckDB SQL",
    }
    for leads in SIZES:
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "bench.duckdb"
            counts, build_s, _ = timed(lambda db=db, leads=leads: build(db, leads))
            result = compare(db, REPEATS if leads <= 2_000_000 else 1)
        figures[f"{leads // 1_000_000}M"] = {**counts, "build_seconds": round(build_s, 1), **result}
    write_result(results_dir, "funnel", figures)
    return figures


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--measure":
        print(json.dumps(measure(sys.argv[2], sys.argv[3])))
    else:
        print(run(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("benchmarks/results")))
