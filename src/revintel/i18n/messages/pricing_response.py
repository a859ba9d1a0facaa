"""German and English texts of the price response: its evaluation, curve and optimum."""

#: key → (German, English).
MESSAGES: dict[str, tuple[str, str]] = {
    "pricing_response.title": (
        "Preisreaktion: Gewinnchance je Rabatt, Testfenster {start} bis {end}",
        "Price response: win chance by discount, test window {start} to {end}",
    ),
    "pricing_response.model": ("Modell", "Model"),
    "pricing_response.chosen": ("gewählt", "chosen"),
    "pricing_response.True": ("ja", "yes"),
    "pricing_response.False": ("nein", "no"),
    "pricing_response.auc": ("AUC", "AUC"),
    "pricing_response.log_loss": ("Log-Loss", "Log loss"),
    "pricing_response.brier": ("Brier-Score", "Brier score"),
    "pricing_response.model.logistic": ("Logistische Regression", "Logistic regression"),
    "pricing_response.model.lightgbm_monotone": (
        "LightGBM, monoton im Preis",
        "LightGBM, monotone in price",
    ),
    "pricing_response.model.discount_blind": ("ohne Rabatt (Vergleich)", "discount-blind baseline"),
    "pricing_response.slope": (
        "Steigung: {slope} Logit je Einheit Rabatt über Zielrabatt "
        "(95 %-Intervall {low} bis {high})",
        "Slope: {slope} logit per unit of discount above target (95 % interval {low} to {high})",
    ),
    "pricing_response.curve_title": (
        "Gewinnchance von {deal} je Rabatt (Listenpreis {list_price}, Kosten {cost})",
        "Win chance of {deal} by discount (list price {list_price}, cost {cost})",
    ),
    "pricing_response.discount": ("Rabatt", "Discount"),
    "pricing_response.price": ("Preis", "Price"),
    "pricing_response.win_probability": ("Gewinnchance", "Win chance"),
    "pricing_response.lower": ("untere Grenze (90 %)", "lower bound (90 %)"),
    "pricing_response.upper": ("obere Grenze (90 %)", "upper bound (90 %)"),
    "pricing_response.expected_margin": ("erwartete Marge", "Expected margin"),
    "pricing_response.optimal": ("optimal", "optimal"),
    "pricing_response.optimum": (
        "Margenoptimaler Rabatt {discount} (90 %-Intervall {low} bis {high}): Preis {price}, "
        "Gewinnchance {win}, erwartete Marge {margin}",
        "Margin-optimal discount {discount} (90 % interval {low} to {high}): price {price}, "
        "win chance {win}, expected margin {margin}",
    ),
    "pricing_response.unknown_deal": (
        "Verkaufschance {deal} nicht gefunden (oder ohne positiven Listenpreis)",
        "opportunity {deal} not found (or without a positive list price)",
    ),
}
