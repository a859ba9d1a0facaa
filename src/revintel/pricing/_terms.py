"""Off-invoice terms per customer group: read from YAML, checked, stored, listed.

A terms file names the accounts column that forms the customer groups and, per group, the
rate of each off-invoice kind as a share of the invoice amount::

    group_by: segment
    terms:
      Enterprise: {rebate: 0.03, freight: 0.005, payment_terms: 0.02, bonus: 0.01}
      "*": {freight: 0.01}

``*`` stands for every group without a rate of its own for that kind. Terms fill in the kinds
an order has no imported item of (see :mod:`revintel.metrics._pocket`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from revintel.metrics._pocket import EVERY_GROUP, OFF_INVOICE_KINDS
from revintel.model import parse_yaml_mapping, read_yaml_mapping, table
from revintel.store import Store, store_now

TERMS_TABLE = "price_terms"
#: Highest rate a term may have: half the invoice is certainly a typing error.
MAX_RATE = 0.5
#: The packaged example terms file.
EXAMPLE_FILE = "conf/price_terms.example.yaml"


class PriceTermsError(ValueError):
    """A terms file cannot be read or holds something invalid; the message names file and key."""


@dataclass(frozen=True)
class PriceTerms:
    """Off-invoice rates per customer group.

    Attributes
    ----------
    group_by
        The accounts column whose values are the customer groups.
    rates
        Customer group (``*``: every group) → kind → rate as a share of the invoice amount.
    """

    group_by: str
    rates: dict[str, dict[str, float]]

    def rows(self) -> pd.DataFrame:
        """One row per group and kind: ``group_by``, ``customer_group``, ``kind``, ``rate``."""
        records = [
            {"group_by": self.group_by, "customer_group": group, "kind": kind, "rate": rate}
            for group, kinds in self.rates.items()
            for kind, rate in kinds.items()
        ]
        return pd.DataFrame(records, columns=["group_by", "customer_group", "kind", "rate"])


def read_terms(path: str | Path | None = None) -> PriceTerms:
    """Read and check the terms file ``path`` (default: the packaged example).

    Raises
    ------
    PriceTermsError
        The file is unreadable, not YAML, or names an unknown kind, an unknown accounts column
        or a rate outside [0, 0.5]; the message names the file and the key.
    """
    data, origin = read_yaml_mapping(path, EXAMPLE_FILE, PriceTermsError, "group_by and terms")
    return _checked(data, origin)


def parse_terms(text: str, origin: str = "<text>") -> PriceTerms:
    """Check terms given as YAML text (see :func:`read_terms`)."""
    return _checked(parse_yaml_mapping(text, origin, PriceTermsError, "group_by and terms"), origin)


def _checked(data: dict[str, Any], origin: str) -> PriceTerms:
    extra = sorted(set(map(str, data)) - {"group_by", "terms"})
    if extra:
        raise PriceTermsError(f"{origin}: unknown key {extra[0]!r}; expected group_by and terms")
    group_by = data.get("group_by")
    columns = table("accounts").column_names()
    if not isinstance(group_by, str) or group_by not in columns:
        raise PriceTermsError(
            f"{origin}: group_by: {group_by!r} is no column of accounts; "
            f"choose one of: {', '.join(columns)}"
        )
    terms = data.get("terms")
    if not isinstance(terms, dict) or not terms:
        raise PriceTermsError(f"{origin}: terms: expected a mapping of customer group to rates")
    rates: dict[str, dict[str, float]] = {}
    for group, kinds in terms.items():
        where = f"{origin}: terms.{group}"
        if not isinstance(kinds, dict) or not kinds:
            raise PriceTermsError(f"{where}: expected a mapping of kind to rate")
        rates[str(group)] = {str(k): _rate(f"{where}.{k}", k, r) for k, r in kinds.items()}
    return PriceTerms(group_by, rates)


def _rate(where: str, kind: object, value: object) -> float:
    if kind not in OFF_INVOICE_KINDS:
        raise PriceTermsError(
            f"{where}: unknown kind {kind!r}; choose from: {', '.join(OFF_INVOICE_KINDS)}"
        )
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PriceTermsError(f"{where}: the rate must be a number, not {value!r}")
    if not 0.0 <= float(value) <= MAX_RATE:
        raise PriceTermsError(
            f"{where}: rate {value} lies outside [0, {MAX_RATE}] (a share: 0.02 = 2 %)"
        )
    return float(value)


def store_terms(store: Store, terms: PriceTerms, source_file: str | None = None) -> int:
    """Replace the stored terms by ``terms`` in one transaction; returns the rows written.

    Uses the store's engine-neutral writes, so it works on DuckDB, PostgreSQL and Spark.
    """
    rows = terms.rows()
    rows["term_id"] = [
        _term_id(g, k) for g, k in zip(rows["customer_group"], rows["kind"], strict=True)
    ]
    rows["source_file"] = source_file
    rows["imported_at"] = store_now(store)
    with store.transaction():
        old = store.table(TERMS_TABLE).select("term_id").to_pyarrow()
        store.delete_keys(TERMS_TABLE, old)
        return store.insert(TERMS_TABLE, rows)


def _term_id(group: str, kind: str) -> str:
    digest = hashlib.sha1(f"{group}\x1f{kind}".encode()).hexdigest()[:12]
    return f"PT{digest}"


def stored_terms(store: Store) -> pd.DataFrame:
    """The stored terms: group_by, customer_group, kind, rate, source_file, imported_at."""
    columns = ["group_by", "customer_group", "kind", "rate", "source_file", "imported_at"]
    frame = store.table(TERMS_TABLE).select(*columns).to_pandas()
    order = {kind: i for i, kind in enumerate(OFF_INVOICE_KINDS)}
    frame["k__order"] = frame["kind"].map(order)
    frame["k__every"] = frame["customer_group"] == EVERY_GROUP
    frame = frame.sort_values(["k__every", "customer_group", "k__order"], ignore_index=True)
    return frame.drop(columns=["k__order", "k__every"])
