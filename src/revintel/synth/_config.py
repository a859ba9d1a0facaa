"""Parameters of the demo company: sizes, catalogues and the planted truth of its processes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np


@dataclass(frozen=True)
class SynthConfig:
    """Size, period and seed of a generated demo company.

    Examples
    --------
    >>> SynthConfig(leads=1_000).leads
    1000
    """

    seed: int = 42
    leads: int = 60_000
    accounts: int = 3_000
    reps: int = 20
    years: int = 5
    start: date = date(2020, 1, 1)
    currency: str = "EUR"
    #: Leads generated and written at a time: a larger company is made in blocks this size
    #: (memory follows the block); one of at most this size is made in one piece.
    block_leads: int = 1_000_000

    @property
    def end(self) -> date:
        """First day after the history (the as-of date is the day before)."""
        return date(self.start.year + self.years, self.start.month, self.start.day)

    @property
    def days(self) -> int:
        """Length of the history in days."""
        return (self.end - self.start).days


SOURCE_SYSTEM = "synth"

INDUSTRIES = (
    "Maschinenbau",
    "Automotive",
    "Chemie",
    "Elektrotechnik",
    "Medizintechnik",
    "Lebensmittel",
    "Logistik",
    "Energie",
)
INDUSTRY_WEIGHTS = np.array([0.26, 0.16, 0.1, 0.13, 0.08, 0.1, 0.09, 0.08])
# Effect of the industry on the logit of every opportunity-stage step.
INDUSTRY_EFFECT = np.array([0.15, -0.15, 0.0, 0.1, 0.2, -0.1, -0.05, 0.05])

SEGMENTS = ("Enterprise", "Mittelstand", "Kleinunternehmen")
SEGMENT_EFFECT = np.array([-0.15, 0.1, -0.05])
SEGMENT_SPEED = np.array([1.4, 1.0, 0.75])  # multiplies every duration
# Multiplies the durations of the opportunity stages, per industry (regulated ones are slower).
INDUSTRY_SPEED = np.array([1.0, 1.1, 1.15, 0.95, 1.3, 0.9, 0.85, 1.1])
SEGMENT_DEAL_SIZE = np.array([3.0, 1.0, 0.45])

REGIONS = ("Nord", "Süd", "West", "Ost", "International")
REGION_WEIGHTS = np.array([0.2, 0.3, 0.25, 0.15, 0.1])
CITIES = {
    "Nord": (("Hamburg", "DE"), ("Bremen", "DE"), ("Hannover", "DE"), ("Kiel", "DE")),
    "Süd": (("München", "DE"), ("Stuttgart", "DE"), ("Nürnberg", "DE"), ("Ulm", "DE")),
    "West": (("Köln", "DE"), ("Düsseldorf", "DE"), ("Dortmund", "DE"), ("Bielefeld", "DE")),
    "Ost": (("Berlin", "DE"), ("Leipzig", "DE"), ("Dresden", "DE"), ("Chemnitz", "DE")),
    "International": (("Wien", "AT"), ("Zürich", "CH"), ("Linz", "AT"), ("Basel", "CH")),
}
TEAMS = ("Nord", "Süd", "West", "Ost", "Key Account")

#: Channels of a lead's first touch; the first five are digital.
CHANNELS = (
    "search",
    "webinar",
    "content",
    "email",
    "social",
    "trade_fair",
    "field_sales",
    "phone",
    "referral",
)
DIGITAL = np.array([True] * 5 + [False] * 4)
DIGITAL_MIX = np.array([0.30, 0.20, 0.20, 0.15, 0.15])
OFFLINE_MIX = np.array([0.45, 0.30, 0.15, 0.10])
# Effect on the two lead-stage steps (MQL→SAL, SAL→SQL); a third of it on later steps.
CHANNEL_EFFECT = np.array([0.1, 0.0, -0.2, -0.3, -0.5, 0.3, 0.4, 0.2, 0.6])
CHANNEL_COST_PER_LEAD = np.array([90.0, 120.0, 60.0, 25.0, 70.0, 450.0, 300.0, 80.0, 0.0])
CHANNEL_CAMPAIGN_NAME = (
    "Google Ads {q}",
    "Webinar-Reihe {q}",
    "Whitepaper-Kampagne {q}",
    "Newsletter {q}",
    "LinkedIn {q}",
    "Messeauftritte {q}",
    "Außendienst-Aktion {q}",
    "Telefonaktion {q}",
    "Empfehlungsprogramm {q}",
)
TRADE_FAIR_COLLAPSE = (date(2020, 3, 1), date(2022, 1, 1))

#: The funnel path simulated, with base step conversion into each next milestone and median days.
PATH = (
    "mql",
    "sal",
    "sql",
    "opportunity_generated",
    "opportunity_specified",
    "offer_sent",
    "offer_discussed",
    "contract_negotiation",
    "won",
)
BASE_CONVERSION = np.array([0.65, 0.60, 0.75, 0.85, 0.80, 0.80, 0.75, 0.55])
MEDIAN_DAYS = np.array([3.0, 10.0, 7.0, 14.0, 12.0, 10.0, 14.0, 21.0])
DURATION_SIGMA = 0.5
LEAD_STEPS = 3  # the first three steps end in "disqualified" when they fail; later ones in "lost"

DISQUALIFIED_REASONS = ("Kein Bedarf", "Falsche Zielgruppe", "Kein Budget", "Nicht erreichbar")
LOST_REASONS = ("Preis", "Wettbewerber", "Projekt verschoben", "Kein Budget", "Keine Rückmeldung")

#: Price response at contract negotiation: logit change per unit of discount above segment norm.
PRICE_RESPONSE_PER_DISCOUNT = 4.0
SEGMENT_DISCOUNT_NORM = np.array([0.14, 0.10, 0.07])
REP_FIT_EFFECT = 0.5  # logit bonus when the rep specialises in the account's industry
ENGAGEMENT_EFFECT = 0.5  # logit per standard deviation of digital engagement, lead steps
RESPONSE_TIME_EFFECT = -0.15  # logit per log-unit of response hours above the median
RESPONSE_HOURS_MEDIAN = 20.0

#: Planted anomalies for the alerts to find.
DIP_CHANNEL_BOOST = 4.0
DIP_ACCEPTANCE_EFFECT = -3.0
STALL_INDUSTRY = "Automotive"
STALL_FACTOR = 8.0

#: Product families: name, list price range of a unit (EUR), margin, related families.
FAMILIES = (
    ("Hydraulikaggregate", (18_000, 60_000), 0.34),
    ("Antriebstechnik", (8_000, 40_000), 0.31),
    ("Steuerungstechnik", (5_000, 30_000), 0.42),
    ("Sensorik", (800, 6_000), 0.48),
    ("Förderanlagen", (40_000, 180_000), 0.28),
    ("Ventiltechnik", (1_500, 9_000), 0.40),
    ("Industriesoftware", (12_000, 50_000), 0.72),
    ("Ersatzteile", (200, 3_000), 0.55),
    ("Serviceverträge", (4_000, 24_000), 0.60),
    ("Schulungen", (1_200, 6_000), 0.65),
)
PRODUCTS_PER_FAMILY = 4
# Affinity of a customer of family i for later buying family j (before normalisation).
AFFINITY_PAIRS = {
    ("Hydraulikaggregate", "Ventiltechnik"): 3.0,
    ("Hydraulikaggregate", "Ersatzteile"): 4.0,
    ("Antriebstechnik", "Steuerungstechnik"): 3.0,
    ("Antriebstechnik", "Ersatzteile"): 3.0,
    ("Steuerungstechnik", "Industriesoftware"): 3.5,
    ("Steuerungstechnik", "Sensorik"): 3.0,
    ("Förderanlagen", "Serviceverträge"): 4.0,
    ("Förderanlagen", "Antriebstechnik"): 2.5,
    ("Industriesoftware", "Schulungen"): 3.5,
    ("Industriesoftware", "Serviceverträge"): 2.5,
    ("Sensorik", "Steuerungstechnik"): 2.0,
    ("Ventiltechnik", "Ersatzteile"): 2.5,
}

#: Repeat purchases follow BG/NBD: rate ~ Gamma(r, alpha) per year, dropout after a purchase ~
#: Beta(a, b); order value per customer ~ Gamma-Gamma(p, q, gamma) (Fader, Hardie & Lee 2005).
REPEAT_R, REPEAT_ALPHA = 1.2, 0.6
DROPOUT_A, DROPOUT_B = 1.0, 4.0
SPEND_P, SPEND_Q, SPEND_GAMMA = 4.0, 3.0, 12_000.0

#: Everything about orders drawn after the purchase process comes from its own random stream
#: (``default_rng([seed, ORDER_DETAIL_STREAM])``), so the other tables never depend on it.
ORDER_DETAIL_STREAM = 7_001
#: A repeat order has 1 + Poisson(EXTRA_LINES_MEAN) lines, at most MAX_LINES; every line's family
#: comes from the affinity row of the customer's first family, among those the order can pay for.
EXTRA_LINES_MEAN, MAX_LINES = 2.0, 8
#: The discount of a repeat order never exceeds this (the rest of its value is then over target).
MAX_ORDER_DISCOUNT = 0.3
#: Share of orders returned (credit note or cancellation), the days until then ~ RETURN_MIN_DAYS +
#: Gamma(RETURN_DELAY_SHAPE, RETURN_DELAY_DAYS), and the chance each line is in the return.
RETURN_SHARE = 0.03
RETURN_MIN_DAYS, RETURN_DELAY_SHAPE, RETURN_DELAY_DAYS = 2.0, 2.0, 8.0
RETURN_LINE_SHARE = 0.6
#: Orders from buyers without a customer number, as a share of all webshop orders; they buy
#: cheap families in 1 + Poisson(GUEST_EXTRA_LINES) lines of 1 + Poisson(GUEST_EXTRA_UNITS) units.
GUEST_SHARE = 0.015
GUEST_FAMILIES = {"Ersatzteile": 0.5, "Sensorik": 0.2, "Ventiltechnik": 0.2, "Schulungen": 0.1}
GUEST_EXTRA_LINES, GUEST_EXTRA_UNITS, GUEST_MAX_LINES = 0.5, 1.0, 4
GUEST_ACCOUNT = "guest"
GUEST_ACCOUNT_NAME = "Gastbestellungen (ohne Kundennummer)"

SURNAMES = (
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
    "Schulz", "Hoffmann", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann",
    "Schwarz", "Zimmermann", "Braun", "Krüger", "Hartmann", "Lange", "Werner", "Krause",
    "Lehmann", "Köhler", "Maier", "Vogel", "Jäger",
)  # fmt: skip
FIRST_NAMES = (
    "Anna", "Lukas", "Julia", "Felix", "Sophie", "Jonas", "Laura", "Maximilian", "Lena",
    "Tobias", "Katharina", "Stefan", "Sabine", "Thomas", "Claudia", "Andreas", "Petra",
    "Michael", "Birgit", "Jan",
)  # fmt: skip
NAME_WORDS = {
    "Maschinenbau": ("Maschinenbau", "Anlagenbau", "Werkzeugmaschinen"),
    "Automotive": ("Fahrzeugteile", "Automotive", "Zulieferteile"),
    "Chemie": ("Chemie", "Spezialchemie", "Kunststoffe"),
    "Elektrotechnik": ("Elektrotechnik", "Elektronik", "Schaltanlagen"),
    "Medizintechnik": ("Medizintechnik", "Medical", "Labortechnik"),
    "Lebensmittel": ("Lebensmittel", "Feinkost", "Getränke"),
    "Logistik": ("Logistik", "Spedition", "Lagertechnik"),
    "Energie": ("Energietechnik", "Solartechnik", "Stadtwerke-Technik"),
}
LEGAL_FORMS = ("GmbH", "GmbH & Co. KG", "AG", "KG", "SE")
LEGAL_FORM_WEIGHTS = np.array([0.5, 0.3, 0.1, 0.07, 0.03])
JOB_TITLES = (
    ("Geschäftsführer", "decision maker"),
    ("Technischer Leiter", "decision maker"),
    ("Einkaufsleiter", "influencer"),
    ("Produktionsleiter", "influencer"),
    ("Instandhaltung", "user"),
    ("Projektingenieur", "user"),
)

#: Randomised exposures to touch channels inside every stage of a journey (``_exposures``): the
#: lead channels, then sales video calls. Drawn from their own random stream
#: (``default_rng([seed, EXPOSURE_STREAM, first lead])``), so the other tables keep their draws.
EXPOSURE_STREAM = 7_002
EXPOSURE_CHANNELS = (*CHANNELS, "video")
#: P(channel present in the stage) per step (rows, as in PATH: MQL→SAL … negotiation→won) and
#: channel (columns, as in EXPOSURE_CHANNELS); drawn independently of every lead attribute.
EXPOSURE_RATE = np.array(
    [
        # search webinar content email social fair  field  phone  referral video
        [0.30, 0.15, 0.20, 0.30, 0.15, 0.10, 0.00, 0.25, 0.00, 0.00],  # mql → sal
        [0.25, 0.15, 0.20, 0.30, 0.10, 0.08, 0.05, 0.25, 0.02, 0.05],  # sal → sql
        [0.20, 0.08, 0.20, 0.30, 0.05, 0.05, 0.20, 0.25, 0.06, 0.15],  # sql → opportunity
        [0.20, 0.05, 0.20, 0.25, 0.03, 0.00, 0.25, 0.20, 0.08, 0.20],  # → specified
        [0.20, 0.03, 0.15, 0.25, 0.02, 0.00, 0.25, 0.20, 0.10, 0.25],  # → offer sent
        [0.20, 0.02, 0.15, 0.25, 0.02, 0.00, 0.30, 0.20, 0.10, 0.25],  # → offer discussed
        [0.20, 0.00, 0.10, 0.25, 0.00, 0.00, 0.30, 0.25, 0.12, 0.25],  # → negotiation
        [0.20, 0.00, 0.10, 0.25, 0.00, 0.00, 0.35, 0.25, 0.12, 0.25],  # → won
    ]
)
#: Planted logit effect of a channel present in the stage on the step's success (same layout).
#: Email is frequent and moves nothing; marketing moves the early steps, sales the late ones.
EXPOSURE_EFFECT = np.array(
    [
        [0.45, 0.80, 0.60, 0.00, 0.15, 1.00, 0.00, 0.30, 0.00, 0.00],
        [0.45, 0.90, 0.75, 0.00, 0.00, 0.60, 0.15, 0.30, 0.00, 0.00],
        [0.10, 0.00, 0.55, 0.00, 0.00, 0.00, 0.85, 0.70, 0.25, 0.40],
        [0.45, 0.00, 0.90, 0.00, 0.00, 0.00, 0.75, 0.15, 0.30, 0.60],
        [0.45, 0.00, 0.60, 0.00, 0.00, 0.00, 1.00, 0.15, 0.30, 0.80],
        [0.45, 0.00, 0.15, 0.00, 0.00, 0.00, 1.10, 0.30, 0.60, 0.90],
        [0.40, 0.00, 0.25, 0.00, 0.00, 0.00, 1.20, 0.70, 0.55, 1.00],
        [0.50, 0.00, 0.35, 0.00, 0.00, 0.00, 1.30, 0.80, 0.65, 1.10],
    ]
)
#: Trade-fair exposures pause for leads created from this many days before the collapse.
TRADE_FAIR_LEAD_IN_DAYS = 90
#: Share of digital touches made on a mobile device: rises linearly between these years.
MOBILE_SHARE = ((2020, 0.25), (2024, 0.55))

#: Marketing spend beyond the costs of single touches (table ``marketing_costs``), drawn from its
#: own stream (``default_rng([seed, COST_STREAM])``). Per campaign channel: (kind, share of the
#: campaign's budget) spent evenly over its months, ±15 % noise; trade fairs cost nothing while
#: they collapse.
COST_STREAM = 7_003
CAMPAIGN_SPEND = {
    "search": (("media", 0.60), ("agency", 0.12)),
    "webinar": (("agency", 0.25),),
    "content": (("agency", 0.45),),
    "email": (("agency", 0.08),),
    "social": (("media", 0.55), ("agency", 0.10)),
    "trade_fair": (("event", 1.10),),
    "field_sales": (("event", 0.15),),
    "phone": (("agency", 0.20),),
}
#: Monthly spend per channel without a campaign: (kind, EUR for a company of 60,000 leads, scaled
#: with the leads): tool licences, and the bonuses of the referral programme.
CHANNEL_SPEND = {
    "search": (("tools", 900.0),),
    "webinar": (("tools", 1_100.0),),
    "content": (("tools", 300.0),),
    "email": (("tools", 700.0),),
    "social": (("tools", 400.0),),
    "referral": (("incentives", 1_500.0),),
}

#: Account potential (wallet): what each account could buy per product family in a year, EUR,
#: drawn from its own stream (``default_rng([seed, WALLET_STREAM])``) so no other draw moves.
#: potential[a, f] = WALLET_BASE[f] × (employees / WALLET_REFERENCE_EMPLOYEES)^WALLET_ELASTICITY[f]
#: × WALLET_INDUSTRY[industry][f] × WALLET_REGION[region] × lognormal(0, WALLET_SIGMA).
WALLET_STREAM = 7_004
#: Employees of the reference account the base potentials are given for.
WALLET_REFERENCE_EMPLOYEES = 200.0
#: Potential per family of a reference account (EUR a year): spare parts and components are
#: bought every year, machines and software rarely.
WALLET_BASE = {
    "Hydraulikaggregate": 2_700.0,
    "Antriebstechnik": 4_800.0,
    "Steuerungstechnik": 6_600.0,
    "Sensorik": 6_000.0,
    "Förderanlagen": 1_800.0,
    "Ventiltechnik": 4_500.0,
    "Industriesoftware": 3_600.0,
    "Ersatzteile": 7_900.0,
    "Serviceverträge": 4_500.0,
    "Schulungen": 2_700.0,
}
#: How potential grows with the number of employees, per family: plants and software scale more
#: than proportionally with the size of the site, spare parts and training less.
WALLET_ELASTICITY = {
    "Hydraulikaggregate": 0.85,
    "Antriebstechnik": 0.75,
    "Steuerungstechnik": 0.7,
    "Sensorik": 0.6,
    "Förderanlagen": 1.0,
    "Ventiltechnik": 0.65,
    "Industriesoftware": 0.85,
    "Ersatzteile": 0.6,
    "Serviceverträge": 0.75,
    "Schulungen": 0.55,
}
#: Industry × family multipliers of the potential; families not named keep 1.
WALLET_INDUSTRY = {
    "Maschinenbau": {"Hydraulikaggregate": 1.4, "Antriebstechnik": 1.3, "Ersatzteile": 1.2},
    "Automotive": {"Antriebstechnik": 1.4, "Steuerungstechnik": 1.3, "Förderanlagen": 1.3},
    "Chemie": {"Ventiltechnik": 1.6, "Hydraulikaggregate": 1.2, "Sensorik": 1.2},
    "Elektrotechnik": {"Steuerungstechnik": 1.5, "Sensorik": 1.3, "Hydraulikaggregate": 0.5},
    "Medizintechnik": {
        "Sensorik": 1.4,
        "Industriesoftware": 1.4,
        "Schulungen": 1.3,
        "Hydraulikaggregate": 0.4,
        "Förderanlagen": 0.5,
    },
    "Lebensmittel": {"Förderanlagen": 1.6, "Ventiltechnik": 1.3, "Serviceverträge": 1.2},
    "Logistik": {
        "Förderanlagen": 2.0,
        "Antriebstechnik": 1.3,
        "Hydraulikaggregate": 0.5,
        "Ventiltechnik": 0.6,
    },
    "Energie": {
        "Hydraulikaggregate": 1.3,
        "Ventiltechnik": 1.4,
        "Sensorik": 1.3,
        "Industriesoftware": 1.2,
    },
}
#: Region multipliers of the potential (the south's dense industry buys most).
WALLET_REGION = {"Nord": 1.0, "Süd": 1.15, "West": 1.05, "Ost": 0.85, "International": 0.9}
#: Log-scale spread of an account's potential around what its size, industry and region say.
WALLET_SIGMA = 0.3

#: Today's service rule: sales hours per week a customer gets, by segment (Enterprise,
#: Mittelstand, Kleinunternehmen), times a factor per rep ~ lognormal(0, SERVICE_REP_SIGMA) (some
#: reps look after their accounts more) and per account ~ lognormal(0, SERVICE_ACCOUNT_SIGMA).
#: On the default demo the customers get about 680 hours a week of the reps' 720.
SERVICE_HOURS_BY_SEGMENT = np.array([0.75, 0.25, 0.05])
SERVICE_REP_SIGMA = 0.25
SERVICE_ACCOUNT_SIGMA = 0.35
#: The rule is not kept exactly every year: a rep changes, is on leave or has a big deal
#: elsewhere. In each service year (twelve months turning on a day of the customer's own) a
#: customer gets its rule's hours times a factor ~ lognormal(-σ²/2, SERVICE_YEAR_SIGMA) (mean 1),
#: and in a share SERVICE_VACANCY_SHARE of the years (a territory left vacant) only
#: SERVICE_VACANCY_FACTOR of it.
SERVICE_YEAR_SIGMA = 0.4
SERVICE_VACANCY_SHARE = 0.1
SERVICE_VACANCY_FACTOR = 0.2
#: Share of wallet a customer buys from us at h sales hours a week:
#: sow(h) = SOW_S0 + (SOW_S_MAX - SOW_S0) × (1 - exp(-h / SOW_H_HALF)); SOW_S0 is what a customer
#: buys unattended (webshop, EDI), SOW_S_MAX what the best service wins (the rest stays with
#: second sources), SOW_H_HALF the hours a week at which 63 % of that gap is closed.
SOW_S0, SOW_S_MAX, SOW_H_HALF = 0.15, 0.8, 0.5
#: Activities logged for the service hours: per kind (call, visit, meeting, email) the share of
#: the hours and the mean minutes of one (lognormal, ACTIVITY_DURATION_SIGMA); e-mails are logged
#: without a duration and ACTIVITY_EMAILS_PER_HOUR come with every hour of the other kinds.
ACTIVITY_KINDS = ("call", "visit", "meeting", "email")
ACTIVITY_HOUR_SHARE = np.array([0.25, 0.45, 0.3, 0.0])
ACTIVITY_MEAN_MINUTES = np.array([20.0, 90.0, 60.0, 0.0])
ACTIVITY_DURATION_SIGMA = 0.4
ACTIVITY_EMAILS_PER_HOUR = 0.3
