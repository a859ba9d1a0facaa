"""The integrated data model: every table and column of the store, declared once.

Each column states the schema version that introduced it, so the store's forward migrations are
derived from this one declaration (see :mod:`revintel.store`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import ibis
import ibis.expr.datatypes as dt

#: Version of the schema declared below. Raise it when a table or column is added.
SCHEMA_VERSION = 10

#: Lineage columns carried by every row of every data table.
SOURCE_SYSTEM = "source_system"
SOURCE_ID = "source_id"
IMPORT_BATCH_ID = "import_batch_id"


@dataclass(frozen=True)
class Column:
    """One column: name, Ibis type, whether it must be filled, and the schema version adding it."""

    name: str
    dtype: dt.DataType
    required: bool = False
    since: int = 1
    description: str = ""


@dataclass(frozen=True)
class Table:
    """One table: its name, primary key, columns and the schema version that added it."""

    name: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    description: str = ""
    since: int = 1
    lineage: bool = True
    references: dict[str, str] = field(default_factory=dict)

    def column_names(self, version: int = SCHEMA_VERSION) -> list[str]:
        """Names of the columns present at ``version``."""
        return [c.name for c in self.columns_at(version)]

    def columns_at(self, version: int = SCHEMA_VERSION) -> list[Column]:
        """Columns present at ``version`` (lineage columns included)."""
        return [c for c in self.columns if c.since <= version]

    def ibis_schema(self, version: int = SCHEMA_VERSION) -> ibis.Schema:
        """The table's Ibis schema at ``version``."""
        return ibis.schema({c.name: c.dtype for c in self.columns_at(version)})

    def column(self, name: str) -> Column:
        """The column called ``name``; ``KeyError`` naming the table if absent."""
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"table {self.name!r} has no column {name!r}")


STR = dt.String()
INT = dt.Int64()
FLOAT = dt.Float64()
BOOL = dt.Boolean()
TS = dt.Timestamp(scale=6)
DATE = dt.Date()


def _c(
    name: str, dtype: dt.DataType, required: bool = False, since: int = 1, doc: str = ""
) -> Column:
    return Column(name, dtype, required, since, doc)


def _lineage() -> tuple[Column, ...]:
    return (
        _c(SOURCE_SYSTEM, STR, True, doc="system the row came from (salesforce, hubspot, synth…)"),
        _c(SOURCE_ID, STR, True, doc="the row's id in its source system"),
        _c(IMPORT_BATCH_ID, STR, True, doc="import batch that wrote the row"),
    )


def _money(prefix: str = "amount") -> tuple[Column, ...]:
    return (_c(prefix, FLOAT), _c("currency", STR, doc="ISO 4217 code, e.g. EUR"))


ACCOUNTS = Table(
    "accounts",
    ("account_id",),
    (
        _c("account_id", STR, True),
        _c("name", STR, True),
        _c("industry", STR),
        _c("segment", STR, doc="Enterprise, Mittelstand or Kleinunternehmen by default"),
        _c("country", STR, doc="ISO 3166 alpha-2"),
        _c("region", STR),
        _c("city", STR),
        _c("employees", INT),
        _c("revenue_band", STR),
        _c("owner_rep_id", STR),
        _c("created_at", TS),
        _c("domain", STR, since=2, doc="web domain, used to link the same company across sources"),
        _c(
            "placeholder",
            BOOL,
            since=4,
            doc="stands for orders without a customer number (guests); left out of customer models",
        ),
        *_lineage(),
    ),
    "Companies: prospects and customers with their firmographics.",
    references={"owner_rep_id": "reps"},
)

CONTACTS = Table(
    "contacts",
    ("contact_id",),
    (
        _c("contact_id", STR, True),
        _c("account_id", STR),
        _c("first_name", STR),
        _c("last_name", STR),
        _c("email", STR),
        _c("job_title", STR),
        _c("buying_role", STR, doc="decision maker, influencer, user…"),
        _c("created_at", TS),
        *_lineage(),
    ),
    "People at accounts.",
    references={"account_id": "accounts"},
)

