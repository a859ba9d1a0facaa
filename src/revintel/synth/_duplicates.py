"""A labelled set of dirty duplicate accounts: one company arriving from CRM, ERP and marketing.

Each company is written by one to three systems, each in its own style: the CRM with umlauts
and the full legal form, the ERP in capitals with umlauts spelled out, marketing automation
with typos and without the legal form; domains and cities are sometimes missing. Companies
sharing a family name or a trade make the task hard. The true pairs come with the records.
"""

from __future__ import annotations

import itertools

import numpy as np
import pyarrow as pa

FAMILY_NAMES = (
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
    "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann",
    "Schwarz", "Zimmermann", "Braun", "Krüger", "Hartmann", "Lange", "Werner", "Schmitz",
    "Krause", "Lehmann", "Köhler", "Herrmann", "König", "Walter", "Huber", "Kaiser", "Fuchs",
    "Peters", "Scholz", "Möller", "Weiß", "Jung", "Hahn", "Schubert", "Vogel", "Friedrich",
    "Keller", "Günther", "Berger", "Winkler", "Roth", "Beck", "Lorenz", "Baumann", "Albrecht",
    "Schuster", "Ludwig", "Böhm", "Winter", "Kraus", "Schumacher", "Krämer", "Vogt", "Jäger",
    "Sommer", "Groß", "Seidel", "Heinrich", "Brandt", "Haas", "Schreiber", "Graf", "Dietrich",
    "Ziegler", "Kühn", "Pohl", "Engel", "Horn", "Busch", "Bergmann", "Voigt", "Sauer", "Arnold",
)  # fmt: skip
TRADES = (
    "Maschinenbau", "Metallbau", "Elektrotechnik", "Antriebstechnik", "Kunststofftechnik",
    "Logistik", "Verpackungen", "Anlagenbau", "Hydraulik", "Automation", "Stahlbau",
    "Werkzeugbau", "Medizintechnik", "Fördertechnik", "Präzisionsteile", "Oberflächentechnik",
)  # fmt: skip
CITIES = (
    "München", "Stuttgart", "Köln", "Düsseldorf", "Nürnberg", "Augsburg", "Mannheim",
    "Karlsruhe", "Freiburg", "Ulm", "Heilbronn", "Würzburg", "Regensburg", "Bielefeld",
    "Dortmund", "Essen", "Hannover", "Bremen", "Hamburg", "Kassel", "Göttingen", "Erfurt",
    "Leipzig", "Dresden", "Chemnitz", "Mainz", "Saarbrücken", "Osnabrück", "Münster", "Siegen",
)  # fmt: skip
LEGAL_FORMS = ("GmbH", "GmbH & Co. KG", "AG", "KG", "SE")
_SPELLED = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"}
)
SOURCES = ("crm", "erp", "marketing")


def _slug(text: str) -> str:
    return text.translate(_SPELLED).lower().replace(" ", "-")


def _typo(name: str, rng: np.random.Generator) -> str:
    """One keyboard slip inside the name: a dropped, doubled or swapped letter."""
    i = int(rng.integers(1, max(2, len(name) - 1)))
    kind = rng.integers(3)
    if kind == 0:
        return name[:i] + name[i + 1 :]
    if kind == 1:
        return name[:i] + name[i] + name[i:]
    return name[: i - 1] + name[i] + name[i - 1] + name[i + 1 :]


def _write(
    source: str, base: str, form: str, city: str, domain: str, rng: np.random.Generator
) -> dict[str, str | None]:
    """One system's version of a company."""
    if source == "crm":
        name = f"{base} {form}"
        shown_domain = f"www.{domain}" if rng.random() < 0.5 else f"https://{domain}/"
    elif source == "erp":
        other_form = "GmbH & Co. KG" if form == "GmbH" else form
        name = f"{base.translate(_SPELLED).upper()} {other_form.upper()}"
        shown_domain = domain
    else:
        name = _typo(base, rng) if rng.random() < 0.6 else base
        name = name.translate(_SPELLED) if rng.random() < 0.5 else name
        shown_domain = f"info@{domain}"
    return {
        "name": name,
        "city": city if rng.random() < 0.85 else None,
        "domain": shown_domain if rng.random() < 0.7 else None,
    }


def generate_duplicate_accounts(seed: int, n_companies: int) -> tuple[pa.Table, pa.Table]:
    """Account records from three systems and the true pairs among them.

    Parameters
    ----------
    seed
        Random seed; the same seed gives the same records.
    n_companies
        Number of distinct companies (at most ``len(FAMILY_NAMES) * len(TRADES)``).

    Returns
    -------
    tuple of pyarrow.Table
        Records (``record_id``, ``source_system``, ``name``, ``city``, ``domain``,
        ``company_id``) and true pairs (``record_id_l``, ``record_id_r``), ``l < r``.
    """
    rng = np.random.default_rng(seed)
    combos = len(FAMILY_NAMES) * len(TRADES)
    if n_companies > combos:
        raise ValueError(f"at most {combos} companies can be generated, not {n_companies}")
    picks = rng.choice(combos, size=n_companies, replace=False)
    records: list[dict[str, str | None]] = []
    pairs: list[tuple[str, str]] = []
    for company, pick in enumerate(picks):
        family, trade = FAMILY_NAMES[pick // len(TRADES)], TRADES[pick % len(TRADES)]
        base = f"{family} {trade}"
        form = LEGAL_FORMS[int(rng.integers(len(LEGAL_FORMS)))]
        city = CITIES[int(rng.integers(len(CITIES)))]
        domain = f"{_slug(family)}-{_slug(trade)}.de"
        copies = int(rng.choice([1, 2, 3], p=[0.4, 0.35, 0.25]))
        sources = sorted(rng.choice(len(SOURCES), size=copies, replace=False))
        ids = []
        for s in sources:
            record_id = f"{SOURCES[s]}:{company:05d}"
            ids.append(record_id)
            version = _write(SOURCES[s], base, form, city, domain, rng)
            records.append({"record_id": record_id, "source_system": SOURCES[s], **version,
                            "company_id": f"c{company:05d}"})  # fmt: skip
        pairs.extend(tuple(sorted(p)) for p in itertools.combinations(ids, 2))  # type: ignore[misc]
    record_table = pa.Table.from_pylist(records)
    pair_table = pa.table(
        {"record_id_l": [p[0] for p in pairs], "record_id_r": [p[1] for p in pairs]},
        schema=pa.schema([("record_id_l", pa.string()), ("record_id_r", pa.string())]),
    )
    return record_table, pair_table
