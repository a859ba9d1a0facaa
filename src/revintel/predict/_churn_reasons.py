"""Reason sentences of the churn early warning's features, in German and English.

Same shape as :data:`revintel.predict._reasons.TEMPLATES`: (German, English, value format).
Money amounts are in the store's currency, which the feature does not carry: no symbol.
"""

from __future__ import annotations

CHURN_TEMPLATES: dict[str, tuple[str, str, str]] = {
    "days_since_order": ("seit {v} Tagen keine Bestellung", "no order for {v} days", "int"),
    "gap_ratio": (
        "Bestellpause {v}× so lang wie sonst",
        "order gap {v}× the usual one",
        "ratio",
    ),
    "median_gap_days": ("bestellt sonst alle {v} Tage", "usually orders every {v} days", "int"),
    "customer_days": ("Kunde seit {v} Tagen", "customer for {v} days", "int"),
    "orders_90d": ("{v} Bestellungen in 90 Tagen", "{v} orders in 90 days", "int"),
    "orders_365d": ("{v} Bestellungen in 12 Monaten", "{v} orders in 12 months", "int"),
    "order_count_trend": (
        "{v} % der Bestellungen des Jahres im letzten Halbjahr",
        "{v} % of the year's orders in the last six months",
        "pct",
    ),
    "value_90d": ("Bestellwert in 90 Tagen {v}", "order value in 90 days {v}", "int"),
    "value_365d": ("Bestellwert in 12 Monaten {v}", "order value in 12 months {v}", "int"),
    "order_value_trend": (
        "{v} % des Jahresbestellwerts im letzten Halbjahr",
        "{v} % of the year's order value in the last six months",
        "pct",
    ),
    "products_365d": ("{v} Produkte in 12 Monaten", "{v} products in 12 months", "int"),
    "families_365d": (
        "{v} Produktfamilien in 12 Monaten",
        "{v} product families in 12 months",
        "int",
    ),
    "breadth_trend": (
        "{v} % der Produkte des Jahres im letzten Halbjahr bestellt",
        "{v} % of the year's products ordered in the last six months",
        "pct",
    ),
    "p_alive": (
        "noch aktiv mit Wahrscheinlichkeit {v} %",
        "still active with probability {v} %",
        "pct",
    ),
    "p_no_order": (
        "keine Bestellung im Zeitfenster mit Wahrscheinlichkeit {v} %",
        "no order within the window with probability {v} %",
        "pct",
    ),
    "expected_order_value": (
        "erwarteter Bestellwert {v}",
        "expected order value {v}",
        "int",
    ),
    "days_since_marketing": (
        "letzter Marketingkontakt vor {v} Tagen",
        "last marketing touch {v} days ago",
        "int",
    ),
    "days_since_sales_touch": (
        "letzter Vertriebskontakt vor {v} Tagen",
        "last sales touch {v} days ago",
        "int",
    ),
    "open_opportunities": ("{v} offene Opportunities", "{v} open opportunities", "int"),
    "quotes_declined_365d": (
        "{v} abgelehnte Angebote in 12 Monaten",
        "{v} quotes declined in 12 months",
        "int",
    ),
}