REPS = Table(
    "reps",
    ("rep_id",),
    (
        _c("rep_id", STR, True),
        _c("name", STR, True),
        _c("email", STR),
        _c("team", STR),
        _c("region", STR),
        _c("manager", STR),
        _c("capacity_hours_per_week", FLOAT, doc="selling time available per week"),
        _c("hired_at", TS),
        *_lineage(),
    ),
    "Sales representatives with team, region and capacity.",
)

PRODUCTS = Table(
    "products",
    ("product_id",),
    (
        _c("product_id", STR, True),
        _c("name", STR, True),
        _c("family", STR),
        _c("list_price", FLOAT),
        _c("unit_cost", FLOAT),
        _c("currency", STR),
        *_lineage(),
    ),
    "Products with family, list price and unit cost.",
)

CAMPAIGNS = Table(
    "campaigns",
    ("campaign_id",),
    (
        _c("campaign_id", STR, True),
        _c("name", STR, True),
        _c("channel", STR),
        _c("kind", STR),
        _c("started_at", TS),
        _c("ended_at", TS),
        _c("budget", FLOAT),
        _c("currency", STR),
        *_lineage(),
    ),
    "Marketing campaigns and their channel.",
)

LEADS = Table(
    "leads",
    ("lead_id",),
    (
        _c("lead_id", STR, True),
        _c("account_id", STR),
        _c("contact_id", STR),
        _c("rep_id", STR, doc="sales rep the lead was routed to"),
        _c("channel", STR, doc="origin channel of the first touch"),
        _c("campaign_id", STR),
        _c("created_at", TS, True),
        _c("status", STR, doc="open, converted or disqualified"),
        _c("disqualified_reason", STR),
        *_lineage(),
    ),
    "Leads with their origin channel and campaign.",
    references={
        "account_id": "accounts",
        "contact_id": "contacts",
        "rep_id": "reps",
        "campaign_id": "campaigns",
    },
)

OPPORTUNITIES = Table(
    "opportunities",
    ("opportunity_id",),
    (
        _c("opportunity_id", STR, True),
        _c("name", STR),
        _c("account_id", STR),
        _c("lead_id", STR),
        _c("rep_id", STR),
        _c("product_id", STR, doc="main product of the deal"),
        *_money(),
        _c("list_price", FLOAT),
        _c("discount", FLOAT, doc="share of list price given away, 0–1"),
        _c("net_price", FLOAT),
        _c("created_at", TS, True),
        _c("expected_close_at", TS),
        _c("closed_at", TS),
        _c("status", STR, True, doc="open, won or lost"),
        _c("stage", STR, doc="current funnel milestone id"),
        _c("lost_reason", STR),
        *_lineage(),
    ),
    "Sales opportunities with value, price, discount and outcome.",
    references={
        "account_id": "accounts",
        "lead_id": "leads",
        "rep_id": "reps",
        "product_id": "products",
    },
)

MILESTONES = Table(
    "milestones",
    ("milestone_event_id",),
    (
        _c("milestone_event_id", STR, True),
        _c("entity_type", STR, True, doc="lead or opportunity"),
        _c("entity_id", STR, True),
        _c("lead_id", STR, doc="the journey's lead, also on opportunity milestones"),
        _c("account_id", STR),
        _c("milestone", STR, True, doc="milestone id of the funnel definition"),
        _c("occurred_at", TS, True),
        _c("source_stage", STR, doc="stage name as the source system calls it"),
        _c("actor", STR, doc="rep or system that moved the entity"),
        _c("reason", STR, doc="lost or disqualification reason on terminal milestones"),
        _c("inferred", BOOL, since=2, doc="implied by a later stage, not dated by the source"),
        *_lineage(),
    ),
    "Stage history: one row per entity reaching a funnel milestone.",
    references={"account_id": "accounts", "lead_id": "leads"},
)

