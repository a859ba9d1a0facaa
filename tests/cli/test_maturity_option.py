"""``--maturity-days`` on the Olist marketing funnel: MQL→won per channel over all leads is the
plain share of won MQLs per origin in the raw CSV files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from revintel.cli import app
from tests.shared_data import shared_dataset

MQLS = "olist_marketing_qualified_leads_dataset.csv"
DEALS = "olist_closed_deals_dataset.csv"

runner = CliRunner()


@pytest.fixture(scope="module")
def olist(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    folder = shared_dataset("olist_marketing_funnel")
    db = str(tmp_path_factory.mktemp("olist") / "olist.duckdb")
    _json("import", "olist", str(folder / MQLS), str(folder / DEALS), "--db", db)
    return db, folder


def _json(*args: str) -> object:
    result = runner.invoke(app, [*args, "-f", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _won_share_per_origin(folder: Path) -> pd.DataFrame:
    """Won MQLs and all MQLs per origin, computed on the CSV files alone."""
    mqls = pd.read_csv(folder / MQLS)
    deals = pd.read_csv(folder / DEALS)
    # The import reads the origin "unknown" and an empty one as no channel.
    origin = mqls["origin"].replace({"unknown": np.nan}).fillna("(none)")
    won = mqls["mql_id"].isin(deals["mql_id"])
    out = won.groupby(origin).agg(won="sum", mqls="size")
    return out.assign(share=out["won"] / out["mqls"])


def _mql_rows(rows: object, reached: str, share: str) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    frame = frame[frame["milestone" if "milestone" in frame else "step"] == "mql"]
    frame = frame.assign(channel=frame["channel"].fillna("(none)")).set_index("channel")
    return frame[[reached, share]].sort_index()


def test_kpi_win_probability_with_maturity_zero_is_won_over_mqls(
    olist: tuple[str, Path],
) -> None:
    db, folder = olist
    expected = _won_share_per_origin(folder).sort_index()
    rows = _json("kpi", "win_probability", "--by", "channel", "--maturity-days", "0", "--db", db)
    got = pd.DataFrame(rows)
    got = got[got["step"] == "mql"].assign(channel=lambda f: f["channel"].fillna("(none)"))
    got = got.set_index("channel").sort_index()
    assert list(got.index) == list(expected.index)
    assert got["numerator"].tolist() == expected["won"].tolist()
    assert got["denominator"].tolist() == expected["mqls"].tolist()
    np.testing.assert_allclose(got["value"], expected["share"], rtol=1e-12)
    assert got["denominator"].sum() == 8000 and got["numerator"].sum() == 842


def test_funnel_overview_with_maturity_zero_counts_every_lead(olist: tuple[str, Path]) -> None:
    db, folder = olist
    expected = _won_share_per_origin(folder).sort_index()
    rows = _json("funnel", "--by", "channel", "--maturity-days", "0", "--db", db)
    got = _mql_rows(rows, "reached", "p_won")
    assert got["reached"].tolist() == expected["mqls"].tolist()
    np.testing.assert_allclose(got["p_won"], expected["share"], rtol=1e-12)


def test_default_window_counts_only_leads_a_year_old(olist: tuple[str, Path]) -> None:
    db, folder = olist
    # As of the last deal (2018-11-14) a year of maturity keeps MQLs before 2017-11-14.
    mqls = pd.read_csv(folder / MQLS, parse_dates=["first_contact_date"])
    mature = int((mqls["first_contact_date"] < pd.Timestamp("2017-11-14")).sum())
    rows = _json("funnel", "--by", "channel", "--db", db)
    assert _mql_rows(rows, "reached", "p_won")["reached"].sum() == mature
    window = _json("funnel", "--by", "channel", "--maturity-days", "180", "--db", db)
    younger = int((mqls["first_contact_date"] < pd.Timestamp("2018-05-18")).sum())
    assert _mql_rows(window, "reached", "p_won")["reached"].sum() == younger


def test_negative_maturity_is_refused_with_the_option_named(olist: tuple[str, Path]) -> None:
    result = runner.invoke(app, ["kpi", "--maturity-days", "-1", "--db", olist[0]])
    assert result.exit_code != 0
    assert "--maturity-days -1: must not be negative" in str(result.exception)
