"""Entity resolution for accounts: the same company from CRM, ERP and marketing, found with Splink.

Names are normalised first (umlauts spelled out, legal forms dropped, see :mod:`._names`), then a
Fellegi–Sunter model (Splink 5 on DuckDB) compares name, domain and city on pairs that share a
name token or a domain, trained without labels: u from random pairs, m by expectation
maximisation (Splink 5 API: inputs registered with ``DuckDBAPI.register``; see
https://moj-analytical-services.github.io/splink/ and the Splink 4 → 5 migration guide).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from revintel.ingest._names import normalise_domains, normalise_names
from revintel.store import Store, store_now

logger = logging.getLogger(__name__)

Decision = Literal["accepted", "rejected"]


@dataclass(frozen=True)
class MatchQuality:
    """Precision and recall of predicted pairs against true pairs."""

    precision: float
    recall: float
    predicted: int
    true: int


class UnknownPairError(ValueError):
    """A decision names a pair that is not among the candidates."""


def prepare_accounts(records: pa.Table, id_column: str) -> pa.Table:
    """Comparison columns for Splink: normalised name, its first and last token, domain, city."""
    name = normalise_names(pc.fill_null(records["name"], ""))
    name = pc.if_else(pc.equal(name, ""), pa.scalar(None, pa.string()), name)
    tokens = pc.split_pattern(name, " ")
    domain_column = (
        records["domain"] if "domain" in records.column_names else pa.nulls(records.num_rows)
    )
    city_column = records["city"] if "city" in records.column_names else pa.nulls(records.num_rows)
    city = normalise_names(pc.fill_null(city_column.cast(pa.string()), ""))
    return pa.table(
        {
            "unique_id": records[id_column].cast(pa.string()),
            "name_norm": name,
            "name_first": pc.list_element(tokens, 0),
            "name_last": _last_token(name),
            "domain_norm": normalise_domains(domain_column.cast(pa.string())),
            "city_norm": pc.if_else(pc.equal(city, ""), pa.scalar(None, pa.string()), city),
        }
    )


def _last_token(names: pa.Array) -> pa.Array:
    return pc.replace_substring_regex(names, r"^.*\s", "")


def score_account_pairs(
    records: pa.Table, *, id_column: str = "record_id", threshold: float = 0.5, seed: int = 42
) -> pa.Table:
    """Candidate duplicate pairs with their match probability.

    Parameters
    ----------
    records
        One row per account record with ``id_column``, ``name`` and optionally ``domain``
        and ``city``.
    threshold
        Smallest match probability returned.
    seed
        Seed for Splink's random sampling (reproducible estimates).

    Returns
    -------
    pyarrow.Table
        ``id_l``, ``id_r`` (``id_l < id_r``) and ``match_probability``, most likely first.
    """
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    prepared = prepare_accounts(records, id_column)
    if prepared.num_rows < 2:
        return _empty_pairs()
    db = DuckDBAPI()
    frame = db.register(prepared)
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.JaroWinklerAtThresholds("name_norm", [0.95, 0.9]),
            cl.ExactMatch("domain_norm"),
            cl.ExactMatch("city_norm"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("name_first"),
            block_on("name_last"),
            block_on("domain_norm"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(frame, settings, log_level=logging.WARNING)
    training = linker.training
    filled = [c for c in ("name_norm", "domain_norm") if prepared[c].null_count < prepared.num_rows]
    training.estimate_probability_two_random_records_match(
        [block_on(c) for c in filled], recall=0.8
    )
    prior = linker.misc.save_model_to_json()["probability_two_random_records_match"]
    training.estimate_u_using_random_sampling(max_pairs=5e5, seed=seed)
    # Pairs with the same normalised name teach how domain and city agree among matches; pairs
    # with the same domain teach how names vary. Blocking EM on a shared first name token
    # instead lets companies of one family but different trades pass for matches.
    trained = [
        column
        for column in ("name_norm", "domain_norm")
        if _expectation_maximisation(training, block_on(column), column)
    ]
    if not trained:
        logger.warning("no two accounts share a name or a domain: no candidate pairs")
        return _empty_pairs()
    model = linker.misc.save_model_to_json()
    # An EM round may leave its blocked-pair match share behind as the global prior.
    model["probability_two_random_records_match"] = prior
    model = decontaminate_u(model)
    if "domain_norm" not in trained:
        # Without shared domains nothing teaches how a company's name varies between systems.
        _set_m(model, "name_norm", NAME_M_WITHOUT_DOMAINS)
    linker = Linker(db.register(prepared), model, log_level=logging.WARNING)
    # The engine turns the threshold into a match weight, log2(p / (1 - p)), infinite at 1:
    # predict from just below it and keep the pairs that reach it.
    below_one = min(threshold, 1.0 - 1e-12)
    predicted = linker.inference.predict(threshold_match_probability=below_one).as_pyarrow_table()
    if threshold > below_one:
        predicted = predicted.filter(pc.greater_equal(predicted["match_probability"], threshold))
    return _ordered_pairs(predicted)


def decontaminate_u(model: dict[str, Any]) -> dict[str, Any]:
    """Remove the true matches that random sampling counts as non-matches from the u values.

    In a random pair sample a share λ of pairs are matches, so a level's sampled frequency is
    ``λ·m + (1 − λ)·u``. With few records per company λ is not negligible and an exact name
    match would never reach a probability above about one half; solving for ``u`` (floored at
    a twentieth of the sampled value, then renormalised) restores its weight.
    """
    prior = float(model["probability_two_random_records_match"])
    for comparison in model["comparisons"]:
        levels = [
            level
            for level in comparison["comparison_levels"]
            if not level.get("is_null_level") and level.get("u_probability") is not None
        ]
        for level in levels:
            sampled = float(level["u_probability"])
            m = float(level.get("m_probability") or 0.0)
            level["u_probability"] = max((sampled - prior * m) / (1 - prior), sampled / 20)
        total = sum(level["u_probability"] for level in levels)
        for level in levels:
            level["u_probability"] /= total
    return model


#: m probabilities of the name levels (exact, JW ≥ 0.95, JW ≥ 0.9, other), as trained on the
#: labelled dirty set with domains; used when the accounts carry no shared domain.
NAME_M_WITHOUT_DOMAINS = (0.6, 0.33, 0.04, 0.03)


def _set_m(model: dict[str, Any], column: str, m_values: tuple[float, ...]) -> None:
    comparison = next(c for c in model["comparisons"] if c["output_column_name"] == column)
    levels = [level for level in comparison["comparison_levels"] if not level.get("is_null_level")]
    for level, m in zip(levels, m_values, strict=True):
        level["m_probability"] = m


def _expectation_maximisation(training: Any, rule: Any, column: str) -> bool:
    """One EM round blocked on ``rule``; ``False`` when no pair agrees on ``column``."""
    from splink.internals.exceptions import EMTrainingException

    try:
        training.estimate_parameters_using_expectation_maximisation(rule)
    except EMTrainingException:
        logger.info("no pairs of accounts agree on %s: that training round is skipped", column)
        return False
    return True


def _empty_pairs() -> pa.Table:
    return pa.table(
        {"id_l": pa.array([], pa.string()), "id_r": pa.array([], pa.string()),
         "match_probability": pa.array([], pa.float64())}
    )  # fmt: skip


def _ordered_pairs(predicted: pa.Table) -> pa.Table:
    left, right = predicted["unique_id_l"], predicted["unique_id_r"]
    swap = pc.greater(left, right)
    pairs = pa.table(
        {
            "id_l": pc.if_else(swap, right, left),
            "id_r": pc.if_else(swap, left, right),
            "match_probability": predicted["match_probability"].cast(pa.float64()),
        }
    )
    return pairs.sort_by([("match_probability", "descending"), ("id_l", "ascending")])


def evaluate_pairs(predicted: pa.Table, truth: pa.Table) -> MatchQuality:
    """Precision and recall of ``predicted`` (``id_l``, ``id_r``) against ``truth`` pairs."""
    found = set(zip(predicted["id_l"].to_pylist(), predicted["id_r"].to_pylist(), strict=True))
    true = {
        tuple(sorted(p))
        for p in zip(
            truth["record_id_l"].to_pylist(), truth["record_id_r"].to_pylist(), strict=True
        )
    }
    hits = len(found & true)
    precision = hits / len(found) if found else 1.0
    recall = hits / len(true) if true else 1.0
    return MatchQuality(precision, recall, len(found), len(true))


#: Where accept/reject decisions on candidate pairs are kept.
DECISIONS_TABLE = "account_match_decisions"


def pair_id(id_l: str, id_r: str) -> str:
    """A short stable id for a candidate pair (order-independent)."""
    low, high = sorted((id_l, id_r))
    return hashlib.sha1(f"{low}\x1f{high}".encode()).hexdigest()[:10]


def account_candidates(store: Store, threshold: float = 0.5) -> pd.DataFrame:
    """Candidate duplicate accounts in the store with names, sources and any decision taken."""
    stored = store.table("accounts")
    # a placeholder (the guest account of orders without a customer number) is no company
    accounts = (
        stored.filter(~stored.placeholder.fill_null(False))
        .select("account_id", "name", "domain", "city", "source_system")
        .to_pyarrow()
    )
    pairs = score_account_pairs(accounts, id_column="account_id", threshold=threshold).to_pandas()
    columns = ["pair_id", "match_probability", "account_id_l", "name_l", "source_l",
               "account_id_r", "name_r", "source_r", "decision"]  # fmt: skip
    if pairs.empty:
        return pd.DataFrame(columns=columns)
    info = accounts.to_pandas().set_index("account_id")
    pairs["pair_id"] = [pair_id(a, b) for a, b in zip(pairs["id_l"], pairs["id_r"], strict=True)]
    pairs = pairs.rename(columns={"id_l": "account_id_l", "id_r": "account_id_r"})
    for side in ("l", "r"):
        ids = pairs[f"account_id_{side}"]
        pairs[f"name_{side}"] = ids.map(info["name"])
        pairs[f"source_{side}"] = ids.map(info["source_system"])
    decisions = load_decisions(store).set_index("pair_id")["decision"]
    pairs["decision"] = pairs["pair_id"].map(decisions)
    return pairs[columns]


def load_decisions(store: Store) -> pd.DataFrame:
    """Every decision taken on a candidate pair, oldest first."""
    return store.table(DECISIONS_TABLE).order_by("decided_at").execute()


def record_decision(
    store: Store,
    candidates: pd.DataFrame,
    chosen_pair: str,
    decision: Decision,
    decided_by: str | None = None,
) -> None:
    """Store ``accepted`` or ``rejected`` for the pair ``chosen_pair``, replacing an earlier one."""
    row = candidates[candidates["pair_id"] == chosen_pair]
    if row.empty:
        raise UnknownPairError(
            f"no candidate pair {chosen_pair!r}; list the candidates with `revintel dedupe` "
            "(or GET /api/v1/dedupe)"
        )
    pair = row.iloc[0]
    record = pa.table(
        {
            "pair_id": [chosen_pair],
            "account_id_l": [pair["account_id_l"]],
            "account_id_r": [pair["account_id_r"]],
            "decision": [decision],
            "match_probability": [float(pair["match_probability"])],
            "decided_at": [store_now(store)],
            "decided_by": [decided_by],
        }
    )
    with store.transaction():
        store.delete_keys(DECISIONS_TABLE, record.select(["pair_id"]))
        store.insert(DECISIONS_TABLE, record)