TOUCHPOINTS = Table(
    "touchpoints",
    ("touchpoint_id",),
    (
        _c("touchpoint_id", STR, True),
        _c("account_id", STR),
        _c("contact_id", STR),
        _c("lead_id", STR),
        _c("opportunity_id", STR),
        _c("campaign_id", STR),
        _c("channel", STR, True),
        _c("kind", STR, True, doc="web visit, download, webinar, e-mail click, trade fair, call…"),
        _c("digital", BOOL, True),
        _c("self_service", BOOL, doc="the buyer acted alone, without a salesperson"),
        _c("occurred_at", TS, True),
        _c("cost", FLOAT),
        _c("currency", STR),
        _c("mobile", BOOL, since=6, doc="the buyer used a mobile device; empty when unknown"),
        _c(
            "content",
            STR,
            since=6,
            doc="content consumed (whitepaper, case study, price list, product video…)",
        ),
        *_lineage(),
    ),
    "Marketing and sales touchpoints along a buyer's journey.",
    references={"account_id": "accounts", "lead_id": "leads", "campaign_id": "campaigns"},
)

MARKETING_COSTS = Table(
    "marketing_costs",
    ("cost_id",),
    (
        _c("cost_id", STR, True, since=6),
        _c("channel", STR, since=6, doc="channel the money was spent on"),
        _c("campaign_id", STR, since=6, doc="campaign the money was spent on, if any"),
        _c("period_start", DATE, True, since=6, doc="first day the cost covers"),
        _c("period_end", DATE, True, since=6, doc="last day the cost covers"),
        _c("amount", FLOAT, True, since=6),
        _c("currency", STR, since=6, doc="ISO 4217 code, e.g. EUR"),
        _c("kind", STR, since=6, doc="media, agency, event, tools, personnel…"),
        *_lineage(),
    ),
    "Marketing spend per channel or campaign and period, beside the costs of single touchpoints.",
    since=6,
    references={"campaign_id": "campaigns"},
)

PRICE_ADJUSTMENTS = Table(
    "price_adjustments",
    ("adjustment_id",),
    (
        _c("adjustment_id", STR, True, since=7),
        _c("order_id", STR, True, since=7, doc="order the off-invoice item belongs to"),
        _c(
            "order_line_id",
            STR,
            since=7,
            doc="line it belongs to; empty: spread over the order's lines by net amount",
        ),
        _c(
            "kind",
            STR,
            True,
            since=7,
            doc="rebate, freight, payment_terms, bonus or other off-invoice item",
        ),
        _c("amount", FLOAT, True, since=7, doc="what the item costs the seller (positive)"),
        _c("currency", STR, since=7, doc="ISO 4217 code, e.g. EUR"),
        _c("occurred_at", TS, since=7, doc="when it was granted or paid; empty: the order date"),
        *(Column(c.name, c.dtype, c.required, 7, c.description) for c in _lineage()),
    ),
    "Off-invoice items per order or order line (rebates, freight, payment terms, bonuses): "
    "the steps from invoice price to pocket price.",
    since=7,
    references={"order_id": "orders", "order_line_id": "order_lines"},
)

ACTIVITIES = Table(
    "activities",
    ("activity_id",),
    (
        _c("activity_id", STR, True, since=10),
        _c("rep_id", STR, since=10, doc="rep who did it"),
        _c("account_id", STR, True, since=10, doc="account it was spent on"),
        _c("opportunity_id", STR, since=10, doc="deal it belonged to, if any"),
        _c("kind", STR, True, since=10, doc="call, visit, meeting or email"),
        _c("occurred_at", TS, True, since=10, doc="when it started"),
        _c("duration_minutes", FLOAT, since=10, doc="time spent; empty when not recorded"),
        *(Column(c.name, c.dtype, c.required, 10, c.description) for c in _lineage()),
    ),
    "Sales activities as a CRM logs them (tasks, events, engagements): who spent how much time "
    "on which account, and how.",
    since=10,
    references={"rep_id": "reps", "account_id": "accounts", "opportunity_id": "opportunities"},
)

