"""Texts about the store currency and exchange rates."""

#: key → (German, English).
MESSAGES: dict[str, tuple[str, str]] = {
    "currency.missing_rate": (
        "Beträge {amounts} haben keinen Wechselkurs; Kurse mit revintel fx import einlesen",
        "amounts {amounts} have no exchange rate; import rates with revintel fx import",
    ),
    "currency.in": ("in {currency} {span}", "in {currency} {span}"),
    "currency.span": ("vom {first} bis {last}", "from {first} to {last}"),
    "currency.span_one": ("ab {first}", "from {first}"),
    "currency.and": (" und ", " and "),
}
