"""Customer development: repeat purchases, customer value, churn early warning and cross-selling.

The models read orders and order lines as of a date and predict what each account does next:
whether it is still buying, how many orders and how much value to expect, which products it
is likely to add. They sit below forecasting and scoring, which use them as inputs.
"""

from revintel.customers._bgbb import BetaGeoBetaBinomModel
from revintel.customers._bgnbd import BetaGeoModel
from revintel.customers._calibration import calibration_holdout_table, repeat_purchase_tracking
from revintel.customers._crosssell import (
    METHODS,
    PurchaseHistory,
    make_recommender,
    read_purchase_history,
    recommend_products,
)
from revintel.customers._gammagamma import GammaGammaModel
from revintel.customers._mbgnbd import ModifiedBetaGeoModel
from revintel.customers._paretonbd import ParetoNBDModel
from revintel.customers._product_rules import ProductRulesError, load_product_rules
from revintel.customers._recommend_eval import crosssell_accuracy_table, evaluate_out_of_time
from revintel.customers._recommendations import Reason, Recommender
from revintel.customers._summary import purchase_summary
from revintel.customers._value import customer_value

__all__ = [
    "METHODS",
    "BetaGeoBetaBinomModel",
    "BetaGeoModel",
    "GammaGammaModel",
    "ModifiedBetaGeoModel",
    "ParetoNBDModel",
    "ProductRulesError",
    "PurchaseHistory",
    "Reason",
    "Recommender",
    "calibration_holdout_table",
    "crosssell_accuracy_table",
    "customer_value",
    "evaluate_out_of_time",
    "load_product_rules",
    "make_recommender",
    "purchase_summary",
    "read_purchase_history",
    "recommend_products",
    "repeat_purchase_tracking",
]