QUOTES = Table(
    "quotes",
    ("quote_id",),
    (
        _c("quote_id", STR, True),
        _c("opportunity_id", STR),
        _c("account_id", STR),
        _c("created_at", TS, True),
        _c("valid_until", TS),
        _c("list_price", FLOAT),
        _c("discount", FLOAT),
        *_money(),
        _c("status", STR, doc="sent, accepted, rejected or expired"),
        *_lineage(),
    ),
    "Quotes (offers) sent to accounts.",
    references={"opportunity_id": "opportunities", "account_id": "accounts"},
)

ORDERS = Table(
    "orders",
    ("order_id",),
    (
        _c("order_id", STR, True),
        _c("account_id", STR, True),
        _c("opportunity_id", STR),
        _c("rep_id", STR),
        _c("ordered_at", TS, True),
        _c("channel", STR, doc="how the order arrived: field sales, inside sales, webshop, EDI"),
        *_money(),
        _c("kind", STR, since=4, doc="order, or return (a cancellation or credit note)"),
        _c("original_order_id", STR, since=4, doc="for a return: the order it reverses, if known"),
        *_lineage(),
    ),
    "Orders (order intake), with or without an opportunity before them; returns as negative ones.",
    references={
        "account_id": "accounts",
        "opportunity_id": "opportunities",
        "original_order_id": "orders",
    },
)

ORDER_LINES = Table(
    "order_lines",
    ("order_line_id",),
    (
        _c("order_line_id", STR, True),
        _c("order_id", STR, True),
        _c("product_id", STR, True),
        _c("quantity", FLOAT),
        _c("unit_price", FLOAT),
        _c("discount", FLOAT),
        _c("net_amount", FLOAT),
        _c("cost", FLOAT),
        _c("currency", STR),
        *_lineage(),
    ),
    "Order lines: product, quantity, price, discount, margin.",
    references={"order_id": "orders", "product_id": "products"},
)

TARGETS = Table(
    "targets",
    ("target_id",),
    (
        _c("target_id", STR, True, since=2),
        _c("period_start", DATE, True, since=2),
        _c("period_end", DATE, True, since=2),
        _c("team", STR, since=2),
        _c("rep_id", STR, since=2),
        _c("segment", STR, since=2),
        _c("amount", FLOAT, True, since=2, doc="money for order_intake, a count otherwise"),
        _c("currency", STR, since=2),
        *(Column(c.name, c.dtype, c.required, 2, c.description) for c in _lineage()),
        _c(
            "measure",
            STR,
            since=9,
            doc="order_intake (the default) or a count of mqls, sals, sqls or opportunities",
        ),
    ),
    "Targets per period, team, rep or segment: order intake, or counts of funnel milestones.",
    since=2,
)

ACCOUNT_MATCH_DECISIONS = Table(
    "account_match_decisions",
    ("pair_id",),
    (
        _c("pair_id", STR, True, since=3, doc="stable id of the unordered account pair"),
        _c("account_id_l", STR, True, since=3),
        _c("account_id_r", STR, True, since=3),
        _c("decision", STR, True, since=3, doc="accepted (same company) or rejected"),
        _c("match_probability", FLOAT, since=3),
        _c("decided_at", TS, True, since=3),
        _c("decided_by", STR, since=3),
    ),
    "A user's decision on a candidate pair of duplicate accounts.",
    since=3,
    lineage=False,
    references={"account_id_l": "accounts", "account_id_r": "accounts"},
)

MODELS = Table(
    "models",
    ("model_id",),
    (
        _c("model_id", STR, True, since=3),
        _c("kind", STR, True, since=3, doc="what the model predicts, e.g. lead_to_sql, deal_win"),
        _c("algorithm", STR, since=3),
        _c("trained_at", TS, True, since=3),
        _c("train_from", TS, since=3),
        _c("train_to", TS, since=3, doc="prediction times up to here were used for fitting"),
        _c("test_to", TS, since=3, doc="out-of-time evaluation window ends here"),
        _c("features", STR, since=3, doc="feature names as JSON"),
        _c("metrics", STR, since=3, doc="out-of-time metrics of the model as JSON"),
        _c("baseline_metrics", STR, since=3, doc="out-of-time metrics of the baselines as JSON"),
        _c("library_versions", STR, since=3, doc="versions of the fitting libraries as JSON"),
        _c("artifact", STR, since=3, doc="the fitted model, serialised (base64)"),
        _c("status", STR, since=3, doc="active, retired or fallback"),
    ),
    "Registry of trained scoring models with their windows, features and evaluation.",
    since=3,
    lineage=False,
)

