"""Rules on cross-selling offers: requires, excludes, only_with, and errors that name the spot."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from revintel.customers._cooccurrence import ItemCooccurrenceRecommender
from revintel.customers._interactions import Interactions, build_interactions
from revintel.customers._product_rules import (
    ProductRulesError,
    load_product_rules,
    parse_product_rules,
    rules_filter,
)

PRODUCTS = pd.DataFrame(
    {
        "product_id": ["M1", "M2", "S1", "S2", "SW"],
        "name": ["Maschine 1", "Maschine 2", "Ersatzteil 1", "Ersatzteil 2", "Software"],
        "family": ["Maschinen", "Maschinen", "Ersatzteile", "Ersatzteile", "Software"],
    }
)
BASKETS = {
    "machine": ["M1"],
    "machine2": ["M2"],
    "tools": ["SW"],
    "b1": ["M1", "S1", "S2", "SW", "M2"],
    "b2": ["M1", "S1", "SW"],
    "b3": ["M2", "S2", "SW"],
}
ACCOUNTS = pd.DataFrame(
    {
        "account_id": list(BASKETS),
        "industry": ["Maschinenbau", "Chemie", "Maschinenbau", "Chemie", "Chemie", "Chemie"],
        "country": ["DE", "AT", "CH", "DE", "DE", "DE"],
    }
)


def _data() -> Interactions:
    orders = pd.DataFrame(
        {
            "order_id": list(BASKETS),
            "account_id": list(BASKETS),
            "ordered_at": pd.Timestamp("2024-05-01"),
        }
    )
    lines = pd.DataFrame(
        [(a, p) for a, basket in BASKETS.items() for p in basket],
        columns=["order_id", "product_id"],
    )
    return build_interactions(orders, lines, PRODUCTS)


def _offers(rules_yaml: str, tmp_path: Path) -> dict[str, list[str]]:
    path = tmp_path / "rules.yaml"
    path.write_text(rules_yaml, encoding="utf-8")
    data = _data()
    allowed = rules_filter(load_product_rules(path), data, ACCOUNTS)
    recs = (
        ItemCooccurrenceRecommender()
        .fit(data)
        .recommend(["machine", "machine2", "tools"], k=5, allowed=allowed)
    )
    return recs.groupby("account_id")["product_id"].agg(sorted).to_dict()


def test_without_rules_every_unbought_product_is_offered(tmp_path: Path) -> None:
    assert _offers("rules: []\n", tmp_path) == {
        "machine": ["M2", "S1", "S2", "SW"],
        "machine2": ["M1", "S1", "S2", "SW"],
        "tools": ["M1", "M2", "S1", "S2"],
    }


def test_requires_excludes_and_only_with_restrict_the_offers(tmp_path: Path) -> None:
    rules = """
rules:
  - requires:        # spare parts only for machine owners
      products: {family: Ersatzteile}
      bought: {family: Maschinen}
  - excludes:        # S2 fits M2 only: never for owners of M1
      products: {product_id: S2}
      bought: {product_id: M1}
  - only_with:
      products: {family: Software}
      accounts: {industry: Maschinenbau, country: [DE, AT]}
"""
    assert _offers(rules, tmp_path) == {
        "machine": ["M2", "S1", "SW"],  # Maschinenbau in DE
        "machine2": ["M1", "S1", "S2"],  # Chemie: no software
        "tools": ["M1", "M2"],  # no machine: no spare parts
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("rules: {}\n", "rules.yaml: rules: expected a list of rules"),
        ("rules: []\nextra: 1\n", "rules.yaml: unknown key(s) extra"),
        ("rules:\n  - forbids: {}\n", "rules.yaml: rule 1: expected exactly one of requires"),
        (
            "rules:\n  - requires: {products: {family: A}, bought: {family: B}}\n"
            "  - excludes: {products: {family: A}}\n",
            "rules.yaml: rule 2 (excludes): bought: Field required",
        ),
        (
            "rules:\n  - requires: {products: {}, bought: {family: B}}\n",
            "rules.yaml: rule 1 (requires): products: Value error, names no product_id and no "
            "family",
        ),
        (
            "rules:\n  - only_with: {products: {family: A}, accounts: {city: Ulm}}\n",
            "rules.yaml: rule 1 (only_with): accounts.city",
        ),
        (
            "rules:\n  - requires: {products: {familie: A}, bought: {family: B}}\n",
            "rules.yaml: rule 1 (requires): products.familie: Extra inputs are not permitted",
        ),
        ("rules: [\n", "rules.yaml: not valid YAML"),
    ],
)
def test_a_broken_rules_file_names_file_rule_and_key(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProductRulesError) as error:
        load_product_rules(path)
    assert str(error.value).startswith(str(tmp_path / message))


def test_a_missing_file_and_missing_account_attributes_are_named(tmp_path: Path) -> None:
    with pytest.raises(ProductRulesError, match=r"nowhere\.yaml: cannot read"):
        load_product_rules(tmp_path / "nowhere.yaml")
    rules = parse_product_rules(
        {
            "rules": [
                {"only_with": {"products": {"family": "Software"}, "accounts": {"segment": "KMU"}}}
            ]
        }
    )
    with pytest.raises(ValueError, match=r"only_with rules need the account attribute.*segment"):
        rules_filter(rules, _data(), ACCOUNTS)
