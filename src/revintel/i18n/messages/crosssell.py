"""Cross-selling: why a product is recommended (``revintel.customers.Reason``).

Placeholders: ``{source}`` the bought product or family, ``{target}`` the recommended one,
``{accounts}`` how many accounts bought it. Render with ``t(reason.message_key)`` and
``str.format(**reason.placeholders())``.
"""

#: key → (German, English).
MESSAGES: dict[str, tuple[str, str]] = {
    "crosssell.reason.family_affinity": (
        "Kunden, die {source} kaufen, kaufen meist auch {target}",
        "accounts that buy {source} usually also buy {target}",
    ),
    "crosssell.reason.product_affinity": (
        "Kunden, die {source} kaufen, kaufen meist auch {target}",
        "accounts that buy {source} usually also buy {target}",
    ),
    "crosssell.reason.popular": (
        "Eines der meistgekauften Produkte ({accounts} Kunden)",
        "one of the most bought products ({accounts} accounts)",
    ),
}