SCORES = Table(
    "scores",
    ("score_id",),
    (
        _c("score_id", STR, True, since=3),
        _c("model_id", STR, True, since=3),
        _c("kind", STR, True, since=3),
        _c("entity_type", STR, True, since=3, doc="lead or opportunity"),
        _c("entity_id", STR, True, since=3),
        _c("score", FLOAT, True, since=3, doc="calibrated probability"),
        _c("scored_at", TS, True, since=3),
        _c("reasons", STR, since=3, doc="top positive and negative reasons as JSON (de/en)"),
    ),
    "Scores of leads and opportunities, with the model that produced them and its reasons.",
    since=3,
    lineage=False,
    references={"model_id": "models"},
)

CUSTOM_FIELDS = Table(
    "custom_fields",
    ("table_name", "field_name"),
    (
        _c("table_name", STR, True, since=4, doc="the model table the field belongs to"),
        _c("field_name", STR, True, since=4),
        _c("field_type", STR, True, since=4, doc="number, text, flag or date"),
        _c("label", STR, since=4, doc="the source's header, shown in breakdowns"),
        *(Column(c.name, c.dtype, c.required, 4, c.description) for c in _lineage()),
    ),
    "A source's own attributes declared in a mapping: name and type per table.",
    since=4,
)

CUSTOM_VALUES = Table(
    "custom_values",
    ("table_name", "record_id", "field_name"),
    (
        _c("table_name", STR, True, since=4),
        _c("record_id", STR, True, since=4, doc="key of the record in its table"),
        _c("field_name", STR, True, since=4),
        _c("number_value", FLOAT, since=4),
        _c("text_value", STR, since=4),
        _c("flag_value", BOOL, since=4),
        _c("date_value", TS, since=4),
        _c("observed_at", TS, since=4, doc="when the value was true; unknown: the import's time"),
        *(Column(c.name, c.dtype, c.required, 4, c.description) for c in _lineage()),
    ),
    "Values of custom fields, one row per record and field (typed column by field_type).",
    since=4,
)

FX_RATES = Table(
    "fx_rates",
    ("currency", "valid_from"),
    (
        _c("currency", STR, True, since=4, doc="ISO 4217 code converted from"),
        _c("valid_from", DATE, True, since=4, doc="first day the rate applies"),
        _c("rate", FLOAT, True, since=4, doc="units of the store currency for one unit"),
        *(Column(c.name, c.dtype, c.required, 4, c.description) for c in _lineage()),
    ),
    "Exchange rates into the store currency, each valid from its date to the next one.",
    since=4,
)

IMPORT_BATCHES = Table(
    "import_batches",
    ("import_batch_id",),
    (
        _c("import_batch_id", STR, True),
        _c("source_system", STR, True),
        _c("preset", STR),
        _c("files", STR, doc="files read, separated by newlines"),
        _c("started_at", TS, True),
        _c("finished_at", TS),
        _c("status", STR, doc="committed, failed or undone"),
        _c("rows_read", INT),
        _c("rows_accepted", INT),
        _c("rows_rejected", INT),
        _c("undone_at", TS, since=4, doc="when `revintel import undo` removed what it wrote"),
        _c("as_of", TS, since=4, doc="date given for undated records (`--as-of`), if any"),
    ),
    "One row per load into the store.",
    lineage=False,
)

