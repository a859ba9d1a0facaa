"""The store's currency: the ISO 4217 currency every aggregate amount is expressed in.

Amounts are stored as their source wrote them, each with its own ``currency`` column; sums and
averages are converted into the store currency with the ``fx_rates`` table (see
:mod:`revintel.metrics`). The currency is kept in the store's key/value metadata table (key
``currency``); a store without one uses :data:`DEFAULT_CURRENCY`.
"""

from __future__ import annotations

from babel.numbers import list_currencies

from revintel.store._migrations import read_meta, write_meta
from revintel.store._store import Store, StoreError

#: The currency of a store that names none.
DEFAULT_CURRENCY = "EUR"
_KEY = "currency"


class UnknownCurrencyError(StoreError, ValueError):
    """A code that is no ISO 4217 currency."""


def parse_currency(code: str) -> str:
    """The ISO 4217 code ``code`` in capitals; :class:`UnknownCurrencyError` naming it otherwise.

    Examples
    --------
    >>> parse_currency(" chf ")
    'CHF'
    """
    cleaned = code.strip().upper()
    # XXX and XTS are ISO codes for "no currency" and "testing": no amount is kept in them.
    if len(cleaned) != 3 or cleaned in ("XXX", "XTS") or cleaned not in list_currencies():
        raise UnknownCurrencyError(
            f"unknown currency {code!r} (an ISO 4217 code, e.g. EUR, CHF, GBP or USD)"
        )
    return cleaned


def store_currency(store: Store) -> str:
    """The store's currency (read once per connection; :data:`DEFAULT_CURRENCY` if unset)."""
    if store.currency_cache is None:
        store.currency_cache = parse_currency(read_meta(store.backend, _KEY) or DEFAULT_CURRENCY)
    return store.currency_cache


def _holds_amounts(store: Store) -> bool:
    counts = store.row_counts()
    money = ("opportunities", "orders", "order_lines", "quotes", "targets", "fx_rates")
    return any(counts.get(n, 0) > 0 for n in money)


def set_store_currency(store: Store, code: str, *, force: bool = False) -> str:
    """Make ``code`` the store's currency.

    Stored amounts are not converted, and exchange rates are quoted in the store currency: a
    store holding amounts refuses a different currency unless ``force``, since every figure
    and every stored rate would afterwards be read in the new currency.

    Raises
    ------
    UnknownCurrencyError
        ``code`` is no ISO 4217 currency.
    StoreError
        The store holds amounts, the currency differs and ``force`` is false.
    """
    currency = parse_currency(code)
    current = store_currency(store)
    if currency == current:
        return currency
    if not force and _holds_amounts(store):
        raise StoreError(
            f"the store already holds amounts with {current} as its currency; changing it to "
            f"{currency} would restate every figure and exchange rate: use --force to change "
            "it anyway (amounts and rates are not converted), or import into a new store"
        )
    with store.transaction():
        write_meta(store.backend, _KEY, currency)
    store.currency_cache = currency
    return currency


__all__ = [
    "DEFAULT_CURRENCY",
    "UnknownCurrencyError",
    "parse_currency",
    "set_store_currency",
    "store_currency",
]
