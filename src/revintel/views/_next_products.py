"""Next-best products per account as a user may see them, with reasons in their language."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from revintel.auth import User
from revintel.customers._crosssell import recommend_products
from revintel.i18n import Language, Translator
from revintel.store import Store
from revintel.views._customers import check_as_of, last_order_day, scoped


def crosssell_table(
    store: Store,
    as_of: date,
    top: int,
    *,
    method: str = "auto",
    rules: str | Path | None = None,
) -> pd.DataFrame:
    """Next-best products per account over the whole store, with the product name.

    ``method`` is one of ``auto``, ``popularity``, ``cooccurrence``, ``als``; ``rules`` a
    product-rules file (requires / excludes / only-with).
    """
    columns = ["account_id", "product_id", "rank", "score", "reason", "product_name"]
    check_as_of(as_of)
    if last_order_day(store) is None:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    found = recommend_products(store, as_of, top=top, method=method, rules=rules)
    products = store.table("products").select("product_id", "name").to_pandas()
    names = products.set_index("product_id")["name"].rename("product_name")
    return found.join(names, on="product_id")[columns]


def crosssell_rows(store: Store, user: User, as_of: date, top: int) -> pd.DataFrame:
    """:func:`crosssell_table` narrowed to the accounts ``user`` may see."""
    return scoped(crosssell_table(store, as_of, top), store, user)


def reason_text(reason: Any, lang: Language) -> str:
    """A cross-selling reason (``revintel.customers`` ``Reason``) as a sentence in ``lang``."""
    return Translator(lang)(reason.message_key).format(**reason.placeholders())