REJECTED_ROWS = Table(
    "rejected_rows",
    ("rejected_row_id",),
    (
        _c("rejected_row_id", STR, True),
        _c("import_batch_id", STR, True),
        _c("file", STR, True),
        _c("row_number", INT, True, doc="1-based line in the file, header = 1"),
        _c("column", STR),
        _c("value", STR),
        _c("reason", STR, True),
        _c("target_table", STR),
        _c("raw", STR, doc="the whole source row as JSON"),
        _c(
            "superseded",
            BOOL,
            since=4,
            doc="a later import of the same file replaced this batch's rejections",
        ),
    ),
    "Rows an import could not accept, with file, row, column, value and reason.",
    lineage=False,
    references={"import_batch_id": "import_batches"},
)

#: The data model's tables, in load order (referenced tables first).
TABLES: tuple[Table, ...] = (
    REPS,
    ACCOUNTS,
    CONTACTS,
    PRODUCTS,
    CAMPAIGNS,
    LEADS,
    OPPORTUNITIES,
    MILESTONES,
    TOUCHPOINTS,
    MARKETING_COSTS,
    QUOTES,
    ORDERS,
    ORDER_LINES,
    PRICE_ADJUSTMENTS,
    ACTIVITIES,
    TARGETS,
    CUSTOM_FIELDS,
    CUSTOM_VALUES,
    FX_RATES,
    IMPORT_BATCHES,
    REJECTED_ROWS,
)

REPLACED_ROWS = Table(
    "replaced_rows",
    ("import_batch_id", "table_name", "replaced_batch_id", "part"),
    (
        _c("import_batch_id", STR, True, since=4, doc="the import that replaced the rows"),
        _c("table_name", STR, True, since=4),
        _c("replaced_batch_id", STR, True, since=4, doc="the import that had written them"),
        _c("part", INT, True, since=4, doc="number of the block of rows, from 1"),
        _c("row_count", INT, True, since=4),
        _c(
            "rows",
            STR,
            True,
            since=4,
            doc="the rows as they were: an Arrow IPC stream, base64 (text on every engine)",
        ),
    ),
    "Rows an import replaced, as they were before, so that `revintel import undo` restores them.",
    since=4,
    lineage=False,
)

ACCOUNT_CAMPAIGNS = Table(
    "account_campaigns",
    ("campaign_id",),
    (
        _c("campaign_id", STR, True, since=5),
        _c("name", STR, True, since=5),
        _c("product_family", STR, True, since=5, doc="the product family the campaign offers"),
        _c("created_at", TS, True, since=5),
        _c("as_of", DATE, True, since=5, doc="last day of the purchases the selection read"),
        _c("size", INT, True, since=5, doc="accounts in the treatment group"),
        _c("control_size", INT, True, since=5, doc="accounts held out as the control group"),
        _c("control_share", FLOAT, True, since=5, doc="control accounts / all selected accounts"),
        _c("seed", INT, True, since=5, doc="seed of the random split into treatment and control"),
        _c("created_by", STR, since=5),
        _c("status", STR, since=5, doc="active or closed"),
        _c("method", STR, since=5, doc="cross-selling method that scored the propensity"),
        _c(
            "notes",
            STR,
            since=5,
            doc="how propensity and expected margin were computed, as JSON",
        ),
    ),
    "Cross-selling micro-campaigns: one product family offered to selected accounts, with a "
    "random control group (not to be confused with the marketing `campaigns`).",
    since=5,
    lineage=False,
)

ACCOUNT_CAMPAIGN_MEMBERS = Table(
    "account_campaign_members",
    ("campaign_id", "account_id"),
    (
        _c("campaign_id", STR, True, since=5),
        _c("account_id", STR, True, since=5),
        _c("group", STR, True, since=5, doc="treatment (contacted) or control (held out)"),
        _c("propensity", FLOAT, since=5, doc="relative cross-selling propensity, 0 to 1"),
        _c("expected_margin", FLOAT, since=5, doc="expected margin of an order of the family"),
        _c("priority", FLOAT, since=5, doc="propensity × expected margin"),
        _c("rank", INT, since=5, doc="rank by priority among the selected accounts, 1 = best"),
        _c(
            "recommendations",
            STR,
            since=5,
            doc="the family's products recommended to the account, with reasons, as JSON",
        ),
    ),
    "The accounts of each cross-selling micro-campaign and their group.",
    since=5,
    lineage=False,
    references={"campaign_id": "account_campaigns", "account_id": "accounts"},
)

