"""The MQL→SAL acceptance alert follows sales' decisions in the lead handover.

A hand-made company, all leads from channel search:

- April 2024: 30 MQLs, 20 accepted and 10 rejected in April (66.7 %, no alert)
- May 2024: 50 MQLs, 19 accepted and 21 rejected in May (19 of 40 = 47.5 %, under the
  catalogue's threshold of 50 % with at least 30 decided) and 10 still waiting
- June 2024: 4 MQLs on the 1st to the 4th, waiting; so the as-of date lies in June and May is
  the last complete month.

Sales decide on May's waiting leads on 5 June, dated when they are made. Acceptance counts the
MQLs of a month by MQL date, so the decisions move May: three acceptances lift it to 22 of 43
(51.2 %) and the alert stops; five rejections then bring it to 22 of 48 (45.8 %) and it fires
again, lower than before.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from revintel.metrics import (
    MetricCatalogue,
    MetricQuery,
    MetricSources,
    evaluate_alerts,
    evaluate_kpi,
    load_catalogue,
)
from revintel.store import Store, open_store, store_now
from revintel.views._handover import decide, handover_queue
from tests.alignment.handover_store import OPERATOR

KPI = "mql_sal_acceptance"
MAY = date(2024, 5, 1)
#: When sales decide: in June, after May's MQLs and June's first ones.
DECIDED = datetime(2024, 6, 5, 9, 0)
ACCOUNT = {
    "account_id": "A1",
    "name": "Muster GmbH",
    "segment": "Mittelstand",
    "source_system": "crm",
    "source_id": "A1",
    "import_batch_id": "b1",
}


def _lead_rows(lead_id: str, mql_at: datetime) -> dict[str, object]:
    return {
        "lead_id": lead_id,
        "account_id": "A1",
        "rep_id": "R1",
        "channel": "search",
        "created_at": mql_at - timedelta(days=2),
        "status": "mql",
        "source_system": "crm",
        "source_id": f"crm-{lead_id}",
        "import_batch_id": "b1",
    }


def _event(
    lead_id: str, milestone: str, at: datetime, reason: str | None = None
) -> dict[str, object]:
    return {
        "milestone_event_id": f"crm:crm-{lead_id}:{milestone}",
        "entity_type": "lead",
        "entity_id": lead_id,
        "lead_id": lead_id,
        "account_id": "A1",
        "milestone": milestone,
        "occurred_at": at,
        "reason": reason,
        "source_system": "crm",
        "source_id": f"crm-{lead_id}",
        "import_batch_id": "b1",
    }


def _month(
    prefix: str, first_day: datetime, accepted: int, rejected: int, waiting: int, hours: int = 12
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Leads ``<prefix>01``… becoming MQLs every ``hours`` from ``first_day``, the first
    ``accepted`` accepted and the next ``rejected`` rejected four hours after their MQL."""
    leads, events = [], []
    for i in range(accepted + rejected + waiting):
        lead_id = f"{prefix}{i + 1:02d}"
        mql_at = first_day + timedelta(hours=hours * i)
        leads.append(_lead_rows(lead_id, mql_at))
        events.append(_event(lead_id, "mql", mql_at))
        if i < accepted:
            events.append(_event(lead_id, "sal", mql_at + timedelta(hours=4)))
        elif i < accepted + rejected:
            events.append(_event(lead_id, "disqualified", mql_at + timedelta(hours=4), "no_need"))
    return leads, events


def handover_alert_store(path: Path) -> Store:
    """The company of the module docstring in a DuckDB file at ``path``."""
    leads: list[dict[str, object]] = []
    events: list[dict[str, object]] = []
    for month in (
        _month("A", datetime(2024, 4, 1, 8), accepted=20, rejected=10, waiting=0),
        _month("M", datetime(2024, 5, 1, 8), accepted=19, rejected=21, waiting=10),
        _month("J", datetime(2024, 6, 1, 8), accepted=0, rejected=0, waiting=4, hours=24),
    ):
        leads += month[0]
        events += month[1]
    store = open_store(path)
    with store.transaction():
        store.insert("accounts", pd.DataFrame([ACCOUNT]))
        store.insert("leads", pd.DataFrame(leads))
        store.insert("milestones", pd.DataFrame(events))
    return store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    made = handover_alert_store(tmp_path / "store.duckdb")
    yield made
    made.close()


