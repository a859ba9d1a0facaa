"""Guest orders: webshop buyers without a customer number, booked on one placeholder account.

An import books such orders on the account ``<system>:<id>`` of its mapping's guest customer
and marks it ``placeholder`` (see :mod:`revintel.ingest._guests`); the demo company does the same
with the account ``synth:guest``. Guests buy a few cheap parts at list price.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from revintel.synth import _config as c
from revintel.synth._company import Company
from revintel.synth._order_lines import Lines

GUEST_ACCOUNT_ID = f"{c.SOURCE_SYSTEM}:{c.GUEST_ACCOUNT}"


def guest_order_days(rng: np.random.Generator, webshop_day: np.ndarray, as_of: float) -> np.ndarray:
    """Days of the guest orders: about ``GUEST_SHARE`` of all webshop orders, at their pace.

    Each customer's webshop order brings a guest order with probability
    ``GUEST_SHARE / (1 - GUEST_SHARE)``, within a month of it, so guests grow with the webshop.
    """
    odds = c.GUEST_SHARE / (1 - c.GUEST_SHARE)
    near = webshop_day[rng.random(len(webshop_day)) < odds]
    day = near + rng.uniform(-30.0, 30.0, len(near))
    return np.sort(np.clip(day, 0.0, np.nextafter(as_of, 0.0)))


def guest_lines(rng: np.random.Generator, company: Company, orders: int) -> Lines:
    """Lines of ``orders`` guest orders: 1 to ``GUEST_MAX_LINES`` cheap products at list price."""
    names = [f[0] for f in c.FAMILIES]
    family_ids = np.array([names.index(f) for f in c.GUEST_FAMILIES])
    weights = np.array(list(c.GUEST_FAMILIES.values()))
    count = 1 + np.minimum(rng.poisson(c.GUEST_EXTRA_LINES, orders), c.GUEST_MAX_LINES - 1)
    order = np.repeat(np.arange(orders), count)
    family = family_ids[rng.choice(len(family_ids), len(order), p=weights / weights.sum())]
    product = family * c.PRODUCTS_PER_FAMILY + rng.integers(0, c.PRODUCTS_PER_FAMILY, len(order))
    key = np.unique(order * len(company.product_price) + product)  # a product once per order
    order, product = key // len(company.product_price), key % len(company.product_price)
    quantity = 1.0 + rng.poisson(c.GUEST_EXTRA_UNITS, len(order))
    return Lines.priced(company, order, product, quantity, np.zeros(len(order)))


def customer_accounts(accounts: pa.Table) -> pa.Table:
    """The generated accounts, each marked as a real company (``placeholder`` false)."""
    flag = pa.array(np.zeros(accounts.num_rows, dtype=bool), pa.bool_())
    return accounts.add_column(accounts.schema.get_field_index("domain") + 1, "placeholder", flag)


def guest_account(batch: str, needed: bool) -> pa.Table:
    """The guest account as a row of ``accounts`` (none when ``needed`` is false)."""
    rows = 1 if needed else 0
    return pa.table(
        {
            "account_id": pa.array([GUEST_ACCOUNT_ID] * rows, pa.string()),
            "name": pa.array([c.GUEST_ACCOUNT_NAME] * rows, pa.string()),
            "placeholder": pa.array([True] * rows, pa.bool_()),
            "source_system": pa.array([c.SOURCE_SYSTEM] * rows, pa.string()),
            "source_id": pa.array([GUEST_ACCOUNT_ID] * rows, pa.string()),
            "import_batch_id": pa.array([batch] * rows, pa.string()),
        }
    )


def all_accounts(accounts: pa.Table, guests: pa.Table) -> pa.Table:
    """The generated accounts followed by the guest account, if there is one."""
    return pa.concat_tables([customer_accounts(accounts), guests], promote_options="default")
