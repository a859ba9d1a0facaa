"""Business rules on cross-selling offers, declared in a YAML file.

Three kinds of rule, each restricting the products it selects (by ``product_id`` or
``family``)::

    rules:
      - requires:     # spare parts only for accounts that bought a machine they fit
          products: {family: Ersatzteile}
          bought: {family: [Hydraulikaggregate, Antriebstechnik]}
      - excludes:     # never offer the predecessor to accounts that own the successor
          products: {product_id: P001}
          bought: {product_id: P003}
      - only_with:    # software only for accounts in these industries and countries
          products: {family: Industriesoftware}
          accounts: {industry: [Maschinenbau, Automotive], country: [DE, AT]}

``bought`` means bought up to the as-of date of the recommendations. Errors name the file, the
rule (counted from 1) and the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator
from scipy import sparse

from revintel.customers._interactions import Interactions
from revintel.customers._recommendations import ProductFilter
from revintel.model import read_yaml_mapping

RULE_KINDS = ("requires", "excludes", "only_with")
ACCOUNT_ATTRIBUTES = ("industry", "country", "segment", "region")
RuleKind = Literal["requires", "excludes", "only_with"]


class ProductRulesError(ValueError):
    """A rules file cannot be read or breaks its schema; the message names file, rule and key."""


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


class ProductSelector(BaseModel):
    """Products by id and/or family; a product matches when it matches either list."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    product_id: tuple[str, ...] = ()
    family: tuple[str, ...] = ()

    _lists = field_validator("product_id", "family", mode="before")(_as_list)

    @model_validator(mode="after")
    def _names_something(self) -> ProductSelector:
        if not self.product_id and not self.family:
            raise ValueError("names no product_id and no family")
        return self

    def mask(self, data: Interactions) -> np.ndarray:
        """Which columns of ``data`` the selector matches."""
        return np.isin(data.products, self.product_id) | np.isin(data.families, self.family)


class BoughtRule(BaseModel):
    """``requires`` and ``excludes``: the products offered, depending on products bought."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    products: ProductSelector
    bought: ProductSelector


class AccountRule(BaseModel):
    """``only_with``: the products offered only to accounts with these attributes."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    products: ProductSelector
    accounts: dict[Literal["industry", "country", "segment", "region"], tuple[str, ...]]

    _lists = field_validator("accounts", mode="before")(
        lambda v: {k: _as_list(x) for k, x in v.items()} if isinstance(v, dict) else v
    )

    @field_validator("accounts")
    @classmethod
    def _not_empty(cls, value: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        if not value:
            raise ValueError(f"names no attribute; use one of {', '.join(ACCOUNT_ATTRIBUTES)}")
        return value


@dataclass(frozen=True)
class ProductRule:
    """One validated rule: its kind and body."""

    kind: RuleKind
    body: BoughtRule | AccountRule


def _parse_rule(raw: Any, position: int, origin: str) -> ProductRule:
    where = f"{origin}: rule {position}"
    if not isinstance(raw, dict) or len(raw) != 1 or next(iter(raw)) not in RULE_KINDS:
        keys = ", ".join(map(str, raw)) if isinstance(raw, dict) else type(raw).__name__
        raise ProductRulesError(
            f"{where}: expected exactly one of {', '.join(RULE_KINDS)}, found {keys or 'nothing'}"
        )
    kind: RuleKind = next(iter(raw))
    model = AccountRule if kind == "only_with" else BoughtRule
    try:
        body = model.model_validate(raw[kind])
    except ValidationError as exc:
        error = exc.errors()[0]
        key = ".".join(str(p) for p in error["loc"]) or kind
        raise ProductRulesError(f"{where} ({kind}): {key}: {error['msg']}") from None
    return ProductRule(kind, body)


def parse_product_rules(
    data: Mapping[str, Any], origin: str = "<rules>"
) -> tuple[ProductRule, ...]:
    """Validate a parsed rules mapping (``{"rules": [...]}``)."""
    unknown = set(data) - {"rules"}
    if unknown:
        raise ProductRulesError(f"{origin}: unknown key(s) {', '.join(sorted(map(str, unknown)))}")
    rules = data.get("rules")
    if not isinstance(rules, list):
        raise ProductRulesError(f"{origin}: rules: expected a list of rules")
    return tuple(_parse_rule(raw, i, origin) for i, raw in enumerate(rules, start=1))


def load_product_rules(path: str | Path) -> tuple[ProductRule, ...]:
    """Read and validate a rules file.

    Raises
    ------
    ProductRulesError
        Naming the file, the rule (from 1) and the key that is wrong.
    """
    data, origin = read_yaml_mapping(path, "", ProductRulesError, "a list under 'rules'")
    return parse_product_rules(data, origin)


def rules_filter(
    rules: tuple[ProductRule, ...], data: Interactions, accounts: pd.DataFrame | None = None
) -> ProductFilter:
    """The products each account may be offered under ``rules``.

    Parameters
    ----------
    rules
        Validated rules.
    data
        The purchase matrix the recommendations come from (its columns are the products).
    accounts
        ``account_id`` and the attributes ``only_with`` rules name (industry, country…);
        needed only for such rules. Accounts missing from it match no ``only_with`` rule.
    """
    needed = {a for r in rules if isinstance(r.body, AccountRule) for a in r.body.accounts}
    attributes = pd.DataFrame(columns=["account_id"]) if accounts is None else accounts
    missing = needed - set(attributes.columns)
    if missing:
        raise ValueError(
            f"only_with rules need the account attribute(s) {', '.join(sorted(missing))}"
        )
    attributes = attributes.drop_duplicates("account_id").set_index("account_id")

    def allowed(ids: np.ndarray, bought: sparse.csr_matrix) -> np.ndarray:
        ok = np.ones((len(ids), len(data.products)), dtype=bool)
        for rule in rules:
            target = rule.body.products.mask(data)
            if isinstance(rule.body, BoughtRule):
                has = np.asarray(bought @ rule.body.bought.mask(data).astype(float)).ravel() > 0
                barred = ~has if rule.kind == "requires" else has
            else:
                rows = attributes.reindex(pd.Index(ids, dtype=object))
                match = np.ones(len(ids), dtype=bool)
                for attribute, values in rule.body.accounts.items():
                    match &= rows[attribute].isin(values).to_numpy()
                barred = ~match
            ok[np.ix_(barred, target)] = False
        return ok

    return allowed