@pytest.fixture(scope="module")
def catalogue() -> MetricCatalogue:
    """The packaged catalogue cut to the acceptance KPI, its alert as configured."""
    packaged = load_catalogue()
    return MetricCatalogue(settings=packaged.settings, kpis=(packaged.get(KPI),))


def _acceptance(store: Store, catalogue: MetricCatalogue) -> tuple[int, int, float]:
    """May's accepted, decided and acceptance rate."""
    frame = evaluate_kpi(
        MetricSources.from_store(store), catalogue.get(KPI), MetricQuery(), catalogue.settings
    )
    may = frame[frame["period"] == MAY].iloc[0]
    return int(may["numerator"]), int(may["denominator"]), float(may["value"])


def _alerts(store: Store, catalogue: MetricCatalogue) -> list[tuple[object, ...]]:
    """The acceptance alerts firing: period, group, value, accepted and decided."""
    fired = evaluate_alerts(MetricSources.from_store(store), catalogue)
    return sorted(
        (a.period, tuple(a.group.items()), round(a.value, 6), *a.numbers.values())
        for a in fired
        if a.kpi == KPI
    )


def _may_alerts(accepted: int, decided: int) -> list[tuple[object, ...]]:
    value = round(accepted / decided, 6)
    # evaluated overall and by channel (the catalogue's alert.by): both groups hold every lead
    overall = (MAY, (), value, accepted, decided)
    return [overall, (MAY, (("channel", "search"),), value, accepted, decided)]


def _waiting_of_may(store: Store) -> list[str]:
    queue = handover_queue(store, OPERATOR, now=DECIDED, limit=100)
    return sorted(i for i in queue["lead_id"] if i.startswith("M"))


def test_accepting_waiting_leads_stops_the_alert_and_rejecting_fires_it_again(
    store: Store, catalogue: MetricCatalogue
) -> None:
    assert MetricSources.from_store(store).as_of == date(2024, 6, 4)
    assert _acceptance(store, catalogue) == (19, 40, 19 / 40)
    before = _alerts(store, catalogue)
    assert before == _may_alerts(19, 40)
    waiting = _waiting_of_may(store)
    assert waiting == [f"M{i}" for i in range(41, 51)]

    for i, lead_id in enumerate(waiting[:3]):
        decide(store, OPERATOR, lead_id, "accept", now=DECIDED + timedelta(minutes=i))
    assert _acceptance(store, catalogue) == (22, 43, pytest.approx(22 / 43))
    assert _alerts(store, catalogue) == []
    # the decisions are dated when they were made; May stays the last complete month
    assert MetricSources.from_store(store).as_of == date(2024, 6, 5)

    for i, lead_id in enumerate(waiting[3:8]):
        at = DECIDED + timedelta(hours=1, minutes=i)
        decide(store, OPERATOR, lead_id, "reject", reason="no_budget", now=at)
    assert _acceptance(store, catalogue) == (22, 48, pytest.approx(22 / 48))
    again = _alerts(store, catalogue)
    assert again == _may_alerts(22, 48)
    assert again[0][2] < before[0][2]  # fires stronger than before the decisions
    assert _waiting_of_may(store) == waiting[8:]


def test_the_decision_is_dated_in_june_and_counts_for_may(
    store: Store, catalogue: MetricCatalogue
) -> None:
    decide(store, OPERATOR, "M41", "accept", now=DECIDED)
    m = store.table("milestones")
    sal = m.filter((m.entity_id == "M41") & (m.milestone == "sal")).to_pyarrow().to_pylist()
    assert [row["occurred_at"] for row in sal] == [DECIDED]
    # the lead's own CRM key, so a later CRM import finds the event stored
    assert [row["milestone_event_id"] for row in sal] == ["crm:crm-M41:sal"]
    assert _acceptance(store, catalogue) == (20, 41, pytest.approx(20 / 41))


def test_decisions_stamped_by_the_store_clock_flip_the_alert_too(
    store: Store, catalogue: MetricCatalogue
) -> None:
    # Undated decisions take today's time: the as-of date jumps to today and June becomes
    # complete too, but with 4 MQLs and none decided it has nothing to alert on; May is still
    # among the latest three complete months and follows the decisions.
    for lead_id in ("M41", "M42", "M43"):
        decide(store, OPERATOR, lead_id, "accept")
    assert MetricSources.from_store(store).as_of == store_now(store).date()
    assert _acceptance(store, catalogue) == (22, 43, pytest.approx(22 / 43))
    assert _alerts(store, catalogue) == []