ATTRIBUTION_CREDITS = Table(
    "attribution_credits",
    ("credit_id",),
    (
        _c("credit_id", STR, True, since=6),
        _c("model", STR, True, since=6, doc="attribution model (linear, markov, shapley…)"),
        _c("milestone", STR, True, since=6, doc="the milestone the conversions reached"),
        _c("level", STR, True, since=6, doc="journeys of leads, opportunities or accounts"),
        _c("period", DATE, True, since=6, doc="first day of the month of the conversion"),
        _c("channel", STR, True, since=6, doc="channel credited; (baseline) for none"),
        _c("campaign_id", STR, since=6, doc="campaign of the credited touches"),
        _c("segment", STR, since=6, doc="segment of the converting account"),
        _c("conversions", FLOAT, True, since=6),
        _c("revenue", FLOAT, since=6, doc="value of the conversions credited, store currency"),
        _c("margin", FLOAT, since=6, doc="margin of the conversions credited, store currency"),
        _c("computed_at", TS, True, since=6),
    ),
    "Conversions, revenue and margin credited to channels and campaigns by each attribution "
    "model, per milestone and month: what the attributed pipeline, revenue and ROI KPIs read.",
    since=6,
    lineage=False,
)

PRICE_TERMS = Table(
    "price_terms",
    ("term_id",),
    (
        _c("term_id", STR, True, since=7),
        _c("group_by", STR, True, since=7, doc="account column forming the customer groups"),
        _c("customer_group", STR, True, since=7, doc="value of that column; * for every group"),
        _c("kind", STR, True, since=7, doc="rebate, freight, payment_terms, bonus or other"),
        _c("rate", FLOAT, True, since=7, doc="share of the invoice amount, 0.02 = 2 %"),
        _c("source_file", STR, since=7, doc="the YAML file the terms came from"),
        _c("imported_at", TS, True, since=7),
    ),
    "Off-invoice terms per customer group, applied to orders without an imported item of the "
    "same kind.",
    since=7,
    lineage=False,
)

PRICE_BANDS = Table(
    "price_bands",
    ("band_id",),
    (
        _c("band_id", STR, True, since=7),
        _c("fit_id", STR, True, since=7, doc="the fit that found the band"),
        _c("segment", STR, True, since=7, doc="readable description of the band's deals"),
        _c("rules", STR, since=7, doc="the conditions defining the segment, as JSON"),
        _c("floor", FLOAT, True, since=7, doc="lowest price to accept, as a share of list price"),
        _c("target", FLOAT, True, since=7, doc="typical won price, as a share of list price"),
        _c("stretch", FLOAT, True, since=7, doc="ambitious price, as a share of list price"),
        _c("won_deals", INT, True, since=7, doc="won deals the band's prices come from"),
        _c("deals", INT, since=7, doc="closed deals of the segment"),
        _c("fitted_at", TS, True, since=7),
    ),
    "Price bands (floor, target, stretch) per segment of comparable deals, from won prices.",
    since=7,
    lineage=False,
)

PRICE_BAND_DEALS = Table(
    "price_band_deals",
    ("fit_id", "opportunity_id"),
    (
        _c("fit_id", STR, True, since=7),
        _c("opportunity_id", STR, True, since=7),
        _c("band_id", STR, True, since=7),
        _c("price_ratio", FLOAT, since=7, doc="the deal's price as a share of its list price"),
        _c("position", STR, since=7, doc="below_floor, floor_target, target_stretch, above"),
    ),
    "Which band each deal belongs to in a fit, and where its price sits in it.",
    since=7,
    lineage=False,
    references={"opportunity_id": "opportunities", "band_id": "price_bands"},
)

PRICE_MODELS = Table(
    "price_models",
    ("fit_id",),
    (
        _c("fit_id", STR, True, since=7),
        _c("fitted_at", TS, True, since=7),
        _c("as_of", TS, True, since=7, doc="deals closed up to here were used"),
        _c("algorithm", STR, since=7, doc="price-response model chosen on the validation window"),
        _c("metrics", STR, since=7, doc="out-of-time evaluation, as JSON"),
        _c("artifact", STR, True, since=7, doc="bands, response model and comparable deals"),
    ),
    "Fitted price models: bands, price response and the deals guidance compares with.",
    since=7,
    lineage=False,
)

LEAD_DECISIONS = Table(
    "lead_decisions",
    ("decision_id",),
    (
        _c("decision_id", STR, True, since=8),
        _c("lead_id", STR, True, since=8),
        _c("action", STR, True, since=8, doc="accept, reject, recycle or reassign"),
        _c("reason", STR, since=8, doc="rejection reason id of the configured list"),
        _c("note", STR, since=8, doc="free text of the person deciding"),
        _c("actor", STR, True, since=8, doc="user who decided"),
        _c("decided_at", TS, True, since=8, doc="wall-clock time of the store's zone"),
        _c("rep_before", STR, since=8),
        _c("rep_after", STR, since=8),
        _c("state_before", STR, since=8, doc="waiting, accepted, rejected or recycled"),
        _c("state_after", STR, since=8, doc="waiting, accepted, rejected or recycled"),
        _c("milestone_event_id", STR, since=8, doc="the milestone event the decision wrote"),
        _c("import_batch_id", STR, since=8, doc="the batch holding the decision's writes"),
    ),
    "Sales decisions on marketing qualified leads: who accepted, rejected, recycled or "
    "reassigned which lead when, with the state before and after.",
    since=8,
    lineage=False,
    references={"lead_id": "leads"},
)

TARGET_CHANGES = Table(
    "target_changes",
    ("change_id",),
    (
        _c("change_id", STR, True, since=9),
        _c("target_id", STR, True, since=9),
        _c("action", STR, True, since=9, doc="create, update, delete or import"),
        _c("actor", STR, True, since=9, doc="user who changed the target"),
        _c("changed_at", TS, True, since=9, doc="wall-clock time of the store's zone"),
        _c("before", STR, since=9, doc="the target row before, as JSON (null when created)"),
        _c("after", STR, since=9, doc="the target row after, as JSON (null when deleted)"),
        _c("note", STR, since=9, doc="why, in the words of the person changing it"),
    ),
    "Every change to a target: who set, changed or removed which target when, before and after.",
    since=9,
    lineage=False,
)

#: Tables revintel keeps for itself beside the data model: decisions, models, scores, the rows
#: imports replaced, and cross-selling campaigns.
SYSTEM_TABLES: tuple[Table, ...] = (
    ACCOUNT_MATCH_DECISIONS,
    MODELS,
    SCORES,
    REPLACED_ROWS,
    ACCOUNT_CAMPAIGNS,
    ACCOUNT_CAMPAIGN_MEMBERS,
    ATTRIBUTION_CREDITS,
    PRICE_TERMS,
    PRICE_BANDS,
    PRICE_BAND_DEALS,
    PRICE_MODELS,
    LEAD_DECISIONS,
    TARGET_CHANGES,
)

#: Every table of the store, data model first.
ALL_TABLES: tuple[Table, ...] = TABLES + SYSTEM_TABLES

TABLES_BY_NAME: dict[str, Table] = {t.name: t for t in ALL_TABLES}


def table(name: str) -> Table:
    """The table called ``name``; a ``KeyError`` listing the known tables otherwise."""
    try:
        return TABLES_BY_NAME[name]
    except KeyError:
        known = ", ".join(TABLES_BY_NAME)
        raise KeyError(f"unknown table {name!r}; known tables: {known}") from None


def tables_at(version: int) -> Iterator[Table]:
    """Tables present at schema ``version``."""
    return (t for t in ALL_TABLES if t.since <= version)
